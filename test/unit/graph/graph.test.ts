// The graph model: lanes grouped by cpu, happens-before ranks where every edge
// points right, races mapped onto lanes.

import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../extension/core/analyze';
import { buildGraph } from '../../../extension/core/graph/build';
import { happensBeforeRanks, laneOfTask } from '../../../extension/core/graph/layout';
import { EVENT_CLASSES } from '../../../extension/core/graph/model';

/** A lookup that takes its reference after dropping the lock while another task does the final put. */
const STALE_GET = `
0.000100 cpu0 dmsetup/100 mutex_lock lock=_minor_lock
0.000200 cpu0 dmsetup/100 idr_find idr=_minor_idr minor=0 ret=md0
0.000300 cpu0 dmsetup/100 mutex_unlock lock=_minor_lock
0.000400 cpu1 lvm/200 dm_put md=md0 holders=0
0.000500 cpu1 lvm/200 free_dev md=md0
0.000600 cpu0 dmsetup/100 dm_get md=md0 holders=1
`;

/** Three tasks on two cpus; lock hand-offs chain them. */
const HANDOFF = `
1.0 cpu1 a/1 spin_lock lock=L
1.1 cpu1 a/1 spin_unlock lock=L
1.2 cpu0 b/2 spin_lock lock=L
1.3 cpu0 b/2 spin_unlock lock=L
1.4 cpu1 c/3 md_access md=md1 field=x
1.5 cpu1 c/3 spin_lock lock=L
1.6 cpu0 b/2 md_access md=md1 field=y
`;

describe('graph layout', () => {
  it('groups lanes by the cpu a task started on, keeping first-appearance order inside a cpu', () => {
    const { trace } = analyzeText(HANDOFF);
    const lane = laneOfTask(trace);
    const names = trace.tasks.map((t) => t.name);
    const byLane = [...names].sort((x, y) => lane[names.indexOf(x)] - lane[names.indexOf(y)]);
    assert.deepEqual(byLane, ['b/2', 'a/1', 'c/3']);
  });

  it('gives every program-order step and every edge a strictly larger rank', () => {
    const { trace, hb } = analyzeText(HANDOFF);
    const rank = happensBeforeRanks(trace, hb);
    for (let e = 0; e < trace.length; e++) {
      for (const edge of hb.incoming(e)) assert.ok(rank[edge.from] < rank[e], `edge ${edge.from}->${e}`);
      if (trace.seq[e] > 1) assert.ok(rank[hb.taskEvents[trace.task[e]][trace.seq[e] - 2]] < rank[e]);
    }
    // a's unlock (rank 1) hands off to b's lock: rank 2; b's unlock 3; c's lock after it: 4.
    assert.deepEqual(Array.from(rank), [0, 1, 2, 3, 0, 4, 4]);
  });

  it('lets concurrent events share a rank whatever their timestamps', () => {
    const { trace, hb } = analyzeText('5.0 cpu0 x/1 md_access md=m field=a\n1.0 cpu1 y/2 md_access md=m field=b\n');
    assert.deepEqual(Array.from(happensBeforeRanks(trace, hb)), [0, 0]);
  });

  it('ranks a backwards !hb edge through the topological order, not file order', () => {
    const text = '!hb y/2:1 -> x/1:1\n1.0 cpu0 x/1 md_access md=m field=a\n2.0 cpu1 y/2 md_access md=m field=b\n';
    const { trace, hb } = analyzeText(text);
    assert.deepEqual(Array.from(happensBeforeRanks(trace, hb)), [1, 0]);
  });
});

describe('graph model', () => {
  it('maps a race onto lanes: window ranges, the conflicting pair and a numbered witness', () => {
    const analysis = analyzeText(STALE_GET);
    const graph = buildGraph(analysis, { title: 'stale.dmtrace' });
    assert.equal(graph.eventCount, 6);
    assert.deepEqual(graph.lanes.map((l) => l.name), ['dmsetup/100', 'lvm/200']);
    const race = graph.races.find((r) => r.rule === 'DMR2');
    assert.ok(race, 'DMR2 is found');
    assert.equal(race.severity, 'error');
    assert.equal(race.primary, 5); // the dm_get
    assert.equal(graph.events.lane[race.other], 1); // the other side is in lvm's lane
    assert.ok(race.window.some((w) => w.lane === 1), 'the window covers the putter lane');
    assert.ok(race.witness.some((s) => s.event === race.primary));
    assert.deepEqual(graph.devices, ['md0']);
  });

  it('keeps cross-lane edges only, sorted by source rank, with their kind and lock', () => {
    const graph = buildGraph(analyzeText(HANDOFF));
    assert.equal(graph.edges.from.length, 2);
    assert.deepEqual(Array.from(graph.edges.from), [1, 3]);
    assert.deepEqual(Array.from(graph.edges.to), [2, 5]);
    assert.deepEqual(Array.from(graph.edges.via, (v) => graph.strings[v]), ['L', 'L']);
    assert.deepEqual(Array.from(graph.edges.kind), [0, 0]);
  });

  it('classes events by the vocabulary and times them from the first event', () => {
    const graph = buildGraph(analyzeText(HANDOFF));
    assert.equal(EVENT_CLASSES[graph.events.cls[0]], 'lock');
    assert.equal(EVENT_CLASSES[graph.events.cls[4]], 'lifecycle');
    assert.equal(graph.events.time[0], 0);
    assert.ok(Math.abs(graph.duration - 0.6e9) < 1);
    assert.equal(graph.detail?.[4], 'md_access md=md1 field=x');
    // Labels name what the event acts on: the lock for lock events, the device otherwise.
    assert.equal(graph.strings[graph.events.subject[0]], 'L');
    assert.equal(graph.strings[graph.events.subject[4]], 'md1');
    assert.equal(graph.events.md[0], -1);
  });

  it('leaves the per-event descriptions out of large traces', () => {
    const graph = buildGraph(analyzeText(HANDOFF), { detailLimit: 3 });
    assert.equal(graph.detail, undefined);
  });
});
