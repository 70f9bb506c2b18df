// Each recorded layout line by line: what a kernel developer pastes from
// their terminal must land on the right task, cpu, time, event and arguments,
// and what does not parse must say where.

import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../../extension/core/analyze';
import type { Trace, TraceFormat } from '../../../../extension/core/trace/model';
import { createParser, detectFormat, parseTrace } from '../../../../extension/core/trace/parse';

const parse = (format: TraceFormat, ...lines: string[]) => parseTrace(lines.join('\n'), { format });
/** `task name args` of every event, the way a user would read the trace back. */
const events = (t: Trace) => [...Array(t.length).keys()].map((i) => `${t.taskName(i)} cpu${t.cpu[i]} ${t.describe(i)}`);

describe('ftrace text', () => {
  it('reads tasks from the right: comm may hold spaces, dashes and slashes', () => {
    const t = parse(
      'ftrace',
      '     kworker/0:1-27      [000] d..2  100.000001: dm_put: (dm_put+0x1e/0x150 [dm_mod]) md=md0 holders=1',
      '   systemd-udevd-311     [001] ....  100.000002: dm_blk_open: (dm_blk_open+0x12/0xc0 [dm_mod]) md=md0',
      '     Web Content-9001    [003] ....  100.000003: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      '            bash-4100    (   4100) [002] ...1  100.000004: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      '         dmsetup-4211 [002] 100.000005: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0',
    );
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(events(t), [
      'kworker/0:1/27 cpu0 dm_put md=md0 holders=1',
      'systemd-udevd/311 cpu1 dm_blk_open md=md0',
      'Web Content/9001 cpu3 dm_get md=md0',
      'bash/4100 cpu2 dm_get md=md0',
      'dmsetup/4211 cpu2 dm_get md=md0',
    ]);
    assert.equal(t.time[0], 100_000_001_000);
  });

  it('keeps one task per pid when ftrace prints <...> for a comm it forgot, and names it by the comm', () => {
    const t = parse(
      'ftrace',
      '           <...>-4211    [002] .... 1.000001: dm_get: md=md0',
      '         dmsetup-4211    [002] .... 1.000002: dm_put: md=md0 holders=1',
      '           <...>-77      [001] .... 1.000003: dm_get: md=md1',
    );
    assert.deepEqual(t.tasks.map((x) => x.name), ['dmsetup/4211', '<...>/77']);
    assert.deepEqual([...t.task], [0, 0, 1]);
    assert.deepEqual([...t.seq], [1, 2, 1]);
  });

  it('reduces probe names and kernel spellings to the vocabulary (docs/formats.md)', () => {
    const t = parse(
      'ftrace',
      'a-1 [000] .... 1.000001: p__raw_spin_lock_0: (_raw_spin_lock+0x0/0x40) lock=L',
      'a-1 [000] .... 1.000002: idr_alloc: (idr_alloc+0x0/0xb0) idr=I ptr=md0',
      'a-1 [000] .... 1.000003: p_down_3: (down+0x0/0x50) lock=S',
      'a-1 [000] .... 1.000004: my_probe: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      'a-1 [000] .... 1.000005: kprobes/try_module_get: (try_module_get+0x0/0x60) mod=dm_mod',
      'a-1 [000] .... 1.000006: sched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2',
    );
    assert.deepEqual(
      [...Array(t.length).keys()].map((i) => t.eventName(i)),
      ['spin_lock', 'idr_get_new', 'mutex_lock', 'dm_get', 'module_get', 'sched_switch'],
    );
    assert.equal(t.arg(5, 'next_comm'), 'b', 'tokens without "=" (==>) are skipped, the rest kept');
  });

  it('names unnamed kprobe arguments by the kernel function’s parameters, and normalises printed values', () => {
    const t = parse(
      'ftrace',
      '# !alias 0xffff8e41c2a4d000=md0',
      'lvm-4300 [001] .... 5.000001: p_dm_get_0: (dm_get+0x0/0x30 [dm_mod]) arg1=0xffff8e41c2a4d000',
      'lvm-4300 [001] .... 5.000002: r_idr_find_0: (dm_find_md+0x3c/0xa0 [dm_mod] <- idr_find) ret=0xffffffffffffffff',
      'rm-4400 [002] .... 5.000003: dm_put: (dm_put+0x1e/0x150 [dm_mod]) md=0xffff8e41c2a4d000 holders=0x0',
      'rm-4400 [002] .... 5.000004: delete_module: (__do_sys_delete_module+0x1f0/0x2f0 <- __do_sys_delete_module) mod=dm_mod ret=0xfffffffffffffff0',
      'rm-4400 [002] .... 5.000005: p_frob_0: (frob+0x0/0x10) arg1=0x1',
      'rm-4400 [002] .... 5.000006: idr_preload: (idr_preload+0x0/0x90) gfp=0xcc0',
    );
    assert.deepEqual(events(t), [
      'lvm/4300 cpu1 dm_get md=md0',
      'lvm/4300 cpu1 idr_find ret=MINOR_ALLOCED',
      'rm/4400 cpu2 dm_put md=md0 holders=0',
      'rm/4400 cpu2 delete_module mod=dm_mod ret=-16',
      'rm/4400 cpu2 frob arg1=0x1',
      'rm/4400 cpu2 idr_pre_get gfp=GFP_KERNEL',
    ]);
    assert.equal(t.callers.get(1), 'dm_find_md', 'a return probe’s caller is its call context');
  });

  it('function-tracer lines: a vocabulary function is an event without arguments, other functions are call context', () => {
    const lines = [
      '# tracer: function',
      'lvm-4300 [001] ...1 5.000001: dm_get_md <-dev_status',
      'lvm-4300 [001] ...1 5.000002: dm_get <-dm_get_md',
      'lvm-4300 [001] .... 5.000003: p_dm_get_0: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      'rm-4400 [002] ...1 5.000004: dm_put <-dev_remove',
      'rm-4400 [002] ...1 5.000005: _raw_spin_lock <-dm_get_md',
      'rm-4400 [002] ...1 5.000006: frob <-dm_get_md',
      'rm-4400 [002] ...1 5.000007: p_frob_0: (frob+0x0/0x10) x=1',
    ];
    const t = parse('ftrace', ...lines);
    // the dm_get line and the probe of the same call are one event; dm_put has no probe after it: an event of its own
    assert.deepEqual(events(t), ['lvm/4300 cpu1 dm_get md=md0', 'rm/4400 cpu2 dm_put', 'rm/4400 cpu2 spin_lock', 'rm/4400 cpu2 frob x=1']);
    assert.deepEqual([...t.line], [4, 5, 6, 8]);
    assert.equal(t.callers.get(0), 'dm_get <-dm_get_md');
    assert.equal(t.callers.get(1), 'dev_remove');
    assert.equal(t.callers.get(3), 'frob <-dm_get_md', 'a function the rules do not know is call context');
    const mapped = parseTrace(lines.join('\n'), { format: 'ftrace', map: { frob: 'free_dev' } });
    assert.deepEqual(events(mapped).slice(3), ['rm/4400 cpu2 free_dev x=1'], 'a mapped function merges like a vocabulary one');
  });

  it('reads trace_printk and trace_marker messages that start with an event name', () => {
    const t = parse(
      'ftrace',
      '             lvm-4300    [001] ...1  5.000001: dm_get_md: dm_get md=md0',
      '         dmsetup-4310    [000] ...1  5.000002: tracing_mark_write: dm_put md=md0 holders=0',
      '         dmsetup-4310    [000] ...1  5.000003: dm_get_md: looking up minor 3',
    );
    assert.deepEqual(events(t), ['lvm/4300 cpu1 dm_get md=md0', 'dmsetup/4310 cpu0 dm_put md=md0 holders=0', 'dmsetup/4310 cpu0 dm_get_md']);
    assert.equal(t.callers.get(0), 'dm_get_md', 'the function that printed is the call context');
    assert.equal(t.callers.get(1), undefined);
  });

  it('`# !map` and --map name probes the vocabulary does not know', () => {
    const lines = ['# !map grab=dm_get', 'a-1 [000] .... 1.000001: grab: (dm_get_md+0x30/0x90) md=md0', 'a-1 [000] .... 1.000002: drop: (x+0x0/0x1) md=md0 holders=0'];
    const t = parseTrace(lines.join('\n'), { format: 'ftrace', map: { drop: 'dm_put' } });
    assert.deepEqual(events(t), ['a/1 cpu0 dm_get md=md0', 'a/1 cpu0 dm_put md=md0 holders=0']);
  });

  it('reports lines that are not events with line and column, and goes on', () => {
    const t = parse('ftrace', 'a-1 [000] .... 1.000001: dm_get: md=md0', 'this is not a trace line', 'a-1 [000] .... 1.0x: dm_get: md=md0', 'a-1 [000] .... 1.000004:', 'a-1 [000] .... 1.000005: dm_put: md=md0 holders=0');
    assert.deepEqual(
      t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}`),
      ['2:1 error', '3:16 error', '4:25 error'],
    );
    assert.equal(t.length, 2);
  });

  it('a lost-events gap inside a race window makes the finding uncertain', () => {
    const race = (gap: boolean) =>
      [
        'lvm-4300 [001] .... 1.000001: spin_lock: lock=L',
        'lvm-4300 [001] .... 1.000002: idr_find: idr=I minor=0 ret=md0',
        'lvm-4300 [001] .... 1.000003: spin_unlock: lock=L',
        'dmsetup-4310 [000] .... 1.000004: dm_put: md=md0 holders=0',
        ...(gap ? ['CPU:1 [LOST 7 EVENTS]'] : []),
        'lvm-4300 [001] .... 1.000005: dm_get: md=md0',
        'dmsetup-4310 [000] .... 1.000006: free_dev: md=md0',
      ].join('\n');
    const clean = analyzeText(race(false), { format: 'ftrace' });
    const gapped = analyzeText(race(true), { format: 'ftrace' });
    assert.deepEqual(clean.findings.map((f) => [f.rule, f.severity, !!f.uncertain]), [['DMR2', 'error', false]]);
    assert.deepEqual(gapped.findings.map((f) => [f.rule, f.severity, !!f.uncertain]), [['DMR2', 'error', true]]);
    assert.deepEqual(gapped.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message.slice(0, 18)}`), ['5:1 warning cpu1 lost 7 events']);
  });
});

