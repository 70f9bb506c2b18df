// The vector clocks (extension/core/hb/clocks.ts) against a naive reference, in
// both representations (flat rows and tries), and their size with many tasks.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DENSE_TASK_LIMIT } from '../../../extension/core/hb/clocks';
import { HappensBefore } from '../../../extension/core/hb/happensBefore';
import { parseTrace } from '../../../extension/core/trace/parse';
import { fuzzRuns, trace } from '../helpers';

/** Happens-before by brute force: reachability over program order and the builder's edges (irreflexive, so no self-loops). */
function reference(hb: HappensBefore): boolean[][] {
  const n = hb.trace.length;
  const next: number[][] = Array.from({ length: n }, () => []);
  for (const events of hb.taskEvents) for (let k = 1; k < events.length; k++) next[events[k - 1]].push(events[k]);
  for (let k = 0; k < hb.edgeCount; k++) if (hb.edge(k).from !== hb.edge(k).to) next[hb.edge(k).from].push(hb.edge(k).to);
  return Array.from({ length: n }, (_, a) => {
    const seen = new Array<boolean>(n).fill(false);
    const stack = [...next[a]];
    while (stack.length > 0) {
      const e = stack.pop() as number;
      if (seen[e]) continue;
      seen[e] = true;
      stack.push(...next[e]);
    }
    return seen;
  });
}

/** Every query of `hb` against the reference `before[a][b]` (a -> b). */
function assertAgrees(hb: HappensBefore, before: boolean[][]): void {
  const { task, seq } = hb.trace;
  const n = hb.trace.length;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      assert.equal(hb.happensBefore(a, b), before[a][b], `${a} -> ${b}`);
      assert.equal(hb.concurrent(a, b), a !== b && !before[a][b] && !before[b][a], `${a} || ${b}`);
    }
  }
  for (let e = 0; e < n; e++) {
    hb.taskEvents.forEach((events, t) => {
      const known = events.filter((f) => f === e || before[f][e]);
      assert.equal(hb.component(e, t), known.length, `component(${e}, ${t})`);
      const prior = events.filter((f) => before[f][e]);
      assert.equal(hb.lastBefore(e, t), prior.length > 0 ? prior[prior.length - 1] : -1, `lastBefore(${e}, ${t})`);
      assert.equal(hb.firstAfter(e, t), events.find((f) => before[e][f]) ?? -1, `firstAfter(${e}, ${t})`);
      const racing = task[e] === t ? [] : events.filter((f) => !before[e][f] && !before[f][e]);
      const range = racing.length > 0 ? { from: racing[0], to: racing[racing.length - 1] } : undefined;
      assert.deepEqual(hb.concurrentRange(e, t), range, `concurrentRange(${e}, ${t})`);
      // The concurrent events of a task are one contiguous run of it.
      if (range) assert.equal(seq[range.to] - seq[range.from] + 1, racing.length);
    });
  }
}

