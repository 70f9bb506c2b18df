// DMR1 publish-before-init: a real mapped_device stored in the minor IDR
// before its creator finished initialising it (fixed by 01 + 02).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, eventsNamed, finding, initDoneByTaskAndMd, isRealPointer, span, type RuleContext } from './context';
import { witness } from './witness';

export function publishBeforeInit(ctx: RuleContext): Finding[] {
  const { trace, hb } = ctx;
  const initDone = initDoneByTaskAndMd(trace);
  const findsOf = readersByStore(ctx);
  const out: Finding[] = [];
  for (const store of eventsNamed(trace, Ev.idr_get_new, Ev.idr_replace)) {
    const ptr = trace.argId(store, Key.ptr);
    if (!isRealPointer(trace, ptr)) continue;
    const init = initDone.get(`${trace.task[store]}:${ptr}`);
    if (init === undefined || trace.seq[init] < trace.seq[store]) continue;

    const md = trace.strings.get(ptr);
    const slot = `${trace.arg(store, 'idr') ?? 'idr'}[${trace.arg(store, 'minor') ?? '?'}]`;
    const publish = `${trace.eventName(store)} publishes ${md} in ${slot} at ${at(trace, store)} before ${trace.taskName(store)} finishes initialising it (md_init_done at ${at(trace, init)})`;
    const racy = (findsOf.get(store) ?? []).filter((f) => trace.task[f] !== trace.task[store] && !hb.happensBefore(init, f));
    const creator = span(trace, store, init);
    if (racy.length > 0) {
      const find = racy[0];
      out.push(finding('DMR1', 'error', {
        primary: store,
        related: [init, ...racy],
        md,
        message: `${publish}; ${trace.taskName(find)} finds it at ${at(trace, find)} before initialisation completes`,
        window: [creator, concurrentLane(ctx, init, trace.task[find], find)],
        witness: witness(ctx, [
          { event: store, note: `${md} is visible in ${slot}, uninitialised` },
          { event: find, note: `the lookup gets ${md} and uses it before it is initialised` },
          { event: init, note: 'initialisation completes too late' },
        ], [creator, concurrentLane(ctx, init, trace.task[find], find)]),
      }));
    } else {
      out.push(finding('DMR1', 'warning', {
        primary: store,
        related: [init],
        md,
        message: `${publish}; no lookup in this trace read it in that window, but one scheduled between ${at(trace, store)} and ${at(trace, init)} would`,
        window: [creator],
        witness: witness(ctx, [
          { event: store, note: `${md} is visible in ${slot}, uninitialised` },
          { hypothetical: `another task: idr_find ${slot} returns ${md}, then uses it and calls dm_get` },
          { event: init, note: 'initialisation completes (memset/atomic_set may wipe the new reference)' },
        ], [creator]),
      }));
    }
  }
  return out;
}

/** For each IDR store, the finds that read from it (reads-from edges). */
function readersByStore({ hb }: RuleContext): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let k = 0; k < hb.edgeCount; k++) {
    const e = hb.edge(k);
    if (e.kind !== 'reads-from') continue;
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  return out;
}
