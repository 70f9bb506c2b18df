// DMR2 stale-lookup-get: dm_get on a pointer found under a lock, taken after
// the lock was dropped (fixed by 04 + 06).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, finding, span, type RuleContext } from './context';
import { heldLockFacts } from './locks';
import { endsOfLife, eventsNamed } from './queries';
import { witness } from './witness';

interface Lookup {
  find: number;
  /** The first release, after the find, of a lock held at the find. */
  release: number;
}

export function staleLookupGet(ctx: RuleContext): Finding[] {
  const { trace } = ctx;
  const { findRelease } = heldLockFacts(trace);
  // Per task: md -> its latest find under a lock not yet followed by a dm_get (-1: none; a value is
  // overwritten, not deleted: a Map that shrinks is rebuilt).
  const lookups: (Map<number, number> | undefined)[] = new Array(trace.tasks.length);
  const out: Finding[] = [];
  const events = eventsNamed(trace, Ev.idr_find, Ev.dm_get);
  for (let k = 0; k < events.length; k++) {
    const i = events[k];
    const task = trace.task[i];
    if (trace.name[i] === Ev.idr_find) {
      const md = trace.argId(i, Key.ret);
      if (findRelease.has(i)) (lookups[task] ??= new Map()).set(md, i);
      else if (lookups[task]?.has(md)) lookups[task].set(md, -1);
      continue;
    }
    const mine = lookups[task];
    if (!mine) continue;
    const md = trace.argId(i, Key.md);
    const find = mine.get(md) ?? -1;
    if (find < 0) continue;
    // The find's own get: taken while still holding the lock it is the fixed pattern; later gets belong to other lookups.
    mine.set(md, -1);
    const release = findRelease.get(find)!;
    if (release < 0 || release > i) continue;
    out.push(report(ctx, { find, release }, i, endsOfLife(trace, md)));
  }
  return out;
}

/** The finding for a dm_get after the release of its lookup's lock; `killers` end the device's life. */
function report(ctx: RuleContext, lookup: Lookup, get: number, killers: number[]): Finding {
  const { trace, hb } = ctx;
  const others = killers.filter((k) => trace.task[k] !== trace.task[get] && hb.concurrent(k, get));
  const md = trace.arg(get, 'md') ?? '';
  const lock = trace.arg(lookup.release, 'lock') ?? '';
  const base = `dm_get of ${md} at ${at(trace, get)} takes its reference after ${trace.taskName(get)} dropped ${lock} (${at(trace, lookup.release)}), the lock its idr_find at ${at(trace, lookup.find)} ran under`;
  const lookupLane = span(trace, lookup.find, get);
  if (others.length === 0) {
    return finding('DMR2', 'warning', {
      primary: get,
      related: [lookup.find, lookup.release],
      md,
      message: `${base}; no final put or free of ${md} in this trace falls in that window, but one scheduled there would be resurrected`,
      window: [lookupLane],
      witness: () => witness(ctx, [
        { event: lookup.find, note: `finds ${md}` },
        { event: lookup.release, note: `${lock} released: nothing pins ${md} now` },
        { hypothetical: `another task: the final dm_put takes holders 1 -> 0 and starts free_dev(${md})` },
        { event: get, note: 'holders 0 -> 1 on a device being freed' },
      ], [lookupLane]),
    });
  }
  const put = others.find((k) => trace.name[k] !== Ev.free_dev);
  const free = others.find((k) => trace.name[k] === Ev.free_dev);
  const first = put ?? (free as number);
  const lanes = [lookupLane, concurrentLane(ctx, get, trace.task[first], first)];
  const parts = [put !== undefined ? `the final put at ${at(trace, put)}` : '', free !== undefined ? `free_dev at ${at(trace, free)}` : ''];
  return finding('DMR2', 'error', {
    primary: get,
    related: [lookup.find, lookup.release, ...others],
    md,
    message: `${base}; ${parts.filter(Boolean).join(' and ')} by ${trace.taskName(first)} ${others.length > 1 ? 'are' : 'is'} concurrent with it`,
    window: lanes,
    witness: () => witness(ctx, [
      { event: lookup.find, note: `finds ${md}` },
      { event: lookup.release, note: `${lock} released: nothing pins ${md} now` },
      ...(put !== undefined ? [{ event: put, note: 'holders 1 -> 0: teardown starts' }] : []),
      { event: get, note: 'holders 0 -> 1: resurrects a device being freed' },
      ...(free !== undefined ? [{ event: free, note: `kfree(${md}) while the lookup holds a reference` }] : []),
    ], lanes),
  });
}
