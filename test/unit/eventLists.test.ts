// The one pass over the events (extension/core/eventLists.ts) against the plain
// statement of what each list holds, on random traces: program order per task,
// and in file order the events of each list's names, whatever else the trace holds.

import { strict as assert } from 'node:assert';
import { HELD_LOCK_NAMES, INDEXED_NAMES, eventLists, takeEvents } from '../../extension/core/eventLists';
import { MAKES_EDGES } from '../../extension/core/hb/edges';
import { parseTrace } from '../../extension/core/trace/parse';
import { VOCABULARY } from '../../extension/core/trace/vocabulary';
import { seededRandom, trace } from './helpers';

function randomTrace(seed: number, events: number): string {
  const r = seededRandom(seed);
  // every vocabulary name, and names outside it (a recorded trace's own events)
  const names = [...VOCABULARY, 'sched_switch', 'block_rq_issue', 'my_probe'];
  const tasks = ['a/1', 'b/2', 'c/3', 'd/4'];
  const lines: string[] = [];
  for (let k = 0; k < events; k++) lines.push(`${tasks[Math.floor(r() * tasks.length)]} ${names[Math.floor(r() * names.length)]} lock=L md=md0`);
  return trace(...lines);
}

const inFileOrder = (t: ReturnType<typeof parseTrace>, keep: (name: number) => boolean): number[] =>
  Array.from({ length: t.length }, (_, i) => i).filter((i) => keep(t.name[i]));

describe('event lists', () => {
  it('list each task in program order, and the events of each list in file order', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const t = parseTrace(randomTrace(seed, 1 + seed * 37));
      const lists = eventLists(t);
      for (let task = 0; task < t.tasks.length; task++) {
        const own = Array.from(lists.taskOrder.subarray(lists.taskStarts[task], lists.taskStarts[task + 1]));
        assert.deepEqual(own, inFileOrder(t, () => true).filter((i) => t.task[i] === task), `seed ${seed}, task ${task}`);
      }
      assert.deepEqual(Array.from(lists.edgeEvents), inFileOrder(t, (n) => n < MAKES_EDGES.length && MAKES_EDGES[n] !== 0), `seed ${seed}`);
      assert.deepEqual(Array.from(lists.heldLockEvents), inFileOrder(t, (n) => HELD_LOCK_NAMES.includes(n)), `seed ${seed}`);
      assert.deepEqual(Array.from(lists.indexedEvents), inFileOrder(t, (n) => INDEXED_NAMES.includes(n)), `seed ${seed}`);
    }
  });

  it('give the rules their lists once taken, and again after', () => {
    const t = parseTrace(randomTrace(7, 300));
    const expected = inFileOrder(t, (n) => HELD_LOCK_NAMES.includes(n));
    // before any pass, after one, and once the pass's list was taken
    assert.deepEqual(Array.from(takeEvents(t, 'heldLockEvents')), expected);
    eventLists(t);
    assert.deepEqual(Array.from(takeEvents(t, 'heldLockEvents')), expected);
    assert.deepEqual(Array.from(takeEvents(t, 'heldLockEvents')), expected);
  });
});
