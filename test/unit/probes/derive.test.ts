// The probe kit on a synthetic disassembly (test/unit/probes/fixture.ts): where
// each vocabulary event is placed, which registers and offsets its arguments
// come from, and what it reports when a site cannot be probed. The check
// against the real dm-mod.ko is the kernel suite's (PROBES-API.md).

import { strict as assert } from 'node:assert';
import { deriveProbes } from '../../../extension/core/probes';
import { dropGroup, dropKprobeDecoration, KERNEL_SPELLINGS } from '../../../extension/core/trace/recorded/eventNames';
import { call, data, FENTRY, inventedModule, lineOf, objdumpText, RET, type FixtureFunction, type Insn } from './fixture';

function withFunction(name: string, change: (f: FixtureFunction) => void): FixtureFunction[] {
  const fns = inventedModule();
  change(fns.find((f) => f.name === name)!);
  return fns;
}

describe('probe kit: derivation', () => {
  const set = deriveProbes(objdumpText(inventedModule()));

  it('places idr_alloc after the call: minor is the result, ptr and idr what the caller passed', () => {
    // the call is at dm_create+0x41 (5 bytes): the probe sits on the next instruction
    assert.equal(lineOf(set, 'idr_alloc_0'), 'p:dmrl/idr_alloc_0 dm_mod:dm_create+0x46 idr=\\"_minor_idr":string ptr=\\0xffffffffffffffff:x64 minor=%ax:s32');
    assert.deepEqual(set.probes.find((p) => p.event === 'idr_alloc_0')!.filter, { arg: 'minor', op: '>=', value: 0 });
  });

  it('reads idr_find’s minor from the callee-saved register that kept it across the call', () => {
    assert.equal(lineOf(set, 'idr_find_0'), 'p:dmrl/idr_find_0 dm_mod:dm_lookup+0x23 idr=\\"_minor_idr":string minor=%bp:s32 ret=%ax:x64');
  });

  it('places idr_replace, idr_remove and idr_preload at the call, constants printed as themselves', () => {
    assert.equal(lineOf(set, 'idr_replace_0'), 'p:dmrl/idr_replace_0 dm_mod:dm_create+0x6e idr=\\"_minor_idr":string ptr=%bx:x64 minor=%r12:s32');
    // a minor computed by `and` is still in %dx at the call
    assert.equal(lineOf(set, 'idr_replace_1'), 'p:dmrl/idr_replace_1 dm_mod:dm_destroy+0x32 idr=\\"_minor_idr":string ptr=\\0xffffffffffffffff:x64 minor=%dx:s32');
    assert.equal(lineOf(set, 'idr_remove_0'), 'p:dmrl/idr_remove_0 dm_mod:dm_destroy+0x4d idr=\\"_minor_idr":string minor=%bp:s32');
    assert.equal(lineOf(set, 'idr_preload_0'), 'p:dmrl/idr_preload_0 dm_mod:dm_create+0x20 gfp=\\0xcc0:x32');
  });

  it('records a lock acquisition once held and a release before it, tail calls included', () => {
    assert.equal(lineOf(set, 'spin_lock_0'), 'p:dmrl/spin_lock_0 dm_mod:dm_create+0x31 lock=\\"_minor_lock":string');
    assert.equal(lineOf(set, 'spin_unlock_0'), 'p:dmrl/spin_unlock_0 dm_mod:dm_create+0x50 lock=\\"_minor_lock":string');
    assert.equal(lineOf(set, 'spin_unlock_2'), 'p:dmrl/spin_unlock_2 dm_mod:dm_lookup+0x3e lock=\\"_minor_lock":string');
    assert.equal(lineOf(set, 'down_read_0'), 'p:dmrl/down_read_0 dm_mod:dev_status+0x11 lock=\\"_hash_lock":string');
    assert.equal(lineOf(set, 'up_read_0'), 'p:dmrl/up_read_0 dm_mod:dev_status+0x1b lock=\\"_hash_lock":string');
  });

  it('finds the md lifetime in the inlined code: allocation result, init-done before the publishing idr_replace, the free after idr_remove', () => {
    assert.equal(lineOf(set, 'md_alloc_0'), 'p:dmrl/md_alloc_0 dm_mod:dm_create+0x18 md=%ax:x64');
    assert.equal(lineOf(set, 'md_init_done_0'), 'p:dmrl/md_init_done_0 dm_mod:dm_create+0x6b md=%bx:x64');
    assert.equal(lineOf(set, 'free_dev_0'), 'p:dmrl/free_dev_0 dm_mod:dm_destroy+0x56 md=%di:x64');
    assert.equal(set.probes.filter((p) => p.vocabulary === 'md_init_done').length, 1, 'the replace of MINOR_ALLOCED is no init-done');
  });

  it('takes struct offsets from the disassembly: holders, bd_disk and private_data of this build', () => {
    assert.equal(lineOf(set, 'dm_get_0'), 'p:dmrl/dm_get_0 dm_mod:dm_get+0xc md=%di:x64 holders=+0x48(%di):s32');
    assert.equal(lineOf(set, 'dm_put_0'), 'p:dmrl/dm_put_0 dm_mod:dm_put+0xc md=%di:x64 holders=+0x48(%di):s32');
    assert.equal(lineOf(set, 'dm_put_1'), 'p:dmrl/dm_put_1 dm_mod:dm_blk_close+0x24 md=%bx:x64 holders=+0x48(%bx):s32', 'the put inlined into dm_blk_close');
    assert.equal(lineOf(set, 'dm_blk_open_0'), 'p:dmrl/dm_blk_open_0 dm_mod:dm_blk_open md=+0x30(+0x120(%di)):x64 disk=+0x120(%di):x64');
    assert.equal(lineOf(set, 'dm_blk_close_0'), 'p:dmrl/dm_blk_close_0 dm_mod:dm_blk_close md=+0x30(%di):x64 disk=%di:x64');
    assert.equal(lineOf(set, 'add_disk_0'), 'p:dmrl/add_disk_0 dm_mod:dm_setup_queue+0x10 md=%bp:x64 disk=%si:x64');
  });

  it('reports the offsets it read, as data', () => {
    assert.deepEqual(set.offsets, { 'mapped_device->holders': 0x48, 'block_device->bd_disk': 0x120, 'gendisk->private_data': 0x30, 'mapped_device->disk': 0x28 });
  });

  it('a different build moves the offsets with it', () => {
    const other = deriveProbes(objdumpText(withFunction('dm_get', (f) => (f.body[1] = [7, 'lock incl 0x98(%rdi)']))));
    assert.match(lineOf(other, 'dm_get_0'), /holders=\+0x98\(%di\):s32$/);
  });

  it('filters module references on dm_mod’s struct module and unloads through the syscall', () => {
    assert.equal(lineOf(set, 'module_get_0'), 'p:dmrl/module_get_0 try_module_get mod=%di:x64');
    assert.deepEqual(set.probes.find((p) => p.event === 'module_put_0')!.filter, { arg: 'mod', op: '==', value: { name: '__this_module', module: 'dm_mod' } });
    assert.equal(lineOf(set, 'delete_module_0'), 'p:dmrl/delete_module_0 __x64_sys_delete_module mod=+0(+0x70(%di)):ustring');
    assert.equal(lineOf(set, 'delete_module_1'), 'r:dmrl/delete_module_1 __x64_sys_delete_module ret=$retval:s32');
  });

  it('names every event so that it reduces to its vocabulary event (docs/formats.md)', () => {
    for (const p of set.probes) {
      const base = dropKprobeDecoration(dropGroup(`${set.group}:${p.event}`));
      assert.equal(KERNEL_SPELLINGS[base] ?? base, p.vocabulary, p.event);
    }
    assert.deepEqual(set.tracepoints.map((t) => `${t.system}:${t.event}`), ['sched:sched_process_fork', 'sched:sched_process_exit', 'syscalls:sys_exit_wait4']);
  });

  it('says which events it does not probe and why, and nothing is missing on a complete build', () => {
    assert.deepEqual(set.partial, []);
    assert.deepEqual(set.unplaced.filter((u) => !u.byDesign), []);
    const reasons = Object.fromEntries(set.unplaced.map((u) => [u.vocabulary, u.reason]));
    assert.match(reasons.atomic_dec_and_lock, /never calls atomic_dec_and_lock/);
    assert.match(reasons.set_bit, /inline/);
  });

  it('does not place a result probe on an instruction that other paths jump to, and says so', () => {
    const fns = withFunction('dm_lookup', (f) => {
      const at = f.body.findIndex((i) => /idr_find/.test(i[2] ?? ''));
      f.body.splice(at + 1, 0, [0, 'after:']);
      f.body.splice(1, 0, [2, 'jmp    @after']);
    });
    const s = deriveProbes(objdumpText(fns));
    assert.equal(s.probes.filter((p) => p.vocabulary === 'idr_find').length, 0);
    assert.match(s.partial.join('\n'), /idr_find at dm_lookup\+0x\w+: the instruction after the call is reached from elsewhere too/);
    assert.match(s.unplaced.map((u) => `${u.vocabulary}: ${u.reason}`).join('\n'), /^idr_find: /m);
  });

  it('reports what it cannot find when dm_get and dm_blk_open are missing', () => {
    const fns = inventedModule().filter((f) => f.name !== 'dm_get' && f.name !== 'dm_blk_open');
    const s = deriveProbes(objdumpText(fns));
    const unplaced = s.unplaced.filter((u) => !u.byDesign).map((u) => u.vocabulary);
    assert.deepEqual(unplaced.sort(), ['dm_blk_open', 'dm_get', 'dm_put'].sort());
    assert.match(s.unplaced.find((u) => u.vocabulary === 'dm_get')!.reason, /holders/);
  });

  it('gives a diagnostic with a line, not a crash, for text that is not a disassembly', () => {
    const s = deriveProbes('hello\n   12: what is this\n');
    assert.equal(s.probes.length, 0);
    assert.deepEqual(s.diagnostics.map((d) => [d.line, d.column]), [[2, 1], [1, 1]]);
  });
});

