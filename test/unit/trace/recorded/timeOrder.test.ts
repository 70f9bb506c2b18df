// bpftrace's events are analysed in time order, ties in file order (spec
// section 6). Most files come in that order and are placed as read (the
// in-order lane, inOrderLane.ts); a file out of order is queued, sorted and
// replayed (TraceBuilder.addQueued), the events placed before the first one
// out of order taken back into the queue. Either way the trace must be the one
// its time order gives: a file out of order reads exactly as the same lines
// sorted by time (stably) read, once each line is known by its original line
// number: events, order, arguments, tasks, merged entry/return pairs, lost-event
// gaps, diagnostics and findings.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { HappensBefore } from '../../../../extension/core/hb/happensBefore';
import { runRules } from '../../../../extension/core/rules';
import { TraceBuilder } from '../../../../extension/core/trace/builder';
import type { Trace } from '../../../../extension/core/trace/model';
import { NUMBER_BASE } from '../../../../extension/core/trace/stringTable';
import { fuzzRuns, parseBytesInChunks, repoPath } from '../../helpers';

/** One line of a bpftrace file after its header: an event, or a `Lost N events` that sticks to the event after it. */
interface Row {
  time: number;
  text: string;
  lost?: boolean;
}

/** The header, the rows in the given order; and the original line of each line of the file. */
function render(header: string[], rows: { row: Row; line: number }[]): { text: string; lineOf: number[] } {
  const lineOf = [0, ...header.map((_, i) => i + 1), ...rows.map((r) => r.line)];
  return { text: [...header, ...rows.map((r) => r.row.text)].join('\n') + '\n', lineOf };
}

/** The rows stably sorted by time, a `Lost` line kept before the event that followed it (or last, with none after it). */
function sortedByTime(rows: { row: Row; line: number }[]): { row: Row; line: number }[] {
  const groups: { time: number; rows: { row: Row; line: number }[] }[] = [];
  let pending: { row: Row; line: number }[] = [];
  for (const r of rows) {
    pending.push(r);
    if (r.row.lost) continue;
    groups.push({ time: r.row.time, rows: pending });
    pending = [];
  }
  const sorted = groups.map((g, i) => ({ ...g, i })).sort((a, b) => a.time - b.time || a.i - b.i);
  return [...sorted.flatMap((g) => g.rows), ...pending];
}

/** What a user sees of a trace, with every line number given as the line of the original file. */
function view(t: Trace, lineOf: number[]) {
  const events = [];
  for (let e = 0; e < t.length; e++) {
    events.push({
      time: t.time[e],
      cpu: t.cpu[e],
      task: t.taskName(e),
      seq: t.seq[e],
      name: t.eventName(e),
      args: t.argList(e),
      line: lineOf[t.line[e]],
      caller: t.callers.get(e),
      entryLine: t.callEntryLine.has(e) ? lineOf[t.callEntryLine.get(e)!] : undefined,
    });
  }
  // (findings are listed by line: sorted here by what they are)
  const findings = runRules(t, new HappensBefore(t))
    .map((f) => ({ rule: f.rule, primary: f.primary, related: f.related, md: f.md, uncertain: f.uncertain }))
    .sort((a, b) => a.primary - b.primary || a.rule.localeCompare(b.rule) || a.md.localeCompare(b.md));
  return {
    events,
    tasks: t.tasks,
    gaps: t.gaps.map((g) => ({ ...g, line: lineOf[g.line] })),
    diagnostics: t.diagnostics.map((d) => ({ ...d, line: lineOf[d.line] })).sort((a, b) => a.line - b.line || a.column - b.column),
    findings,
  };
}

function parse(text: string, chunks: number[]): Trace {
  return parseBytesInChunks('bpftrace', new TextEncoder().encode(text), chunks);
}

/** The file as given and the same lines in time order read alike. */
function assertTimeOrder(header: string[], rows: Row[], chunks: number[]): Trace {
  const given = rows.map((row, i) => ({ row, line: header.length + i + 1 }));
  const asGiven = render(header, given);
  const inOrder = render(header, sortedByTime(given));
  const trace = parse(asGiven.text, chunks);
  assert.deepEqual(view(trace, asGiven.lineOf), view(parse(inOrder.text, [1 << 20]), inOrder.lineOf));
  return trace;
}

