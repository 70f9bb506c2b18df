// DMR6 register-before-init: add_disk sends the add uevent before the
// device's initialisation is finished, and udev can open it (fixed by 08).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, finding, span, type RuleContext } from './context';
import { eventsByArg, eventsNamed, initDone } from './queries';
import { witness } from './witness';

export function registerBeforeInit(ctx: RuleContext): Finding[] {
  const { trace, hb } = ctx;
  const opens = eventsByArg(trace, [Ev.dm_blk_open], Key.md);
  const out: Finding[] = [];
  const adds = eventsNamed(trace, Ev.add_disk);
  for (let k = 0; k < adds.length; k++) {
    const add = adds[k];
    const mdId = trace.argId(add, Key.md);
    const init = initDone(trace, trace.task[add], mdId);
    if (init === undefined || trace.seq[init] < trace.seq[add]) continue;

    const md = trace.strings.get(mdId);
    const disk = trace.arg(add, 'disk') ?? 'the disk';
    const base = `add_disk of ${disk} at ${at(trace, add)} announces ${md} before ${trace.taskName(add)} finishes initialising it (md_init_done at ${at(trace, init)})`;
    const creator = span(trace, add, init);
    const racy = (opens.get(mdId) ?? []).filter((o) => trace.task[o] !== trace.task[add] && hb.happensBefore(add, o) && !hb.happensBefore(init, o));
    if (racy.length > 0) {
      const open = racy[0];
      const lanes = [creator, concurrentLane(ctx, init, trace.task[open], open)];
      out.push(finding('DMR6', 'error', {
        primary: add,
        related: [init, ...racy],
        md,
        message: `${base}; ${trace.taskName(open)} opens it at ${at(trace, open)} through the uevent before initialisation completes`,
        window: lanes,
        witness: () => witness(ctx, [
          { event: add, note: `the add uevent for ${disk} goes out` },
          { event: open, note: `udev opens ${disk} and uses ${md}'s uninitialised pending count and wait queues` },
          { event: init, note: 'initialisation completes too late' },
        ], lanes),
      }));
    } else {
      out.push(finding('DMR6', 'warning', {
        primary: add,
        related: [init],
        md,
        message: `${base}; no open in this trace came through the uevent in that window, but udev reacting quickly would`,
        window: [creator],
        witness: () => witness(ctx, [
          { event: add, note: `the add uevent for ${disk} goes out` },
          { hypothetical: `udev receives the uevent and opens ${disk}: dm_blk_open uses ${md} before md_init_done` },
          { event: init, note: 'initialisation completes too late' },
        ], [creator]),
      }));
    }
  }
  return out;
}
