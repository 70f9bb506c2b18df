import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeText } from '../../../extension/core/analyze';
import { eventLists } from '../../../extension/core/eventLists';
import { EdgeCollector } from '../../../extension/core/hb/edgeList';
import { HappensBefore } from '../../../extension/core/hb/happensBefore';
import { parseTrace } from '../../../extension/core/trace/parse';
import { trace } from '../helpers';

function hbOf(...lines: string[]) {
  const t = parseTrace(trace(...lines));
  return { t, hb: new HappensBefore(t) };
}

describe('happens-before', () => {
  it('orders a task by program order, and no two tasks by time alone', () => {
    const { hb } = hbOf('a/1 x', 'b/2 x', 'a/1 x');
    assert.ok(hb.happensBefore(0, 2));
    assert.ok(!hb.happensBefore(2, 0));
    assert.ok(hb.concurrent(0, 1), 'earlier timestamp, different task: concurrent');
    assert.ok(hb.concurrent(1, 2));
    assert.ok(!hb.happensBefore(0, 0), 'irreflexive');
  });

  it('hands a lock from a release to the next acquire only', () => {
    const { hb } = hbOf('a/1 spin_lock lock=L', 'a/1 spin_unlock lock=L', 'b/2 spin_lock lock=L', 'c/3 spin_lock lock=L', 'a/1 x');
    assert.ok(hb.happensBefore(0, 2));
    assert.ok(hb.concurrent(1, 3), 'c acquires without a release before it');
    assert.ok(hb.concurrent(4, 2), 'events after the release are not ordered');
    assert.deepEqual(hb.incoming(2).map((e) => `${e.kind} ${e.from} ${e.via}`), ['lock 1 L']);
  });

  it('counts atomic_dec_and_lock as an acquire only when it returns 1', () => {
    const { hb } = hbOf('a/1 mutex_unlock lock=L', 'b/2 atomic_dec_and_lock md=m lock=L holders=1 ret=0', 'c/3 atomic_dec_and_lock md=m lock=L holders=0 ret=1');
    assert.ok(hb.concurrent(0, 1));
    assert.ok(hb.happensBefore(0, 2));
  });

  it('keeps locks apart by name', () => {
    const { hb } = hbOf('a/1 spin_unlock lock=L', 'b/2 spin_lock lock=M');
    assert.ok(hb.concurrent(0, 1));
  });

  it('links a find to the latest store of the pointer it returned', () => {
    const { hb } = hbOf(
      'a/1 idr_get_new idr=I minor=0 ptr=MINOR_ALLOCED',
      'a/1 idr_replace idr=I minor=0 ptr=md0 old=MINOR_ALLOCED',
      'b/2 idr_find idr=I minor=0 ret=MINOR_ALLOCED',
      'c/3 idr_find idr=I minor=0 ret=md0',
      'd/4 idr_find idr=I minor=1 ret=md0',
    );
    assert.deepEqual(hb.incoming(2).map((e) => [e.kind, e.from]), [['reads-from', 0]]);
    assert.deepEqual(hb.incoming(3).map((e) => [e.kind, e.from]), [['reads-from', 1]]);
    assert.deepEqual(hb.incoming(4), [], 'another slot');
    assert.deepEqual([hb.sourcesInto(3, 'reads-from'), hb.sourcesInto(3, 'lock'), hb.sourcesInto(4, 'reads-from')], [[1], [], []]);
    assert.ok(hb.concurrent(1, 2), 'a find of the placeholder is not after the later publish');
  });

  it('delivers add_disk and uevent to the next uevent_recv of that disk in another task', () => {
    const { hb } = hbOf('a/1 add_disk md=md0 disk=dm-0', 'a/1 uevent_recv disk=dm-0 action=add', 'u/9 uevent_recv disk=dm-1 action=add', 'u/9 uevent_recv disk=dm-0 action=add', 'v/8 uevent_recv disk=dm-0 action=add');
    assert.ok(hb.concurrent(0, 2));
    assert.ok(hb.happensBefore(0, 3));
    assert.ok(hb.concurrent(0, 4), 'only the next receive');
    assert.equal(hb.incoming(3)[0].kind, 'uevent');
  });

  it('adds !hb edges, also ones pointing backwards in the file', () => {
    const { hb } = hbOf('b/2 x', 'a/1 x', 'a/1 y', '!hb a/1:2 -> b/2:1');
    assert.ok(hb.happensBefore(2, 0));
    assert.ok(hb.happensBefore(1, 0));
    assert.ok(hb.position[2] < hb.position[0], 'a topological order puts the source first');
  });

  it('drops an !hb edge that closes a cycle, with a diagnostic on its line', () => {
    const a = analyzeText(trace('a/1 x', 'b/2 x', '!hb a/1:1 -> b/2:1', '!hb b/2:1 -> a/1:1'));
    assert.deepEqual(a.diagnostics.map((d) => d.line), [4]);
    assert.match(a.diagnostics[0].message, /cycle/);
    assert.ok(a.hb.happensBefore(0, 1));
  });

  it('is transitive across tasks', () => {
    const { hb } = hbOf('a/1 spin_unlock lock=L', 'b/2 spin_lock lock=L', 'b/2 spin_unlock lock=M', 'c/3 spin_lock lock=M');
    assert.ok(hb.happensBefore(0, 3));
  });

  it('finds the window of events concurrent with an event', () => {
    const { hb } = hbOf('a/1 spin_lock lock=L', 'a/1 spin_unlock lock=L', 'b/2 x', 'b/2 spin_lock lock=L', 'b/2 y', 'a/1 z', 'a/1 spin_unlock lock=M', 'b/2 spin_lock lock=M', 'b/2 w');
    // b's events 2,3,4 vs a's z (5): b/2 x and y are concurrent with z, the lock at 3 is after a's unlock at 1 only.
    assert.deepEqual(hb.concurrentRange(5, 1), { from: 2, to: 4 });
    assert.equal(hb.lastBefore(4, 0), 1);
    assert.equal(hb.firstAfter(1, 1), 3);
    assert.equal(hb.concurrentRange(0, 0), undefined);
  });

  it('makes no more edges than the events that can make one, whatever their mix (the edge columns are made that size)', () => {
    const line = fc.record({
      task: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom('spin_lock', 'spin_unlock', 'down_read', 'up_read', 'down_write', 'up_write', 'idr_get_new', 'idr_find', 'add_disk', 'uevent', 'uevent_recv', 'task_fork', 'task_wait', 'module_put', 'delete_module'),
      value: fc.integer({ min: 0, max: 1 }),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const t = parseTrace(trace(...lines.map(({ task, kind, value }) => `t/${task + 1} ${kind} lock=L${value} idr=I minor=0 ptr=m${value} ret=${value ? 'm1' : '0'} md=m disk=d${value} child=${value + 1} mod=dm_mod`)));
        const hb = new HappensBefore(t);
        assert.ok(hb.edgeCount <= eventLists(t).edgeEvents.length, `${hb.edgeCount} edges`);
      }),
      { numRuns: 300 },
    );
  });

  it('collects edges past the bound it was made for', () => {
    const edges = new EdgeCollector(1);
    for (let k = 0; k < 3; k++) edges.add(k, k + 1, 0, -1);
    assert.deepEqual(Array.from(edges.finish().to), [1, 2, 3]);
  });

  it('agrees with reachability in the explicit graph on random traces', () => {
    const line = fc.record({
      task: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom('spin_lock', 'spin_unlock', 'idr_get_new', 'idr_find', 'add_disk', 'uevent_recv', 'x'),
      value: fc.integer({ min: 0, max: 1 }),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = trace(
          ...lines.map(({ task, kind, value }) => {
            const args = { spin_lock: `lock=L${value}`, spin_unlock: `lock=L${value}`, idr_get_new: `idr=I minor=0 ptr=m${value}`, idr_find: `idr=I minor=0 ret=m${value}`, add_disk: `md=m disk=d${value}`, uevent_recv: `disk=d${value}`, x: '' }[kind];
            return `t/${task} ${kind} ${args}`;
          }),
        );
        const t = parseTrace(text);
        const hb = new HappensBefore(t);
        const n = t.length;
        // Explicit edges: program order plus every edge the builder reported; then reachability by DFS.
        const next: number[][] = Array.from({ length: n }, () => []);
        for (const events of hb.taskEvents) for (let k = 1; k < events.length; k++) next[events[k - 1]].push(events[k]);
        for (let k = 0; k < hb.edgeCount; k++) next[hb.edge(k).from].push(hb.edge(k).to);
        for (let a = 0; a < n; a++) {
          const seen = new Set<number>();
          const stack = [...next[a]];
          while (stack.length) {
            const e = stack.pop() as number;
            if (seen.has(e)) continue;
            seen.add(e);
            stack.push(...next[e]);
          }
          for (let b = 0; b < n; b++) assert.equal(hb.happensBefore(a, b), seen.has(b), `${a} -> ${b}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