const HEADER = ['Attaching 9 probes...', '# !alias 0xffff8e41c2a4d000=md0', '# !lock _minor_lock spin'];
const COMM: Record<string, string> = { '0': 'swapper', '311': 'systemd-udevd', '4211': 'dmsetup', '4300': 'lvm' };

const PLAIN = ['dm_put', 'spin_lock', 'spin_unlock', 'md_alloc', 'dm_blk_open', 'mystery'];
const row = (time: number, rest: string): Row => ({ time, text: `${time} ${rest}` });
/**
 * Every name without a return probe twice on one task: its entries then wait no more (callMerger.ts). With
 * `fillers` events after them (spin_lock, MAX_WAITING of callMerger.ts and more), the entries that still
 * wait are given up and the call merger is idle: events go straight through, in the lane and in runs of
 * the replay, until an entry of a function with returns waits again.
 */
function warmUp(fillers: number): Row[] {
  const pairs = PLAIN.flatMap((name, i) => [row(100 + 2 * i, `0 4211 dmsetup ${name}`), row(101 + 2 * i, `0 4211 dmsetup ${name}`)]);
  return [...pairs, ...Array.from({ length: fillers }, (_, i) => row(1000 + i, `${i % 4} 4211 dmsetup spin_lock lock=l${i % 3}`))];
}
const WARM_UP = warmUp(0);
const LONG_WARM_UP = warmUp((1 << 14) + 50);

const eventRow: fc.Arbitrary<Row> = fc
  .tuple(
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom('0', '311', '4211', '4300'),
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PLAIN) }, { weight: 1, arbitrary: fc.constantFrom('kprobe:dm_get', 'kretprobe:dm_get', 'kprobe:idr_find', 'kretprobe:idr_find') }),
    fc.array(fc.constantFrom('md=0xffff8e41c2a4d000', 'md=md1', 'lock=_minor_lock', 'holders=0', 'ret=0x0', 'idr=_minor_idr', 'minor=1', 'x=7'), { maxLength: 3 }),
  )
  .map(([t, cpu, tid, name, args]) => row(100_000 + t, [cpu, tid, COMM[tid], name, ...args].join(' ')));
const lostRow: fc.Arbitrary<Row> = fc.integer({ min: 1, max: 9 }).map((n) => ({ time: NaN, text: `Lost ${n} events`, lost: true }));

const randomRows = fc.array(fc.oneof({ weight: 9, arbitrary: eventRow }, { weight: 1, arbitrary: lostRow }), { maxLength: 60 });

/** The warm-up, then rows in time order with a few moved elsewhere (among the last lines of the warm-up too): files mostly in order, as bpftrace's per-cpu buffers give them. */
const nearlyInOrder = (warm: Row[]) =>
  fc.tuple(randomRows, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 })).map(([rows, moves]) => {
    const events = rows.filter((r) => !r.lost).sort((a, b) => a.time - b.time);
    const all: Row[] = [...warm];
    // the Lost lines go back among the events where they were drawn
    let k = 0;
    for (const r of rows) all.push(r.lost ? r : events[k++]);
    const movable = Math.min(all.length, rows.length + 10);
    for (const [from, to] of moves) {
      if (movable === 0) break;
      const [moved] = all.splice(all.length - 1 - (from % movable), 1);
      all.splice(all.length - (to % movable), 0, moved);
    }
    return all;
  });
const chunks = fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 4 });

