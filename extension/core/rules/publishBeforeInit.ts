// DMR1 publish-before-init: a real mapped_device stored in the minor IDR
// before its creator finished initialising it (fixed by 01 + 02).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, finding, isRealPointer, span, type RuleContext } from './context';
import { eventsNamed, initDone } from './queries';
import { witness } from './witness';

export function publishBeforeInit(ctx: RuleContext): Finding[] {
  const { trace, hb } = ctx;
  // When the trace records md_init_done at all, a device that never gets one was never initialised.
  const initialised = new Set(Array.from(eventsNamed(trace, Ev.md_init_done), (i) => trace.argId(i, Key.md)));
  const findsOf = readersByStore(ctx);
  const out: Finding[] = [];
  const stores = eventsNamed(trace, Ev.idr_get_new, Ev.idr_replace);
  for (let k = 0; k < stores.length; k++) {
    const store = stores[k];
    const ptr = trace.argId(store, Key.ptr);
    const found = initDone(trace, trace.task[store], ptr);
    const never = found === undefined && initialised.size > 0 && !initialised.has(ptr);
    if (!never && (found === undefined || trace.seq[found] < trace.seq[store])) continue;
    if (!isRealPointer(trace, ptr)) continue;
    // With no md_init_done, the window runs to the task's last event: initialisation never completes.
    const events = hb.taskEvents[trace.task[store]];
    out.push(report(ctx, store, ptr, found ?? events[events.length - 1], never, findsOf.get(store) ?? []));
  }
  return out;
}

/** The finding for a store of `ptr` before `init`: its md_init_done, or (`never`) its task's last event. */
function report(ctx: RuleContext, store: number, ptr: number, init: number, never: boolean, finds: number[]): Finding {
  const { trace, hb } = ctx;
  const md = trace.strings.get(ptr);
  const slot = `${trace.arg(store, 'idr') ?? 'idr'}[${trace.arg(store, 'minor') ?? '?'}]`;
  const when = never ? `md_init_done of ${md} never comes in this trace` : `md_init_done at ${at(trace, init)}`;
  const publish = `${trace.eventName(store)} publishes ${md} in ${slot} at ${at(trace, store)} before ${trace.taskName(store)} finishes initialising it (${when})`;
  const racy = finds.filter((f) => trace.task[f] !== trace.task[store] && (never || !hb.happensBefore(init, f)));
  const creator = span(trace, store, init);
  const late = never ? `${trace.taskName(store)}'s last event: ${md} is still not initialised` : 'initialisation completes too late';
  if (racy.length > 0) {
    const find = racy[0];
    return finding('DMR1', 'error', {
      primary: store,
      related: [init, ...racy],
      md,
      message: `${publish}; ${trace.taskName(find)} finds it at ${at(trace, find)} before initialisation completes`,
      window: [creator, concurrentLane(ctx, init, trace.task[find], find)],
      witness: () => witness(ctx, [
        { event: store, note: `${md} is visible in ${slot}, uninitialised` },
        { event: find, note: `the lookup gets ${md} and uses it before it is initialised` },
        { event: init, note: late },
      ], [creator, concurrentLane(ctx, init, trace.task[find], find)]),
    });
  }
  return finding('DMR1', 'warning', {
    primary: store,
    related: [init],
    md,
    message: `${publish}; no lookup in this trace read it in that window, but one scheduled ${never ? `after ${at(trace, store)}` : `between ${at(trace, store)} and ${at(trace, init)}`} would`,
    window: [creator],
    witness: () => witness(ctx, [
      { event: store, note: `${md} is visible in ${slot}, uninitialised` },
      { hypothetical: `another task: idr_find ${slot} returns ${md}, then uses it and calls dm_get` },
      { event: init, note: never ? late : 'initialisation completes (memset/atomic_set may wipe the new reference)' },
    ], [creator]),
  });
}

/** For each IDR store, the finds that read from it (reads-from edges, which end at an idr_find: hb/edges.ts). */
function readersByStore({ trace, hb }: RuleContext): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const finds = eventsNamed(trace, Ev.idr_find);
  for (let k = 0; k < finds.length; k++) {
    const find = finds[k];
    for (const store of hb.sourcesInto(find, 'reads-from')) {
      const list = out.get(store);
      if (list) list.push(find);
      else out.set(store, [find]);
    }
  }
  return out;
}
