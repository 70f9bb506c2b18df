// The recorded-format part of the revised contract (docs/formats.md): return
// probes, function-tracer events, gaps, raw module addresses, unknown comms,
// scheduling events and format detection, in the layouts real 6.1 recorders print.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../../../extension/core/analyze';
import type { Trace, TraceFormat } from '../../../../extension/core/trace/model';
import { detectFormat, parseTrace } from '../../../../extension/core/trace/parse';
import { repoPath, summary } from '../../helpers';

const parse = (format: TraceFormat, ...lines: string[]) => parseTrace(lines.join('\n'), { format });
const events = (t: Trace) => [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} ${t.describe(i)}`);
const errors = (t: Trace) => t.diagnostics.filter((d) => d.severity === 'error');

describe('return probes', () => {
  it('ftrace: r_NAME_N merges into the pending entry of the same function, at the return’s line; $retval is ret, never a parameter', () => {
    const t = parse(
      'ftrace',
      '          dmsetup-4620    [001] ...1.   50.000001: p_dm_get_md_0: (dm_get_md+0x4/0xb0 [dm_mod]) arg1=0xfd00000',
      '              lvm-4700    [000] ...1.   50.000002: p_dm_get_0: (dm_get+0x4/0x30 [dm_mod]) arg1=0xffff8e41c2a4e800',
      '          dmsetup-4620    [001] ...1.   50.000003: idr_find: (dm_get_md+0x3c/0xb0 [dm_mod]) idr=I minor=0 ret=md0',
      '          dmsetup-4620    [001] ...1.   50.000004: r_dm_get_md_0: (dev_status+0x41/0x90 [dm_mod] <- dm_get_md) arg1=0xffff8e41c2a4d000',
      '              lvm-4700    [000] ...1.   50.000005: r_dm_get_0: (dm_get_md+0x71/0xb0 [dm_mod] <- dm_get) arg1=0x0',
      // no pending entry: an event of its own, and arg1 is its ret, not the md of dm_get's first parameter
      '    systemd-udevd-311     [000] ...1.   50.000006: r_dm_get_0: (dm_blk_open+0x5c/0xc0 [dm_mod] <- dm_get) arg1=0x0',
    );
    assert.deepEqual(errors(t), []);
    assert.deepEqual(events(t), [
      '3 dmsetup/4620 idr_find idr=I minor=0 ret=md0',
      '4 dmsetup/4620 dm_get_md arg1=0xfd00000 ret=0xffff8e41c2a4d000',
      '5 lvm/4700 dm_get md=0xffff8e41c2a4e800 ret=0x0',
      '6 systemd-udevd/311 dm_get ret=0x0',
    ]);
    assert.equal(t.callers.get(1), 'dev_status', 'the return’s caller is the call context');
  });

  it('a named return merged into a named entry: the entry’s vocabulary name wins and ret is normalised for it', () => {
    const t = parse(
      'ftrace',
      '           rmmod-4800    [000] ...1.   60.000001: delete_module: (__x64_sys_delete_module+0x4/0x2b0) mod="dm_mod"',
      '           rmmod-4800    [000] ...1.   60.000002: delete_module_ret: (do_syscall_64+0x5b/0xc0 <- __x64_sys_delete_module) rc=0xfffffffffffffff0',
    );
    assert.deepEqual(events(t), ['2 rmmod/4800 delete_module mod=dm_mod ret=-16']);
  });

  it('a return probe at a call site (sym+off, no <-) is an ordinary event', () => {
    const t = parse('ftrace', '  dmsetup-4620 [001] ...1. 50.000001: idr_find: (dm_get_md+0x41/0xb0 [dm_mod]) minor=0 ret=0xffffffffffffffff');
    assert.deepEqual(events(t), ['1 dmsetup/4620 idr_find minor=0 ret=MINOR_ALLOCED']);
  });

  it('an entry whose return never comes stays where it was: the order of the trace is kept', () => {
    const t = parse(
      'ftrace',
      'a-1 [000] ...1. 1.000001: p_dm_get_0: (dm_get+0x4/0x30 [dm_mod]) arg1=md0',
      'b-2 [001] ...1. 1.000002: p__raw_spin_lock_0: (_raw_spin_lock+0x4/0x30) arg1=L',
      'a-1 [000] ...1. 1.000003: p_dm_get_0: (dm_get+0x4/0x30 [dm_mod]) arg1=md1',
      'b-2 [001] ...1. 1.000004: p__raw_spin_unlock_0: (_raw_spin_unlock+0x4/0x30) arg1=L',
    );
    assert.deepEqual(events(t), ['1 a/1 dm_get md=md0', '2 b/2 spin_lock lock=L', '3 a/1 dm_get md=md1', '4 b/2 spin_unlock lock=L']);
  });

  it('a gap between an entry and its return stays between them in the trace', () => {
    const t = parse(
      'ftrace',
      'a-1 [000] ...1. 1.000001: p_dm_get_md_0: (dm_get_md+0x4/0xb0 [dm_mod]) arg1=0xfd00000',
      'CPU:1 [LOST 3 EVENTS]',
      'b-2 [001] ...1. 1.000002: dm_put: (dm_put+0x1e/0x150 [dm_mod]) md=md0 holders=1',
      'a-1 [000] ...1. 1.000003: r_dm_get_md_0: (dev_status+0x41/0x90 [dm_mod] <- dm_get_md) arg1=md0',
    );
    assert.deepEqual(events(t), ['3 b/2 dm_put md=md0 holders=1', '4 a/1 dm_get_md arg1=0xfd00000 ret=md0']);
    assert.deepEqual(t.gaps.map((g) => [g.line, g.beforeEvent]), [[2, 0]]);
  });

  it('perf script: (func <- ret_ip) addresses pair a __return probe with the entry at that address', () => {
    const t = parse(
      'perf-script',
      '         dmsetup  4620 [001]    50.000001: probe:dm_get_md: (ffffffffc0522b04) arg1=0xfd00000',
      '         dmsetup  4620 [001]    50.000002: probe:dm_get_md__return: (ffffffffc0522b04 <- ffffffffc0526a51) arg1=0xffff8e41c2a4d000',
      '         dmsetup  4620 [001]    50.000003: probe:dm_get_md__return: (ffffffffc0522b04 <- ffffffffc0526a51) arg1=0x0',
    );
    assert.deepEqual(errors(t), []);
    assert.deepEqual(events(t), ['2 dmsetup/4620 dm_get_md arg1=0xfd00000 ret=0xffff8e41c2a4d000', '3 dmsetup/4620 dm_get_md ret=0x0']);
  });

  it('trace-cmd report: padded names, the same pairing', () => {
    const t = parse(
      'trace-cmd',
      'cpus=2',
      '           rmmod-4800  [000]    60.000001: delete_module:        (__x64_sys_delete_module+0x4/0x2b0) mod="dm_mod"',
      '           rmmod-4800  [000]    60.000002: delete_module_ret:    (do_syscall_64+0x5b/0xc0 <- __x64_sys_delete_module) ret=0x0',
    );
    assert.deepEqual(events(t), ['3 rmmod/4800 delete_module mod=dm_mod ret=0']);
  });

  it('bpftrace: a kretprobe: name (what `probe` prints) pairs with the task’s entry, in time order', () => {
    const t = parse(
      'bpftrace',
      '60000002 0 4800 rmmod kretprobe:__x64_sys_delete_module ret=0',
      '60000001 0 4800 rmmod kprobe:__x64_sys_delete_module mod=dm_mod',
      '60000003 1 4900 lvm kretprobe:dm_get_md ret=0x0',
    );
    assert.deepEqual(events(t), ['1 rmmod/4800 __x64_sys_delete_module mod=dm_mod ret=0', '3 lvm/4900 dm_get_md ret=0x0']);
  });
});

describe('function tracer', () => {
  it('a lock function without a probe is an anonymous lock event of its task', () => {
    const t = parse('ftrace', 'dmsetup-4500 [000] d..1. 1.000001: _raw_spin_lock <-dm_get_md', 'dmsetup-4500 [000] ...1. 1.000002: _raw_spin_unlock <-dm_get_md');
    assert.deepEqual(events(t), ['1 dmsetup/4500 spin_lock', '2 dmsetup/4500 spin_unlock']);
    assert.equal(t.arg(0, 'lock'), undefined);
  });
});

describe('gaps, raw addresses and unknown comms', () => {
  it('CPU:N [LOST M EVENTS] and trace-cmd’s CPU:N [M EVENTS DROPPED] are gaps with a warning, never errors', () => {
    const t = parse('trace-cmd', 'cpus=2', 'CPU:1 [1234 EVENTS DROPPED]', ' dmsetup-4500 [000] 1.000001: dm_get: md=md0', 'CPU:0 [LOST 7 EVENTS]');
    assert.deepEqual(errors(t), []);
    assert.deepEqual(t.diagnostics.map((d) => `${d.line} ${d.severity} ${d.message.split(':')[0]}`), ['2 warning cpu1 lost 1234 events here', '4 warning cpu0 lost 7 events here']);
    assert.deepEqual(t.gaps.map((g) => [g.cpu, g.lost, g.beforeEvent]), [[1, 1234, 0], [0, 7, 1]]);
  });

  it('a module symbol printed as a raw address is no error: the event name decides', () => {
    const f = parse('ftrace', '  dmsetup-4500 [000] ...1. 1.000001: p_dm_get_0: (0xffffffffc0522b3d) arg1=md0', '  dmsetup-4500 [000] ...1. 1.000002: r_dm_get_md_0: (0xffffffffc0526a51 <- 0xffffffffc0522b04) arg1=md0');
    assert.deepEqual(errors(f), []);
    assert.deepEqual(events(f), ['1 dmsetup/4500 dm_get md=md0', '2 dmsetup/4500 dm_get_md ret=md0']);
    const p = parse('perf-script', '   dmsetup  4500 [000]     1.000001: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0xffff8e41c2a4d000 ffffffffc0522b3e [unknown]');
    assert.deepEqual(errors(p), []);
    assert.deepEqual(events(p), ['1 dmsetup/4500 dm_get md=0xffff8e41c2a4d000']);
  });

  it('unknown comms belong to the task of their pid: ftrace <...>-PID, perf :-1 with a pid, perf :-1 -1/-1', () => {
    const f = parse('ftrace', '   <...>-4600 [001] ...1. 1.000001: dm_get: md=md0', '      dd-4600 [001] ...1. 1.000002: dm_put: md=md0 holders=1');
    assert.deepEqual(f.tasks.map((x) => x.name), ['dd/4600']);
    const p = parse(
      'perf-script',
      ':-1 -1/-1 [005]     1.000001: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0x1',
      ':-1  4600 [001]     1.000002: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0x2',
      '  dd  4600 [001]     1.000003: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0x3',
      ':-1 -1/-1 [003]     1.000004: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0x4',
    );
    assert.deepEqual(errors(p), []);
    assert.deepEqual(p.tasks.map((x) => x.name), [':-1/-1', 'dd/4600']);
    assert.deepEqual([...p.task], [0, 1, 1, 0]);
    assert.deepEqual(p.diagnostics.map((d) => `${d.line} ${d.severity}`), ['1 warning'], 'said once: pid -1 events are taken as one task');
  });
});

describe('scheduling events', () => {
  it('fork, exit and a wait that reaped a child map to task_fork, task_exit and task_wait with decimal pids', () => {
    const f = parse(
      'ftrace',
      '   bash-4100 [000] ...1. 1.000001: sched_process_fork: comm=bash pid=4100 child_comm=bash child_pid=4500',
      'dmsetup-4500 [001] ...1. 1.000002: sched_process_exit: comm=dmsetup pid=4500 prio=120',
      '   bash-4100 [000] ...1. 1.000003: sys_wait4(upid: ffffffff, stat_addr: 7ffd2a1c, options: 0, ru: 0)',
      '   bash-4100 [000] ...1. 1.000004: sys_wait4 -> 0x1194',
      '   bash-4100 [000] ...1. 1.000005: sys_wait4 -> 0xfffffffffffffff6',
    );
    assert.deepEqual(errors(f), []);
    assert.deepEqual(
      [...Array(f.length).keys()].map((i) => `${f.eventName(i)} ${f.arg(i, 'child') ?? ''}${f.arg(i, 'ret') ?? ''}`),
      ['task_fork 4500', 'task_exit ', 'sys_enter_wait4 ', 'task_wait 4500', 'sys_exit_wait4 0xfffffffffffffff6'],
    );
    for (const format of ['trace-cmd', 'perf-script'] as const) {
      const line = format === 'perf-script' ? '   bash  4100 [000]     1.000004: syscalls:sys_exit_wait4: 0x1194' : '   bash-4100 [000]     1.000004: sys_exit_wait4:       0x1194';
      const t = parse(format, line, line.replace('0x1194', '0x0'));
      assert.deepEqual([...Array(t.length).keys()].map((i) => `${t.eventName(i)} ${t.arg(i, 'ret')}`), ['task_wait 4500', 'sys_exit_wait4 0x0'], format);
    }
    const b = parse('bpftrace', '1000 0 4100 bash tracepoint:syscalls:sys_exit_wait4 ret=4500', '900 0 4100 bash tracepoint:sched:sched_process_fork child_pid=4500');
    assert.deepEqual(events(b), ['2 bash/4100 task_fork child=4500', '1 bash/4100 task_wait ret=4500']);
  });
});

describe('format detection on real 6.1 layouts', () => {
  it('a perf file whose first line has an unknown task (:-1 -1/-1) is perf script, not ftrace', () => {
    assert.equal(detectFormat(':-1 -1/-1 [005]  9120.000100: kprobes:p_dm_get_0: (ffffffffc05232e0) arg1=0x1\n'), 'perf-script');
  });

  it('the 5-column flags and trace-cmd’s cpus=2 header', () => {
    assert.equal(detectFormat('# tracer: nop\n  dmsetup-4500  [001] d.Z1.  50.000001: p_dm_get_0: (dm_get+0x4/0x30 [dm_mod]) arg1=0x1\n'), 'ftrace');
    assert.equal(detectFormat('cpus=2\n  dmsetup-4500  [001]  50.000001: p_dm_get_0:           (dm_get+0x4/0x30 [dm_mod]) arg1=0x1\n'), 'trace-cmd');
  });

  it('is linear: a megabyte-long line of "-1 (" is decided about as fast as a short file', () => {
    const time = (text: string) => {
      const start = process.hrtime.bigint();
      for (let k = 0; k < 5; k++) detectFormat(text);
      return Number(process.hrtime.bigint() - start) / 5e9;
    };
    const small = time('-1 ('.repeat(16 * 1024));
    const large = time('-1 ('.repeat(256 * 1024));
    // before: 64 KB took 0.85 s and 1 MiB over 120 s (the regular expression was quadratic)
    assert.ok(large < 0.5, `1 MiB took ${large.toFixed(3)} s`);
    assert.ok(large < 20 * small + 0.05, `16x the input took ${(large / small).toFixed(1)}x the time`);
    assert.equal(detectFormat('-1 ('.repeat(256 * 1024)), 'dmtrace', 'nothing recognisable: the last resort');
  });
});

describe('anonymous and merged events reach the rules', () => {
  it('a merged delete_module ret=-16 is a refused unload: no DMR5', () => {
    const a = analyzeText(
      [
        'dmsetup-4500 [000] ...1. 1.000001: md_alloc: (dm_create+0x8c/0x3a0 [dm_mod]) md=md0',
        '  rmmod-4800 [001] ...1. 1.000002: delete_module: (__x64_sys_delete_module+0x4/0x2b0) mod="dm_mod"',
        '  rmmod-4800 [001] ...1. 1.000003: delete_module_ret: (do_syscall_64+0x5b/0xc0 <- __x64_sys_delete_module) ret=0xfffffffffffffff0',
      ].join('\n'),
      { format: 'ftrace' },
    );
    assert.deepEqual(a.findings, []);
    const unloaded = analyzeText(
      [
        'dmsetup-4500 [000] ...1. 1.000001: md_alloc: (dm_create+0x8c/0x3a0 [dm_mod]) md=md0',
        '  rmmod-4800 [001] ...1. 1.000002: delete_module: (__x64_sys_delete_module+0x4/0x2b0) mod="dm_mod"',
        '  rmmod-4800 [001] ...1. 1.000003: delete_module_ret: (do_syscall_64+0x5b/0xc0 <- __x64_sys_delete_module) ret=0x0',
      ].join('\n'),
      { format: 'ftrace' },
    );
    assert.deepEqual(unloaded.findings.map((f) => `${f.rule} ${f.severity} ${unloaded.trace.line[f.primary]}`), ['DMR5 error 3']);
  });
});

describe('real 6.1 recordings (sample-traces/recorded/real61.*)', () => {
  const DIR = repoPath('sample-traces', 'recorded');
  const FILES: [string, TraceFormat][] = [
    ['real61.ftrace.txt', 'ftrace'],
    ['real61.trace-cmd.txt', 'trace-cmd'],
    ['real61.perf-script.txt', 'perf-script'],
  ];
  const outcomes: string[][] = [];
  for (const [file, format] of FILES) {
    it(`${file}: detected as ${format}, no errors, exactly its # expect: findings`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      assert.equal(detectFormat(text.slice(0, 65536)), format);
      const a = analyzeText(text, { fileName: file });
      assert.deepEqual(errors(a.trace), []);
      const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]);
      assert.ok(expected.length > 0);
      assert.deepEqual(summary(a), expected);
      outcomes.push(a.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`));
      // what the 6.1 layout carried: the lookup's return probe merged into its entry, the reaped children, the refused unload
      const described = [...Array(a.trace.length).keys()].map((i) => `${a.trace.taskName(i)} ${a.trace.describe(i)}`);
      assert.ok(described.includes('dmsetup/4610 dm_get_md arg1=0xfd00000 ret=md0'), described.join('\n'));
      for (const pid of ['4500', '4610', '4620']) assert.ok(described.includes(`bash/4100 task_wait ret=${pid}`), pid);
      assert.ok(described.includes('rmmod/4800 delete_module mod=dm_mod ret=-16'));
      assert.ok(a.trace.tasks.some((t) => t.name === 'dd/4600'));
      if (format === 'trace-cmd') assert.equal(a.trace.callers.get(described.indexOf('dd/4600 dm_get md=md0')), 'dm_get <-dm_blk_open', 'the function line and the probe of one call are one event');
    });
  }
  it('the three layouts agree', () => {
    assert.equal(outcomes.length, 3);
    assert.deepEqual(outcomes[1], outcomes[0]);
    assert.deepEqual(outcomes[2], outcomes[0]);
  });
});

describe('waiting for a return is bounded', () => {
  it('an entry that is never answered does not hold the trace: order and count are kept past the bound', () => {
    const lines = ['a-1 [000] ...1. 1.000000: p_dm_get_md_0: (dm_get_md+0x4/0xb0 [dm_mod]) arg1=0x1'];
    for (let i = 1; i <= 20000; i++) lines.push(`b-2 [001] ...1. ${(1 + i / 1e6).toFixed(6)}: dm_put: (dm_put+0x1e/0x150 [dm_mod]) md=md0 holders=1`);
    lines.push('a-1 [000] ...1. 2.000000: r_dm_get_md_0: (dev_status+0x41/0x90 [dm_mod] <- dm_get_md) arg1=0x2');
    const t = parseTrace(lines.join('\n'), { format: 'ftrace' });
    assert.equal(t.length, 20002, 'given up after 16384 events: the entry stands alone, the late return too');
    assert.deepEqual([t.line[0], t.line[1], t.line[20001]], [1, 2, 20002]);
    assert.equal(t.describe(20001), 'dm_get_md ret=0x2');
  });
});
