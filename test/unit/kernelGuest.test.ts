// The harness guest's probe step (kernel/guest/apply-probes.sh), run with busybox-compatible sh on a
// fake tracefs: the probe kit's tracefs definitions become kprobe_events lines, per-event filters
// with dm-mod's address read from kallsyms, the tracepoints to enable, and the trace header.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './helpers';

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
  const dir = mkdtempSync(join(tmpdir(), 'dmrl-guest-'));
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