describe('trace-cmd report', () => {
  it('reads the cpus= preamble, lines without flags, and its function tracer spelling', () => {
    const t = parse(
      'trace-cmd',
      'cpus=4',
      'CPU 3 is empty',
      '         dmsetup-4211  [002]  8123.456790: function:             dm_put <-- dev_remove',
      '         dmsetup-4211  [002]  8123.456791: dm_put:               (dm_put+0x1e/0x150 [dm_mod]) md=md0 holders=0',
      'CPU:1 [LOST EVENTS]',
    );
    assert.deepEqual(events(t), ['dmsetup/4211 cpu2 dm_put md=md0 holders=0']);
    assert.equal(t.callers.get(0), 'dm_put <-dev_remove');
    assert.deepEqual(t.diagnostics.map((d) => `${d.line} ${d.severity}`), ['5 warning']);
    assert.match(t.diagnostics[0].message, /^cpu1 lost an unknown number of events/);
  });
});

describe('perf script', () => {
  it('reads comm (with spaces), tid or pid/tid, the optional cpu, and group:event', () => {
    const t = parse(
      'perf-script',
      '         dmsetup  4211 [002]  8123.456790: probe:dm_get: (ffffffffc04a1c30) md=0xffff8e41c2a4d000',
      '     Web Content  777/9001 [003]  8123.456791: probe:dm_put: (ffffffffc04a1d00) md=md0 holders=0',
      '             lvm  4300  8123.456792: probe:_raw_spin_lock: (ffffffff81a0c2b0) lock=L',
      '   systemd-udevd   311 [000]  8123.456793: probe_systemd:uevent_recv: (55d1c2a4a3c0) disk="dm-0" action="add"',
    );
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(events(t), [
      'dmsetup/4211 cpu2 dm_get md=0xffff8e41c2a4d000',
      'Web Content/9001 cpu3 dm_put md=md0 holders=0',
      'lvm/4300 cpu0 spin_lock lock=L',
      'systemd-udevd/311 cpu0 uevent_recv disk=dm-0 action=add',
    ]);
  });

  it('takes the caller from a -g callchain, and skips a sample period', () => {
    const t = parse(
      'perf-script',
      '             lvm  4300 [001]  8123.456790: probe:dm_get: (ffffffffc04a1c30) md=md0',
      '\tffffffffc04a1c30 dm_get+0x0 ([dm_mod])',
      '\tffffffffc04a2d11 dm_get_md+0x41 ([dm_mod])',
      '\tffffffffc04a7702 dev_status+0x22 ([dm_mod])',
      '',
      '             lvm  4300 [001]  8123.456791: 1 cycles: ffffffff81a0c2b0 _raw_spin_lock+0x0 ([kernel.kallsyms])',
    );
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(events(t), ['lvm/4300 cpu1 dm_get md=md0', 'lvm/4300 cpu1 cycles']);
    assert.equal(t.callers.get(0), 'dm_get_md');
  });

  it('reports what is not a perf script line', () => {
    const t = parse('perf-script', 'dmsetup 4211 [002] 1.000001: probe:dm_get: md=md0', 'dmsetup 4211 [002] 1.000002: dm_get md=md0', 'just words');
    assert.deepEqual(t.diagnostics.map((d) => `${d.line}:${d.column}`), ['2:30', '3:1']);
    assert.equal(t.length, 1);
  });
});

