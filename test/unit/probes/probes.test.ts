// The probe kit on a synthetic disassembly (test/unit/probes/fixture.ts): where
// each vocabulary event is placed, which registers and offsets its arguments
// come from, what it reports when a site cannot be probed, and what the sh
// script does against a fake tracefs. The check against the real dm-mod.ko
// is the kernel suite's (PROBES-API.md).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveProbes, parseKallsyms, renderBpftrace, renderPerf, renderScript, renderTracefs, type ProbeSet } from '../../../extension/core/probes';
import { kprobeLine } from '../../../extension/core/probes/render';
import { dropGroup, dropKprobeDecoration, KERNEL_SPELLINGS } from '../../../extension/core/trace/recorded/eventNames';
import { call, data, FENTRY, inventedModule, KALLSYMS, objdumpText, RET, type FixtureFunction, type Insn } from './fixture';
import { REPO_ROOT } from '../helpers';

function lineOf(set: ProbeSet, event: string): string {
  const p = set.probes.find((x) => x.event === event);
  assert.ok(p, `no probe ${event}: ${set.probes.map((x) => x.event).join(' ')}`);
  return kprobeLine(set, p);
}

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

describe('probe kit: rendering', () => {
  const set = deriveProbes(objdumpText(inventedModule()));
  const kallsyms = parseKallsyms(KALLSYMS);

  it('tracefs: definitions, filters and the header; addresses from kallsyms when given, placeholders when not', () => {
    const withAddresses = renderTracefs(set, kallsyms);
    assert.match(withAddresses, /^# !alias 0xffffffffc0a40100=dm_mod$/m);
    assert.match(withAddresses, /^# filter dmrl\/module_put_0 mod == 0xffffffffc0a40100$/m);
    assert.match(withAddresses, /^# !lock _minor_lock spin$/m);
    assert.match(withAddresses, /^# enable syscalls\/sys_exit_wait4 ret > 0$/m);
    const symbolic = renderTracefs(set);
    assert.match(symbolic, /^# !alias @__this_module\[dm_mod\]=dm_mod$/m);
    // everything that is not a definition is a comment: the text can be written to kprobe_events as it is
    for (const line of symbolic.trimEnd().split('\n')) assert.ok(line.startsWith('#') || /^[pr]:dmrl\/\w+ \S+( \S+)*$/.test(line), line);
  });

  it('perf and bpftrace carry every probe and the header', () => {
    const perf = renderPerf(set, kallsyms);
    assert.match(perf, /^perf probe -q -m dm_mod -a 'dmrl:idr_find_0=dm_lookup\+35 idr=\\"_minor_idr":string minor=%bp:s32 ret=%ax:x64'$/m);
    assert.match(perf, /-e dmrl:module_put_0 --filter 'mod == 0xffffffffc0a40100'/);
    const bt = renderBpftrace(set, kallsyms);
    assert.match(bt, /^kprobe:dm_lookup\+35 \{ printf\("%llu %d %d %s idr_find_0 idr=_minor_idr minor=%d ret=0x%lx\\n", nsecs, cpu, tid, comm, \(int32\)reg\("bp"\), reg\("ax"\)\); \}$/m);
    assert.match(bt, /^kprobe:dm_get\+12 \{ .* holders=%d\\n", nsecs, cpu, tid, comm, reg\("di"\), \(int32\)\*\(int32 \*\)\(reg\("di"\) \+ 0x48\)\); \}$/m);
    assert.match(bt, /printf\("%s\\n", "# !alias 0xffffffffc0a40100=dm_mod"\)/);
  });
});

describe('probe kit: compiler-split .cold parts', () => {
  const fns = [
    ...inventedModule(),
    {
      name: 'dev_status.cold',
      section: '.text.unlikely',
      body: [
        [7, 'mov    $0x0,%rdi', 'R_X86_64_32S\t.data+0x80'],
        [5, 'call   @next', 'R_X86_64_PLT32\tup_read-0x4'],
        [5, 'jmp    @next', 'R_X86_64_PC32\t.text+0x1fc'],
      ] as [number, string, string?][],
    },
  ];
  const set = deriveProbes(objdumpText(fns));

  it('tracefs probes a site in a .cold part by its own symbol', () => {
    assert.equal(lineOf(set, 'up_read_1'), 'p:dmrl/up_read_1 dm_mod:dev_status.cold+0x7 lock=\\"_hash_lock":string');
  });

  it('perf defines it through tracefs; bpftrace says it leaves it out', () => {
    assert.match(renderPerf(set), /^printf '%s\\n' 'p:dmrl\/up_read_1 dm_mod:dev_status\.cold\+0x7 lock=\\"_hash_lock":string' >> \/sys\/kernel\/tracing\/kprobe_events$/m);
    assert.match(renderPerf(set), /-e dmrl:up_read_1 /);
    const bt = renderBpftrace(set);
    assert.match(bt, /^\/\/ bpftrace cannot name a \.cold part: up_read_1 \(dm_mod:dev_status\.cold\+0x7\) are left out;$/m);
    assert.doesNotMatch(bt, /^kprobe:dev_status\.cold/m);
  });
});

describe('probe kit: the recording script', function () {
  this.timeout(20000);
  const set = deriveProbes(objdumpText(inventedModule()));

  /** A directory that looks like tracefs and /proc enough for the script. */
  function fakeTarget(): { dir: string; tracefs: string; proc: string } {
    const dir = mkdtempSync(join(tmpdir(), 'dmrl-probes-'));
    const tracefs = join(dir, 'tracing');
    const proc = join(dir, 'proc');
    mkdirSync(proc, { recursive: true });
    writeFileSync(join(proc, 'kallsyms'), KALLSYMS + '\n');
    writeFileSync(join(proc, 'modules'), 'dm_mod 184320 0 - Live 0xffffffffc0a00000\n');
    for (const p of set.probes) mkdirSync(join(tracefs, 'events', 'dmrl', p.event), { recursive: true });
    for (const t of set.tracepoints) mkdirSync(join(tracefs, 'events', t.system, t.event), { recursive: true });
    for (const f of ['kprobe_events', 'trace', 'tracing_on', 'trace_clock', 'error_log', 'buffer_size_kb']) writeFileSync(join(tracefs, f), '');
    return { dir, tracefs, proc };
  }

  function run(script: string, target: { dir: string; tracefs: string; proc: string }, ...command: string[]) {
    const file = join(target.dir, 'record.sh');
    writeFileSync(file, script);
    chmodSync(file, 0o755);
    const out = join(target.dir, 'out.trace');
    const r = spawnSync('sh', [file, out, '--', ...command], { encoding: 'utf8', env: { ...process.env, DMRL_TRACEFS: target.tracefs, DMRL_PROC: target.proc } });
    return { status: r.status, stderr: r.stderr, out };
  }

  it('applies every definition and filter, runs the command, writes header + trace, exits with the command’s status', () => {
    const t = fakeTarget();
    const r = run(renderScript(set), t, 'sh', '-c', `echo "dmsetup-7 [000] ..... 1.0: dm_get_0: (dm_get+0xc/0x20 [dm_mod]) md=0x1 holders=1" >> "${t.tracefs}/trace"; exit 3`);
    assert.equal(r.status, 3, r.stderr);
    const events = readFileSync(join(t.tracefs, 'kprobe_events'), 'utf8');
    for (const p of set.probes) assert.ok(events.includes(kprobeLine(set, p) + '\n'), p.event);
    assert.match(events, /^-:dmrl\/idr_find_0$/m, 'the probes are removed at the end');
    assert.equal(readFileSync(join(t.tracefs, 'events/dmrl/module_get_0/filter'), 'utf8'), 'mod == 0xffffffffc0a40100\n');
    assert.equal(readFileSync(join(t.tracefs, 'events/syscalls/sys_exit_wait4/filter'), 'utf8'), 'ret > 0\n');
    assert.equal(readFileSync(join(t.tracefs, 'trace_clock'), 'utf8'), 'global\n');
    const trace = readFileSync(r.out, 'utf8').split('\n');
    assert.deepEqual(trace.slice(0, 3), ['# !lock _minor_lock spin', '# !owner dm_mod', '# !alias 0xffffffffc0a40100=dm_mod']);
    assert.match(trace[3], /dm_get_0: \(dm_get\+0xc\/0x20 \[dm_mod\]\) md=0x1 holders=1/);
  });

  it('stops with status 125 and the error log when a probe is refused', () => {
    const t = fakeTarget();
    writeFileSync(join(t.tracefs, 'error_log'), '');
    // a directory where kprobe_events should be: every write fails
    const events = join(t.tracefs, 'kprobe_events');
    spawnSync('rm', [events]);
    mkdirSync(events);
    const r = run(renderScript(set), t, 'true');
    assert.equal(r.status, 125);
    assert.match(r.stderr, /dm-race-lens: probe refused: p:dmrl\/spin_lock_0 /);
  });

  it('refuses to run without an address for dm_mod’s struct module', () => {
    const t = fakeTarget();
    writeFileSync(join(t.proc, 'kallsyms'), '0000000000000000 d __this_module\t[dm_mod]\n');
    const r = run(renderScript(set), t, 'true');
    assert.equal(r.status, 125);
    assert.match(r.stderr, /no address for __this_module \[dm_mod\]/);
  });
});

describe('probe kit: the probes and record commands', function () {
  this.timeout(20000);
  const ROOT = REPO_ROOT;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'dmrl-probes-cli-'));

  it('prints tracefs definitions from a saved disassembly and exits 0 when everything was placed', () => {
    const file = join(dir, 'complete.objdump');
    writeFileSync(file, objdumpText(inventedModule()));
    const r = cli('probes', '--disassembly', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^p:dmrl\/idr_find_0 dm_mod:dm_lookup\+0x23 /m);
    assert.match(r.stderr, /not probed: set_bit: /);
  });

  it('exits 1 and names what it could not place', () => {
    const file = join(dir, 'no-dm-get.objdump');
    writeFileSync(file, objdumpText(inventedModule().filter((f) => f.name !== 'dm_get')));
    const r = cli('probes', '--disassembly', file, '--format', 'script', '--out', join(dir, 'record.sh'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not placed: dm_get: /);
    assert.match(readFileSync(join(dir, 'record.sh'), 'utf8'), /^#!\/bin\/sh$/m);
  });

  it('record applies the probes, runs the command and writes the trace with its header', () => {
    const file = join(dir, 'record.objdump');
    writeFileSync(file, objdumpText(inventedModule()));
    const set = deriveProbes(readFileSync(file, 'utf8'));
    const tracefs = join(dir, 'tracing');
    const proc = join(dir, 'proc');
    mkdirSync(proc, { recursive: true });
    writeFileSync(join(proc, 'kallsyms'), KALLSYMS + '\n');
    writeFileSync(join(proc, 'modules'), 'dm_mod 184320 0 - Live 0xffffffffc0a00000\n');
    for (const p of set.probes) mkdirSync(join(tracefs, 'events', 'dmrl', p.event), { recursive: true });
    for (const f of ['kprobe_events', 'trace', 'tracing_on', 'trace_clock', 'error_log', 'buffer_size_kb']) writeFileSync(join(tracefs, f), '');
    const out = join(dir, 'recorded.trace');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'record', '--disassembly', file, '--out', out, '--', 'sh', '-c', `echo "dd-9 [001] ..... 2.0: dm_blk_open_0: (dm_blk_open+0x0/0x70 [dm_mod]) md=0x2 disk=0x3" >> "${tracefs}/trace"; exit 4`], {
      encoding: 'utf8',
      env: { ...process.env, DMRL_TRACEFS: tracefs, DMRL_PROC: proc },
    });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /trace written to .*recorded\.trace/);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n').slice(0, 4), [
      '# !lock _minor_lock spin',
      '# !owner dm_mod',
      '# !alias 0xffffffffc0a40100=dm_mod',
      'dd-9 [001] ..... 2.0: dm_blk_open_0: (dm_blk_open+0x0/0x70 [dm_mod]) md=0x2 disk=0x3',
    ]);
  });

  it('exits 2 with a message for an unreadable or unusable input, and on usage errors', () => {
    const missing = cli('probes', '--disassembly', join(dir, 'nope'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope: ENOENT/);
    const file = join(dir, 'junk.txt');
    writeFileSync(file, 'not a disassembly\n');
    const junk = cli('probes', '--disassembly', file);
    assert.equal(junk.status, 2);
    assert.match(junk.stderr, /junk\.txt:1:1: no disassembled function/);
    assert.equal(cli('probes', '--disassembly', file, '--format', 'xml').status, 2);
    const rec = cli('record', '--disassembly', file);
    assert.equal(rec.status, 2);
    assert.match(rec.stderr, /record needs -- COMMAND/);
  });
});