describe('probe kit: md_init_done in a build that publishes the md with the reservation (R1)', () => {
  /** A creating function that stores the md itself with idr_alloc and never calls idr_replace; `beforeHandOver` runs just before `*result = md`. */
  function publishAtReservation(beforeHandOver: Insn[] = []): FixtureFunction[] {
    return withFunction('dm_create', (f) => {
      f.body = [
        FENTRY,
        [2, 'push   %r13'],
        [3, 'mov    %rsi,%r13'], // the caller's result pointer
        [1, 'push   %rbx'],
        [2, 'mov    %edi,%ebp'],
        [5, 'mov    $0x900,%edi'],
        call('kzalloc_node'),
        [3, 'mov    %rax,%rbx'], // md, kept in a callee-saved register
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'),
        [3, 'mov    %rbx,%rsi'],
        data('%rdi', '.data+0x40'),
        [2, 'mov    %ebp,%edx'],
        call('idr_alloc'), // the md is visible to idr_find from here on
        [3, 'mov    %eax,%r12d'],
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_unlock'),
        [4, 'lea    0x10(%rbx),%rdi'],
        call('dm_stats_init'), // the rest of the initialisation
        ...beforeHandOver,
        [4, 'mov    %rbx,0x0(%r13)'], // *result = md
        [3, 'mov    %r12d,%eax'],
        [1, 'pop    %rbx'],
        [2, 'pop    %r13'],
        RET,
      ];
    });
  }

  it('places md_init_done at the store that hands the complete md to the caller', () => {
    const set = deriveProbes(objdumpText(publishAtReservation()));
    assert.equal(lineOf(set, 'idr_alloc_0'), 'p:dmrl/idr_alloc_0 dm_mod:dm_create+0x37 idr=\\"_minor_idr":string ptr=%bx:x64 minor=%ax:s32');
    assert.equal(lineOf(set, 'md_init_done_0'), 'p:dmrl/md_init_done_0 dm_mod:dm_create+0x4f md=%bx:x64');
    assert.equal(set.probes.filter((p) => p.vocabulary === 'md_init_done').length, 1);
    assert.ok(!set.unplaced.some((u) => u.vocabulary === 'md_init_done'));
  });

  it('places none when the register no longer holds the md at the store, and says why', () => {
    const set = deriveProbes(objdumpText(publishAtReservation([[2, 'xor    %ebx,%ebx']])));
    assert.equal(set.probes.filter((p) => p.vocabulary === 'md_init_done').length, 0);
    assert.match(set.unplaced.find((u) => u.vocabulary === 'md_init_done')!.reason, /no idr_replace of the md .* and no store of the allocated md on its way out/);
  });
});