describe('bpftrace time order (in-order lane, queue, replay)', () => {
  it('a file nearly in time order reads as its lines sorted by time, in any chunks', () => {
    fc.assert(fc.property(nearlyInOrder(WARM_UP), chunks, (rows, sizes) => void assertTimeOrder(HEADER, rows, sizes)), { numRuns: fuzzRuns(400) });
  });

  it('the same after a long warm-up (the call merger idle: events placed straight, replayed in runs)', () => {
    fc.assert(fc.property(nearlyInOrder(LONG_WARM_UP), chunks, (rows, sizes) => void assertTimeOrder(HEADER, rows, sizes)), { numRuns: fuzzRuns(6) });
    const shuffledAfterWarmUp = fc.shuffledSubarray([...Array(40).keys()], { minLength: 40 }).chain((perm) => randomRows.map((rows) => [...LONG_WARM_UP, ...perm.filter((i) => i < rows.length).map((i) => rows[i])]));
    fc.assert(fc.property(shuffledAfterWarmUp, chunks, (rows, sizes) => void assertTimeOrder(HEADER, rows, sizes)), { numRuns: fuzzRuns(6) });
  });

  it('a file in random order reads as its lines sorted by time, in any chunks', () => {
    const shuffled = fc.shuffledSubarray(WARM_UP, { minLength: WARM_UP.length }).chain((warm) => randomRows.map((rows) => [...warm, ...rows]));
    fc.assert(fc.property(shuffled, chunks, (rows, sizes) => void assertTimeOrder(HEADER, rows, sizes)), { numRuns: fuzzRuns(300) });
  });

  it('one event out of order at the end: every event placed before it is taken back (merged pairs, held entries, a gap, both idle tasks)', () => {
    const rows: Row[] = [
      [1000, '0 0 swapper kprobe:idr_find idr=_minor_idr minor=1'],
      [1001, '1 4211 dmsetup kprobe:idr_find idr=_minor_idr minor=2'],
      [1002, '0 0 swapper kretprobe:idr_find ret=0xffff8e41c2a4d000'],
      [1003, '2 0 swapper dm_get md=0xffff8e41c2a4d000'],
      [1003, '1 4211 dmsetup kprobe:dm_get md=md1'],
      [NaN, 'Lost 3 events'],
      [1004, '3 4300 lvm spin_lock lock=_minor_lock'],
      [1005, '1 4211 dmsetup kretprobe:idr_find ret=0x0'],
      [1006, '3 4300 lvm spin_unlock lock=_minor_lock'],
      [1003, '2 311 systemd-udevd dm_blk_open md=0xffff8e41c2a4d000'],
    ].map(([time, rest]) => ({ time: time as number, text: Number.isNaN(time) ? (rest as string) : `${time} ${rest}`, lost: Number.isNaN(time) }));
    for (const sizes of [[1 << 20], [1], [17, 5]]) {
      const t = assertTimeOrder(HEADER, rows, sizes);
      assert.equal(t.callEntryLine.size, 2, 'both returns merged into their entries');
      assert.deepEqual(t.gaps.map((g) => g.beforeEvent), [4], 'the gap stays before the event after it in the file');
      assert.equal(t.line[3], HEADER.length + 10, 'the last line of the file is placed among the events of its time');
    }
  });

  it('events taken back keep their task keys, when keys and tasks were numbered in different orders', () => {
    const rows = [
      ...LONG_WARM_UP,
      row(200000, '2 311 systemd-udevd kprobe:idr_find idr=_minor_idr'),
      row(200001, '1 4300 lvm kprobe:dm_get md=md1'),
      row(200002, '1 4300 lvm kretprobe:dm_get ret=0x0'),
      // both pairs merge: lvm gets its task before systemd-udevd, whose key came first
      row(200003, '2 311 systemd-udevd kretprobe:idr_find ret=0xffff8e41c2a4d000'),
      // placed straight (the warm-up's spin_lock waits no more), then taken back
      row(200004, '2 311 systemd-udevd spin_lock lock=_minor_lock'),
      row(200005, '1 4300 lvm spin_lock lock=_minor_lock'),
      row(200000, '3 4211 dmsetup dm_blk_open md=0xffff8e41c2a4d000'),
    ];
    const t = assertTimeOrder(HEADER, rows, [1 << 20]);
    const last = Array.from({ length: 5 }, (_, k) => t.taskName(t.length - 5 + k));
    assert.deepEqual(last, ['dmsetup/4211', 'lvm/4300', 'systemd-udevd/311', 'systemd-udevd/311', 'lvm/4300']);
  });

  it('idle tasks of two cpus with one name are one task, yet their entries and returns pair by cpu', () => {
    const rows = [
      ...LONG_WARM_UP,
      row(200000, '0 0 swapper dm_put md=md1'),
      // cpu 2's idle task: the same task as cpu 0's, another key (its events may not be taken back as cpu 0's)
      row(200001, '2 0 swapper spin_lock lock=_minor_lock'),
      // out of order: spin_lock has returns after all, so the entry above waits for one
      row(199999, '1 4300 lvm kretprobe:spin_lock ret=0x0'),
      row(200002, '2 0 swapper kretprobe:spin_lock ret=0x1'),
    ];
    const t = assertTimeOrder(HEADER, rows, [1 << 20]);
    assert.deepEqual([...t.callEntryLine.values()], [HEADER.length + LONG_WARM_UP.length + 2], "cpu 2's return merged into cpu 2's entry");
  });

  it('the samples read alike in any order of their lines: same events and findings', () => {
    for (const name of ['session', 'teardown']) {
      const lines = readFileSync(repoPath('sample-traces', 'recorded', `${name}.bpftrace.txt`), 'utf8').trimEnd().split('\n');
      const header = lines.filter((l) => !/^\d/.test(l));
      const events = lines.filter((l) => /^\d/.test(l)).map((text) => ({ time: Number(text.split(' ')[0]), text }));
      const found = view(parse(render(header, events.map((row, i) => ({ row, line: header.length + i + 1 }))).text, [1 << 20]), []).findings;
      assert.ok(found.length > 0, `${name} has findings`);
      fc.assert(
        fc.property(fc.shuffledSubarray(events, { minLength: events.length }), chunks, (rows, sizes) => void assertTimeOrder(header, rows, sizes)),
        { numRuns: fuzzRuns(60) },
      );
    }
  });
});

