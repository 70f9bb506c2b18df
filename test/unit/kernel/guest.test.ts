// The harness guest's probe step (kernel/guest/apply-probes.sh), run with busybox-compatible sh on a
// fake tracefs: the probe kit's tracefs definitions become kprobe_events lines, per-event filters
// with dm-mod's address read from kallsyms, the tracepoints to enable, and the trace header.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { repoPath } from '../helpers';

const LIB = repoPath('kernel', 'guest', 'apply-probes.sh');

const DEFINITIONS = [
  '# dm-race-lens probe kit: probes for dm-mod, group dmrl',
  '# site spin_lock_0: _raw_spin_lock of _minor_lock at dm_blk_close+0x10',
  'p:dmrl/spin_lock_0 dm_mod:dm_blk_close+0x15 lock=\\"_minor_lock":string',
  'p:dmrl/module_get_0 try_module_get mod=%di:x64',
  'r:dmrl/delete_module_1 __x64_sys_delete_module ret=$retval:s32',
  'p:dmrl/refused_0 no_such_function',
  '# filter dmrl/module_get_0 mod == @__this_module[dm_mod]',
  '# filter dmrl/gone_0 md != 0',
  '# enable sched/sched_process_fork',
  '# enable syscalls/sys_exit_wait4 ret > 0',
  '# !lock _minor_lock spin',
  '# !alias @__this_module[dm_mod]=dm_mod',
  '# !alias @__this_module[nowhere]=kept',
  '',
].join('\n');

const KALLSYMS = ['ffffffffc04c0e80 d __this_module\t[dm_mod]', 'ffffffffc0500000 d __this_module\t[dm_zero]', 'ffffffff81000000 T _stext', ''].join('\n');

function applyOnFakeTracefs() {
  const dir = tempDir('dmrl-guest-');
  const T = join(dir, 'tracing');
  const OUT = join(dir, 'out');
  for (const d of [T, OUT, join(T, 'events/dmrl/module_get_0'), join(T, 'events/syscalls/sys_exit_wait4')]) mkdirSync(d, { recursive: true });
  // a kprobe_events that refuses one definition, as the kernel does for an unknown symbol
  writeFileSync(join(T, 'error_log'), '[  1.0] trace_kprobe: error: Failed to register probe event\n');
  writeFileSync(join(dir, 'defs'), DEFINITIONS);
  writeFileSync(join(dir, 'kallsyms'), KALLSYMS);
  const script = [
    `T=${T} OUT=${OUT} WORK=${dir} KALLSYMS=${join(dir, 'kallsyms')}`,
    `. ${LIB}`,
    // the fake kprobe_events refuses the line naming no_such_function (a real one writes -ENOENT)
    `printf() { case "$2" in *no_such_function*) return 1;; esac; command printf "$@"; }`,
    `apply_probes ${join(dir, 'defs')}`,
    'echo "placed=$placed events=$EVENTS"',
  ].join('\n');
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const read = (p: string) => readFileSync(p, 'utf8');
  return { stdout: r.stdout, T, OUT, read };
}

describe('harness guest: applying the probe kit definitions', () => {
  const g = applyOnFakeTracefs();

  it('writes every p:/r: definition to kprobe_events and lists the refused one with the error log', () => {
    assert.deepEqual(g.read(join(g.T, 'kprobe_events')).split('\n').filter(Boolean), [
      'p:dmrl/spin_lock_0 dm_mod:dm_blk_close+0x15 lock=\\"_minor_lock":string',
      'p:dmrl/module_get_0 try_module_get mod=%di:x64',
      'r:dmrl/delete_module_1 __x64_sys_delete_module ret=$retval:s32',
    ]);
    const errors = g.read(join(g.OUT, 'probe-errors.log'));
    assert.match(errors, /^p:dmrl\/refused_0 no_such_function$/m);
    assert.match(errors, /Failed to register probe event/);
    assert.match(g.stdout, /^placed=3 /m);
  });

  it("sets filters with dm-mod's address from kallsyms, skipping events that do not exist", () => {
    assert.equal(g.read(join(g.T, 'events/dmrl/module_get_0/filter')), 'mod == 0xffffffffc04c0e80\n');
    assert.equal(g.read(join(g.T, 'events/syscalls/sys_exit_wait4/filter')), 'ret > 0\n');
  });

  it('collects the tracepoints to enable', () => {
    assert.match(g.stdout, /events= sched\/sched_process_fork syscalls\/sys_exit_wait4$/m);
  });

  it('keeps the header for the top of each trace, addresses resolved, unknown symbols left as written', () => {
    assert.deepEqual(g.read(join(g.OUT, 'header.txt')).split('\n').filter(Boolean), [
      '# !lock _minor_lock spin',
      '# !alias 0xffffffffc04c0e80=dm_mod',
      '# !alias @__this_module[nowhere]=kept',
    ]);
  });
});

// kernel/guest/through-oops.sh, the one way both guests (the harness's ftrace phase and the race
// variants' runs) get a trace back from a run whose kernel oopsed: run under busybox sh as in the guest,
// with `dmesg` faked.
describe('harness guest: recording through an oops', function () {
  this.timeout(30000);
  const WATCHER = repoPath('kernel', 'guest', 'through-oops.sh');

  function watch(command: string, dmesg: string, limit = 20) {
    const dir = tempDir('dmrl-oops-');
    writeFileSync(join(dir, 'dmesg'), dmesg);
    const script = [
      `dmesg() { cat ${join(dir, 'dmesg')}; }`,
      `. ${WATCHER}`,
      `run_through_oops ${limit} "echo dumped > ${join(dir, 'trace')}" ${command}`,
      'echo "status=$? reports=$OOPS_REPORTS"',
    ].join('\n');
    const start = Date.now();
    const r = spawnSync('busybox', ['sh', '-c', script], { encoding: 'utf8' });
    if (r.error) assert.fail(`busybox: ${r.error.message} (node test/e2e/setup.mjs installs Debian's busybox-static)`);
    let trace = '';
    try { trace = readFileSync(join(dir, 'trace'), 'utf8'); } catch { /* not dumped */ }
    return { stdout: r.stdout, stderr: r.stderr, trace, seconds: (Date.now() - start) / 1000 };
  }

  it('dumps the trace and returns 124 once the kernel reports a BUG, without waiting for the stuck command', () => {
    // the stuck command (a sleep that outlives the watcher; its output away from the test's pipe)
    const r = watch(`sh -c 'exec sleep 9 >/dev/null 2>&1'`, '[   31.9] kernel BUG at drivers/md/dm.c:2424!\n[   31.9] invalid opcode: 0000 [#1] PREEMPT SMP\n');
    assert.match(r.stdout, /^status=124 reports=1$/m);
    assert.equal(r.trace, 'dumped\n');
    assert.ok(r.seconds < 8, `returned after ${r.seconds} s`);
    assert.match(r.stderr, /stuck after \d+s \(kernel reports: 1\), dumping the trace/);
  });

  it("returns the command's own status and dumps nothing when the kernel says nothing", () => {
    const r = watch('sh -c "sleep 1; exit 3"', '[    1.0] dm_mod: loading out-of-tree module\n');
    assert.match(r.stdout, /^status=3 reports=0$/m);
    assert.equal(r.trace, '');
  });
});