describe('bpftrace', () => {
  it('reads nsecs cpu tid comm event key=val, comm with spaces, and skips its own messages', () => {
    const t = parse(
      'bpftrace',
      'Attaching 3 probes...',
      '8123456790412 2 4211 dmsetup dm_get md=0xffff8e41c2a4d000',
      '8123456790500 3 9001 Web Content dm_put md=md0 holders=0',
      '',
      '@gets[dmsetup]: 1',
    );
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(events(t), ['dmsetup/4211 cpu2 dm_get md=0xffff8e41c2a4d000', 'Web Content/9001 cpu3 dm_put md=md0 holders=0']);
    assert.equal(t.time[0], 8123456790412);
  });

  it('orders by time, ties in file order, keeping each event’s line', () => {
    const t = parse('bpftrace', '300 1 10 b dm_get md=m', '100 0 11 a dm_put md=m holders=1', '300 0 11 a free_dev md=m', '200 1 10 b spin_lock lock=L');
    assert.deepEqual([...t.line], [2, 4, 1, 3]);
  });

  it('reports lost events as a gap and malformed lines with their column', () => {
    const t = parse('bpftrace', '100 0 11 a dm_get md=m', 'Lost 12 events', '1x0 0 11 a dm_get md=m', '100 0 11 a=1', '200 0 11 a dm_put md=m');
    assert.deepEqual(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}`), ['2:1 warning', '3:1 error', '4:1 error']);
    assert.equal(t.gaps.length, 1);
    assert.equal(t.gaps[0].beforeEvent, 1);
  });
});

describe('Chrome / Perfetto JSON', () => {
  const json = (...events: object[]) => `{"traceEvents":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}`;
  const X = (name: string, ts: number, tid: number, args: object = {}) => ({ name, ph: 'X', ts, dur: 1, pid: tid, tid, args });

  it('names tasks from thread_name metadata even when it comes last, and reads args.cpu', () => {
    const t = parseTrace(
      json(X('dm_get', 10, 7, { cpu: 3, md: 'md0' }), { ph: 'M', name: 'thread_name', pid: 7, tid: 7, args: { name: 'lvm' } }),
    );
    assert.equal(t.format, 'chrome-json');
    assert.deepEqual(events(t), ['lvm/7 cpu3 dm_get md=md0']);
    assert.equal(t.line[0], 2);
    assert.equal(t.time[0], 10_000);
  });

  it('B is the event and E only closes it; i is an event; other phases are not', () => {
    const t = parseTrace(
      json(
        { name: 'dm_blk_open', ph: 'B', ts: 5, pid: 1, tid: 1, args: { md: 'md0' } },
        { name: 'dm_blk_open', ph: 'E', ts: 9, pid: 1, tid: 1 },
        { name: 'free_dev', ph: 'i', s: 't', ts: 7, pid: 2, tid: 2, args: { md: 'md0' } },
        { name: 'holders', ph: 'C', ts: 8, pid: 2, args: { value: 1 } },
      ),
    );
    assert.deepEqual(events(t), ['thread/1 cpu0 dm_blk_open md=md0', 'thread/2 cpu0 free_dev md=md0']);
  });

  it('accepts the array form, even without its closing bracket', () => {
    const t = parseTrace('[\n' + JSON.stringify(X('dm_get', 1, 1, { md: 'md0' })) + ',\n' + JSON.stringify(X('dm_put', 2, 1, { md: 'md0', holders: 0 })) + ',\n');
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(events(t), ['thread/1 cpu0 dm_get md=md0', 'thread/1 cpu0 dm_put md=md0 holders=0']);
  });

  it('turns a flow (s -> f) into a happens-before edge between the slices it binds', () => {
    const session = (flow: boolean) =>
      json(
        X('add_disk', 10, 1, { md: 'md0', disk: 'dm-0' }),
        X('md_init_done', 20, 1, { md: 'md0' }),
        ...(flow ? [{ name: 'uevent', cat: 'netlink', ph: 's', id: 42, ts: 10.5, pid: 1, tid: 1 }, { name: 'uevent', cat: 'netlink', ph: 'f', bp: 'e', id: 42, ts: 30.5, pid: 2, tid: 2 }] : []),
        X('dm_blk_open', 30, 2, { md: 'md0', disk: 'dm-0' }),
      );
    const without = analyzeText(session(false));
    const withFlow = analyzeText(session(true));
    assert.deepEqual(without.findings.map((f) => `${f.rule} ${f.severity}`), ['DMR6 warning']);
    assert.deepEqual(withFlow.findings.map((f) => `${f.rule} ${f.severity}`), ['DMR6 error'], 'the open is now known to follow the add_disk');
    assert.equal(withFlow.trace.declaredEdges.length, 1);
    assert.deepEqual(withFlow.hb.incoming(2).map((e) => e.kind), ['declared']);
  });

  it('binds Perfetto bind_id flows on the slices themselves', () => {
    const t = analyzeText(
      json(
        { ...X('spin_unlock', 10, 1, { lock: 'L' }), bind_id: 5, flow_out: true },
        { ...X('spin_lock', 40, 2, { lock: 'M' }), bind_id: 5, flow_in: true },
      ),
    );
    assert.ok(t.hb.happensBefore(0, 1));
  });

  it('reports malformed JSON with line and column, and keeps the events after it', () => {
    const text = '{"traceEvents":[\n' + JSON.stringify(X('dm_get', 1, 1, { md: 'md0' })) + ',\n{"name":"dm_put","ph":"X",,"ts":2},\n' + JSON.stringify(X('free_dev', 3, 1, { md: 'md0' })) + '\n]}';
    const t = parseTrace(text);
    assert.deepEqual(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}`), ['3:27 error']);
    assert.deepEqual(events(t), ['thread/1 cpu0 dm_get md=md0', 'thread/1 cpu0 free_dev md=md0']);
  });

  it('reports events it cannot use, and a truncated file, without throwing', () => {
    const t = parseTrace('{"traceEvents":[\n{"ph":"X","ts":1,"tid":1},\n{"name":"dm_get","ph":"X","tid":1},\n{"name":"dm_get","ph":"X","ts":1}');
    assert.deepEqual(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}`), ['2:1 error', '3:1 error', '4:1 error', '4:34 warning']);
  });

  it('reads the same trace whatever the chunking', () => {
    const text = json(X('dm_get', 1, 1, { md: 'md0', note: 'a "quoted" \\ value' }), X('dm_put', 2, 2, { md: 'md0', holders: 0 }));
    const whole = parseTrace(text);
    for (const size of [1, 2, 3, 7, 64]) {
      const p = createParser('chrome-json');
      for (let i = 0; i < text.length; i += size) p.feed(text.slice(i, i + size));
      const t = p.end();
      assert.deepEqual(events(t), events(whole), `chunks of ${size}`);
      assert.deepEqual([...t.line], [...whole.line]);
    }
  });
});

describe('any format', () => {
  it('ignores a UTF-8 byte-order mark at the start of the file', () => {
    const ftrace = parseTrace('\ufeff# tracer: nop\na-1 [000] .... 1.000001: dm_get: md=md0\n');
    assert.equal(ftrace.format, 'ftrace');
    assert.deepEqual(ftrace.diagnostics, []);
    const json = parseTrace('\ufeff{"traceEvents":[{"name":"dm_get","ph":"i","ts":1,"tid":1,"args":{"md":"md0"}}]}');
    assert.equal(json.format, 'chrome-json');
    assert.deepEqual(json.diagnostics, []);
    assert.equal(json.length, 1);
  });

  it('reads fprobe event names (func__entry / func__exit)', () => {
    const t = parse('ftrace', 'a-1 [000] .... 1.000001: dm_get__entry: (dm_get+0x4/0x30 [dm_mod]) md=md0', 'a-1 [000] .... 1.000002: idr_find__exit: (dm_find_md+0x3c/0xa0 [dm_mod] <- idr_find) ret=md0');
    assert.deepEqual(events(t), ['a/1 cpu0 dm_get md=md0', 'a/1 cpu0 idr_find ret=md0']);
  });
});

describe('format detection', () => {
  const cases: [string, TraceFormat][] = [
    ['# comment\n12.000310 cpu1 dmsetup/4121 md_alloc md=md0\n', 'dmtrace'],
    ['!lock L spin\n', 'dmtrace'],
    ['# tracer: nop\n#\n         dmsetup-4211  [002] ...1  8123.456790: p_dm_get_0: (dm_get+0x0/0x30 [dm_mod]) arg1=0x1\n', 'ftrace'],
    ['   systemd-udevd-311     [000] .... 1.000001: dm_blk_open: md=md0\n', 'ftrace'],
    ['cpus=4\n         dmsetup-4211  [002]  8123.456790: p_dm_get_0:  (dm_get+0x0/0x30 [dm_mod]) arg1=0x1\n', 'trace-cmd'],
    ['dmsetup  4211 [002]  8123.456790: probe:dm_get: (ffffffffc04a1c30) md=0x1\n', 'perf-script'],
    ['Attaching 2 probes...\n', 'bpftrace'],
    ['8123456790412 2 4211 dmsetup dm_get md=0x1\n', 'bpftrace'],
    ['{"traceEvents":[]}', 'chrome-json'],
    ['  [ {"ph":"X"} ]', 'chrome-json'],
  ];
  for (const [head, format] of cases) it(`${JSON.stringify(head.slice(0, 40))} -> ${format}`, () => assert.equal(detectFormat(head), format));

  it('falls back to the file name only when the content says nothing', () => {
    assert.equal(detectFormat('', 'session.json'), 'chrome-json');
    assert.equal(detectFormat('# only comments\n', 'run.perf.txt'), 'perf-script');
    assert.equal(detectFormat('8123456790412 2 4211 dmsetup dm_get md=0x1\n', 'x.json'), 'bpftrace');
    assert.equal(detectFormat('', 'x.txt'), 'dmtrace');
  });
});