describe('TraceBuilder.addQueued', () => {
  /** Random events: cpus, tasks and argument keys past a byte (the narrow columns widen), number-like keys. */
  const events = fc.array(
    fc.record({
      time: fc.integer({ min: 0, max: 1e6 }),
      cpu: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 70_000 })),
      key: fc.integer({ min: 0, max: 400 }),
      name: fc.integer({ min: 0, max: 50 }),
      line: fc.integer({ min: 1, max: 1e6 }),
      args: fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(NUMBER_BASE + 5)), fc.integer({ min: 0, max: 1e5 })), { maxLength: 4 }),
    }),
    { maxLength: 80 },
  );

  it('places queued events in the order given exactly as addEvent would, one by one', () => {
    fc.assert(
      fc.property(events, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (list, cuts, sized) => {
        const order = Int32Array.from(list.map((_, i) => i).sort((a, b) => list[a].time - list[b].time || a - b));
        const args = list.flatMap((e) => e.args.flat());
        const argEnd = Int32Array.from(list.map((_, i) => list.slice(0, i + 1).reduce((n, e) => n + 2 * e.args.length, 0)));
        const q = { time: Float64Array.from(list, (e) => e.time), cpu: Int32Array.from(list, (e) => e.cpu), task: Int32Array.from(list, (e) => e.key), name: Int32Array.from(list, (e) => e.name), line: Int32Array.from(list, (e) => e.line), argEnd, args: Int32Array.from(args) };
        const one = new TraceBuilder('bpftrace');
        const bulk = new TraceBuilder('bpftrace');
        if (sized) bulk.expectEvents(list.length, args.length / 2);
        // a task per key (three keys share one: a pid written two ways), given in order of first use
        const taskOf = (b: TraceBuilder, key: number, cpu: number) => b.taskId(`t${key % 300}/${key % 300}`, cpu) + 1;
        const tasksOne: number[] = [];
        const tasksBulk: number[] = [];
        for (const a of order) {
          const e = list[a];
          tasksOne[e.key] ??= taskOf(one, e.key, e.cpu);
          tasksBulk[e.key] ??= taskOf(bulk, e.key, e.cpu);
          one.setTime(one.addEvent(0, e.cpu, tasksOne[e.key] - 1, e.name, e.line, e.args.flat(), e.args.length), e.time);
        }
        // in runs cut anywhere
        const bounds = [...new Set([0, ...cuts.map((c) => c % (list.length + 1)), list.length])].sort((a, b) => a - b);
        for (let k = 1; k < bounds.length; k++) bulk.addQueued(q, order, bounds[k - 1], bounds[k], tasksBulk);
        const a = one.finish();
        const b = bulk.finish();
        for (const c of ['time', 'cpu', 'task', 'name', 'line', 'seq', 'argStart', 'argKey', 'argValue', 'argKeys'] as const) assert.deepEqual(Array.from(b[c]), Array.from(a[c]), c);
        assert.deepEqual(b.tasks, a.tasks);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
