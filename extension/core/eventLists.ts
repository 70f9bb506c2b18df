// One pass over a trace's events for everything after the parse: each event's
// place in its task's program order (happens-before), and, in file order, the
// events that each later pass reads, so that no later pass goes over every
// event again. At a million events a pass that only skips what it does not
// read costs about 10 ms: whether to skip is a branch the processor cannot
// predict. Here the lists are filled without one: each event is written at the
// end of every list, and kept by those whose length then moves past it.

import { MAKES_EDGES } from './hb/edges';
import type { Trace } from './trace/model';
import { Ev, VOCABULARY } from './trace/vocabulary';

/** The events the held-lock walk reads (rules/locks.ts gives each its role): lock events, idr_find and the calls that may sleep. */
export const HELD_LOCK_NAMES: readonly number[] = [
  Ev.spin_lock, Ev.spin_unlock, Ev.mutex_lock, Ev.mutex_unlock, Ev.down_read, Ev.up_read, Ev.down_write, Ev.up_write,
  Ev.atomic_dec_and_lock, Ev.idr_find, Ev.idr_pre_get, Ev.kmalloc,
];

/**
 * The names the rules look up (rules/queries.ts, eventsNamed). Not the lock
 * events and kmalloc: they are most of a trace's vocabulary events, and the
 * held-lock walk reads them from its own list.
 */
export const INDEXED_NAMES: readonly number[] = [
  Ev.idr_get_new, Ev.idr_replace, Ev.idr_find, Ev.md_alloc, Ev.md_init_done, Ev.dm_get, Ev.dm_put, Ev.atomic_dec_and_lock,
  Ev.free_dev, Ev.add_disk, Ev.dm_blk_open, Ev.dm_blk_close, Ev.delete_module, Ev.module_exit,
];

export interface EventLists {
  /** Every task's events in program order, task after task; task t's from `taskStarts[t]` to `taskStarts[t + 1]`. */
  taskOrder: Int32Array;
  taskStarts: Int32Array;
  /** The events that can make a happens-before edge (hb/edges.ts, MAKES_EDGES), in file order. */
  edgeEvents: Int32Array;
  /** The events of HELD_LOCK_NAMES, in file order. */
  heldLockEvents: Int32Array;
  /** The events of INDEXED_NAMES, in file order. */
  indexedEvents: Int32Array;
}

const EDGE = 1;
const HELD_LOCK = 2;
const INDEXED = 4;

/** Per vocabulary name, the lists its events go to (bits); one more entry, 0, for every other name. */
const LISTS_OF = (() => {
  const lists = new Uint8Array(VOCABULARY.length + 1);
  for (let name = 0; name < VOCABULARY.length; name++) if (name < MAKES_EDGES.length && MAKES_EDGES[name] !== 0) lists[name] |= EDGE;
  for (const name of HELD_LOCK_NAMES) lists[name] |= HELD_LOCK;
  for (const name of INDEXED_NAMES) lists[name] |= INDEXED;
  return lists;
})();

/** The lists the rules read, from the last pass over a trace, until they take them (see takeEvents). */
const forRules = new WeakMap<Trace, { heldLockEvents?: Int32Array; indexedEvents?: Int32Array }>();

/** The pass (happens-before runs it); the rules' lists are kept for the rules to take. */
export function eventLists(trace: Trace): EventLists {
  const lists = sortEvents(trace);
  forRules.set(trace, { heldLockEvents: lists.heldLockEvents, indexedEvents: lists.indexedEvents });
  return lists;
}

/**
 * One of the rules' lists: the one the last pass made, which is then forgotten
 * (each is read once per trace: what is made of it is kept), or a new pass's.
 */
export function takeEvents(trace: Trace, list: 'heldLockEvents' | 'indexedEvents'): Int32Array {
  const pending = forRules.get(trace);
  const taken = pending?.[list];
  if (pending && taken) {
    pending[list] = undefined;
    return taken;
  }
  const lists = eventLists(trace);
  forRules.get(trace)![list] = undefined;
  return lists[list];
}

function sortEvents(trace: Trace): EventLists {
  const { task, seq } = trace;
  const n = trace.length;
  const taskCount = trace.tasks.length;
  // A task's event number `seq` is its place in the task, and its last event's seq is its count.
  const starts = new Int32Array(taskCount + 1);
  let seen = 0;
  for (let i = n - 1; i >= 0 && seen < taskCount; i--) {
    if (starts[task[i] + 1] === 0) {
      starts[task[i] + 1] = seq[i];
      seen++;
    }
  }
  for (let t = 0; t < taskCount; t++) starts[t + 1] += starts[t];
  const order = new Int32Array(n);
  // One more than every event: an event is written past the end of each list before it is known whether it stays.
  // The tail never written stays uncommitted memory until the views are dropped.
  const edge = new Int32Array(n + 1);
  const held = new Int32Array(n + 1);
  const indexed = new Int32Array(n + 1);
  const counts = placeEvents(trace, starts, order, edge, held, indexed);
  return {
    taskOrder: order,
    taskStarts: starts,
    edgeEvents: edge.subarray(0, counts[0]),
    heldLockEvents: held.subarray(0, counts[1]),
    indexedEvents: indexed.subarray(0, counts[2]),
  };
}

/** Each event at its place in `order`, and at the end of the lists its name goes to; returns the lists' lengths. */
function placeEvents(trace: Trace, starts: Int32Array, order: Int32Array, edge: Int32Array, held: Int32Array, indexed: Int32Array): [number, number, number] {
  const { task, seq, name } = trace;
  const n = trace.length;
  const listsOf = LISTS_OF;
  const other = VOCABULARY.length;
  let edges = 0;
  let helds = 0;
  let indexeds = 0;
  for (let i = 0; i < n; i++) {
    order[starts[task[i]] + seq[i] - 1] = i;
    const lists = listsOf[Math.min(name[i], other)];
    edge[edges] = i;
    edges += lists & EDGE;
    held[helds] = i;
    helds += (lists & HELD_LOCK) >> 1;
    indexed[indexeds] = i;
    indexeds += lists >> 2;
  }
  return [edges, helds, indexeds];
}