describe('probe kit: md_init_done in a build that initialises part of the md after add_disk (R6)', () => {
  /** dm_setup_queue registers the disk of the md in %rbp, then runs `after` (initialisation of fields of the md or of something else). */
  function initialisesAfterAddDisk(after: Insn[]): FixtureFunction[] {
    return withFunction('dm_setup_queue', (f) => {
      f.body = [
        FENTRY,
        [1, 'push   %rbp'],
        [3, 'mov    %rdi,%rbp'],
        [7, 'mov    0x28(%rbp),%rsi'],
        [2, 'xor    %edx,%edx'],
        [2, 'xor    %edi,%edi'],
        call('device_add_disk'),
        ...after,
        [2, 'xor    %eax,%eax'],
        [1, 'pop    %rbp'],
        RET,
      ];
    });
  }
  const waitQueue = (reg: string, offset: string): Insn[] => [[4, `lea    ${offset}(${reg}),%rdi`], data('%rsi', '.rodata+0x10'), call('__init_waitqueue_head')];

  it('places md_init_done after the last field initialisation that follows add_disk, and not at the publish', () => {
    const set = deriveProbes(objdumpText(initialisesAfterAddDisk([[7, 'movl   $0x0,0x30(%rbp)'], ...waitQueue('%rbp', '0x40'), ...waitQueue('%rbp', '0x58')])));
    const init = set.probes.filter((p) => p.vocabulary === 'md_init_done');
    assert.equal(init.length, 1);
    assert.equal(lineOf(set, 'md_init_done_0'), 'p:dmrl/md_init_done_0 dm_mod:dm_setup_queue+0x40 md=%bp:x64');
    assert.match(init[0].site, /__init_waitqueue_head at dm_setup_queue\+0x3b\), which this build does after device_add_disk/);
  });

  it('keeps md_init_done at the publish when what follows add_disk initialises something else', () => {
    const set = deriveProbes(objdumpText(initialisesAfterAddDisk([[3, 'mov    %rax,%rbx'], ...waitQueue('%rbx', '0x40')])));
    assert.equal(lineOf(set, 'md_init_done_0'), 'p:dmrl/md_init_done_0 dm_mod:dm_create+0x6b md=%bx:x64');
    assert.equal(set.probes.filter((p) => p.vocabulary === 'md_init_done').length, 1);
  });
});
