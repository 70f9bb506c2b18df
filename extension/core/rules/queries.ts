// Event lookups the rules share: the events with given names, grouped by an
// argument, and the events that end a device's life. Each is built once per
// trace from one index by name, so a rule reads only the events it is about.

import { INDEXED_NAMES, takeEvents } from '../eventLists';
import { Key, type Trace } from '../trace/model';
import { Ev, VOCABULARY } from '../trace/vocabulary';

const eventIndexes = new WeakMap<Trace, Int32Array[]>();
/** Lists for several names at once, by the names joined. */
const mergedIndexes = new WeakMap<Trace, Map<string, Int32Array>>();

/** The events with one of the vocabulary `names` (each one of INDEXED_NAMES), in analysis order. */
export function eventsNamed(trace: Trace, ...names: number[]): Int32Array {
  let index = eventIndexes.get(trace);
  if (!index) {
    index = indexByName(trace);
    eventIndexes.set(trace, index);
  }
  for (const name of names) if (!index[name]) throw new Error(`eventsNamed: ${VOCABULARY[name]} is not indexed (eventLists.ts, INDEXED_NAMES)`);
  if (names.length === 1) return index[names[0]];
  const key = names.join(',');
  let cached = mergedIndexes.get(trace);
  if (!cached) mergedIndexes.set(trace, (cached = new Map()));
  let list = cached.get(key);
  if (!list) cached.set(key, (list = mergeNamed(index, names)));
  return list;
}

/** Several names: their lists (each sorted, disjoint, and short) joined and sorted. */
function mergeNamed(index: Int32Array[], names: readonly number[]): Int32Array {
  const distinct = [...new Set(names)];
  let total = 0;
  for (const name of distinct) total += index[name].length;
  const merged = new Int32Array(total);
  let at = 0;
  for (const name of distinct) {
    merged.set(index[name], at);
    at += index[name].length;
  }
  return merged.sort();
}

/** The events of each INDEXED_NAMES name, from their list (eventLists.ts). */
function indexByName(trace: Trace): Int32Array[] {
  const events = takeEvents(trace, 'indexedEvents');
  const names = trace.name;
  const counts = new Int32Array(VOCABULARY.length);
  for (let k = 0; k < events.length; k++) counts[names[events[k]]]++;
  const index: Int32Array[] = [];
  for (const name of INDEXED_NAMES) index[name] = new Int32Array(counts[name]);
  // counts[name] now counts down: each list is filled from its end
  for (let k = events.length - 1; k >= 0; k--) index[names[events[k]]][--counts[names[events[k]]]] = events[k];
  return index;
}

const byArg = new WeakMap<Trace, Map<string, Map<number, number[]>>>();

/** Event indices grouped by the value of argument `key`, for the events named `names`; made once per trace (shared: read only). */
export function eventsByArg(trace: Trace, names: readonly number[], key: number): Map<number, number[]> {
  let cached = byArg.get(trace);
  if (!cached) byArg.set(trace, (cached = new Map()));
  const id = `${names.join(',')}/${key}`;
  let out = cached.get(id);
  if (!out) cached.set(id, (out = groupByArg(trace, eventsNamed(trace, ...names), key)));
  return out;
}

function groupByArg(trace: Trace, events: Int32Array, key: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let k = 0; k < events.length; k++) {
    const i = events[k];
    const v = trace.argId(i, key);
    const list = out.get(v);
    if (list) list.push(i);
    else out.set(v, [i]);
  }
  return out;
}

const finalPutsOf = new WeakMap<Trace, Map<number, number[]>>();

/**
 * Per device, its final puts (`dm_put holders=0`, `atomic_dec_and_lock ret=1`), in analysis order;
 * made once per trace (shared: read only).
 */
export function finalPuts(trace: Trace): Map<number, number[]> {
  let out = finalPutsOf.get(trace);
  if (out) return out;
  // values compared as interned ids (-1: no event has that value)
  const zero = trace.strings.lookup('0');
  const one = trace.strings.lookup('1');
  const puts = eventsNamed(trace, Ev.dm_put, Ev.atomic_dec_and_lock);
  const final: number[] = [];
  for (let k = 0; k < puts.length; k++) {
    const e = puts[k];
    const put = trace.name[e] === Ev.dm_put;
    const value = put ? zero : one;
    if (value >= 0 && trace.argId(e, put ? Key.holders : Key.ret) === value) final.push(e);
  }
  out = groupByArg(trace, Int32Array.from(final), Key.md);
  finalPutsOf.set(trace, out);
  return out;
}

/** The events that end device `md`'s life: its final puts (finalPuts) and its free_devs, in analysis order. */
export function endsOfLife(trace: Trace, md: number): number[] {
  const puts = finalPuts(trace).get(md) ?? [];
  const frees = eventsByArg(trace, [Ev.free_dev], Key.md).get(md) ?? [];
  return [...puts, ...frees].sort((a, b) => a - b);
}

const initDoneOf = new WeakMap<Trace, (Map<number, number> | undefined)[]>();

/** The first `md_init_done` of `task` for device `md` (an id), or undefined; worked out once per trace. */
export function initDone(trace: Trace, task: number, md: number): number | undefined {
  let byTask = initDoneOf.get(trace);
  if (!byTask) {
    byTask = new Array(trace.tasks.length);
    const done = eventsNamed(trace, Ev.md_init_done);
    for (let k = 0; k < done.length; k++) {
      const i = done[k];
      const mine = (byTask[trace.task[i]] ??= new Map());
      const itsMd = trace.argId(i, Key.md);
      if (!mine.has(itsMd)) mine.set(itsMd, i);
    }
    initDoneOf.set(trace, byTask);
  }
  return byTask[task]?.get(md);
}