describe('vector clocks', () => {
  it('agree with the transitive closure on random traces, as flat rows and as tries', function () {
    this.timeout(120_000); // the reference is quadratic, and the machine may be busy
    const kinds = ['spin_lock', 'spin_unlock', 'mutex_lock', 'mutex_unlock', 'down_read', 'up_read', 'down_write', 'up_write', 'idr_get_new', 'idr_find', 'add_disk', 'uevent_recv', 'task_fork', 'task_wait', 'module_put', 'delete_module', 'x'] as const;
    const event = fc.record({ task: fc.integer({ min: 0, max: 7 }), kind: fc.constantFrom(...kinds), value: fc.integer({ min: 0, max: 1 }) });
    const declared = fc.record({ from: fc.integer({ min: 0, max: 5 }), fromSeq: fc.integer({ min: 1, max: 4 }), to: fc.integer({ min: 0, max: 5 }), toSeq: fc.integer({ min: 1, max: 4 }) });
    // Idle tasks between the busy ones spread the busy tasks over the trie's leaves and levels (16 and 256 tasks).
    // Tasks 6 and 7 start later, so that a task_fork can come before their first event.
    const spread = fc.constantFrom(0, 3, 15, 45);
    fc.assert(
      fc.property(fc.array(event, { minLength: 10, maxLength: 50 }), fc.array(declared, { maxLength: 4 }), spread, (events, edges, gap) => {
        const prelude: string[] = [];
        for (let t = 0; t < 6; t++) {
          prelude.push(`t/${t} x`);
          for (let k = 0; k < gap; k++) prelude.push(`idle${t}/${k} x`);
        }
        const args = (kind: (typeof kinds)[number], v: number) =>
          ({
            spin_lock: `lock=L${v}`, spin_unlock: `lock=L${v}`, mutex_lock: `lock=M${v}`, mutex_unlock: `lock=M${v}`,
            down_read: `lock=R${v}`, up_read: `lock=R${v}`, down_write: `lock=R${v}`, up_write: `lock=R${v}`,
            idr_get_new: `idr=I minor=0 ptr=m${v}`, idr_find: `idr=I minor=0 ret=m${v}`, add_disk: `md=m disk=d${v}`, uevent_recv: `disk=d${v}`,
            task_fork: `child=${6 + v}`, task_wait: `ret=${4 + 2 * v}`, module_put: 'mod=dm_mod', delete_module: 'mod=dm_mod ret=0', x: '',
          })[kind];
        const text = trace(
          ...prelude,
          ...events.map(({ task, kind, value }) => `t/${task} ${kind} ${args(kind, value)}`),
          ...edges.map((d) => `!hb t/${d.from}:${d.fromSeq} -> t/${d.to}:${d.toSeq}`),
        );
        const t = parseTrace(text);
        const flat = new HappensBefore(t);
        const before = reference(flat);
        assertAgrees(flat, before);
        const tries = new HappensBefore(t, { denseTaskLimit: 0 });
        assert.equal(tries.edgeCount, flat.edgeCount);
        assertAgrees(tries, before);
      }),
      { numRuns: fuzzRuns(50) },
    );
  });

  it('agree with the transitive closure on long tasks, whose clocks change many times within 128 events', function () {
    // An event's clock is found through its task's runs (a base per 128 events plus a byte an event):
    // long tasks that hand locks on often make many runs a block, and blocks that span tasks.
    this.timeout(120_000);
    const op = fc.record({ task: fc.integer({ min: 0, max: 2 }), lock: fc.integer({ min: 0, max: 2 }), held: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 160 }), (ops) => {
        const lines: string[] = [];
        for (const { task, lock, held } of ops) {
          lines.push(`t/${task} spin_lock lock=L${lock}`);
          for (let k = 0; k < held; k++) lines.push(`t/${task} x`);
          lines.push(`t/${task} spin_unlock lock=L${lock}`);
        }
        const t = parseTrace(trace(...lines));
        const flat = new HappensBefore(t);
        const before = reference(flat);
        assertAgrees(flat, before);
        assertAgrees(new HappensBefore(t, { denseTaskLimit: 0 }), before);
      }),
      { numRuns: fuzzRuns(8) },
    );
  });

  it('count past 65,535 events of one task (flat rows are 16-bit only below that)', () => {
    const events = 70_000;
    const lines = ['!lock L spin'];
    for (let k = 0; k < events - 1; k++) lines.push('a/1 x');
    lines.push('a/1 spin_unlock lock=L', 'b/2 spin_lock lock=L', 'b/2 x');
    const t = parseTrace(trace(...lines));
    const hb = new HappensBefore(t);
    const acquire = t.length - 2;
    assert.equal(hb.component(acquire, 0), events);
    assert.equal(hb.component(t.length - 1, 0), events);
    assert.ok(hb.happensBefore(events - 1, acquire));
    assert.ok(hb.happensBefore(0, t.length - 1));
    assert.equal(hb.lastBefore(acquire, 0), events - 1);
    assert.equal(hb.firstAfter(events - 2, 1), acquire);
  });

  it('keep 30,000 short-lived tasks handing one lock on in a few MB', () => {
    // Each task takes L after the previous one released it: task k's clock knows k - 1 other tasks, so a
    // flat row per clock would be 30,000^2 / 2 components (1.8 GB); the tries share all but one path.
    const tasks = 30_000;
    const lines = ['!lock L spin'];
    for (let k = 0; k < tasks; k++) lines.push(`w/${k} spin_lock lock=L`, `w/${k} spin_unlock lock=L`);
    const t = parseTrace(trace(...lines));
    assert.equal(t.tasks.length, tasks);
    assert.ok(tasks > DENSE_TASK_LIMIT);
    const hb = new HappensBefore(t);
    assert.ok(hb.clockBytes < 12 * 2 ** 20, `${hb.clockBytes} bytes of clocks`);
    const last = t.length - 1;
    assert.ok(hb.happensBefore(0, last), 'the first acquire happens before the last release');
    assert.equal(hb.component(last, 0), 2);
    assert.equal(hb.component(last, 12_345), 2);
    assert.equal(hb.lastBefore(2 * 20_000, 19_999), 2 * 19_999 + 1, 'the previous task released before the next acquired');
    assert.equal(hb.firstAfter(1, 29_999), 2 * 29_999);
    assert.equal(hb.concurrentRange(last, 0), undefined);
  });
});
