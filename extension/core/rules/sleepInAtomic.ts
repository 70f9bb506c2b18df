// DMR4 sleep-in-atomic: a call that may sleep while the task holds a
// spinlock (fixed by 03, which moves idr_pre_get out of _minor_lock).

import { Key } from '../trace/model';
import type { Finding } from './finding';
import { at, finding, span, type RuleContext } from './context';
import { heldLockFacts } from './locks';
import { sleepingEvents } from './maySleep';
import { witness } from './witness';

/** A held spinlock section with calls that may sleep: the first, how many more, and the last. */
interface Section {
  first: number;
  lock: number;
  md: number;
  more: number;
  last: number;
}

export function sleepInAtomic(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const [acquire, section] of sleepingSections(ctx)) out.push(report(ctx, acquire, section));
  return out;
}

/**
 * One section per held spinlock (keyed by its acquire) in which a call may sleep.
 * A spinlock that is never released would otherwise give a finding for every allocation after it.
 */
function sleepingSections(ctx: RuleContext): Map<number, Section> {
  const { trace } = ctx;
  const lastMd = lastDeviceOf(ctx);
  const maySleep = sleepingEvents(trace, ctx.options?.gfpDirectReclaim);
  const sections = new Map<number, Section>();
  const { inSpin } = heldLockFacts(trace);
  for (let k = 0; k < inSpin.event.length; k++) {
    const i = inSpin.event[k];
    if (!maySleep(i)) continue;
    const acquire = inSpin.acquire[k];
    const section = sections.get(acquire);
    if (section) {
      section.more++;
      section.last = i;
    } else sections.set(acquire, { first: i, lock: inSpin.lock[k], md: lastMd(i), more: 0, last: i });
  }
  return sections;
}

function report(ctx: RuleContext, acquire: number, { first: i, lock: lockId, md, more, last }: Section): Finding {
  const { trace } = ctx;
  const lock = trace.strings.get(lockId);
  const lane = span(trace, acquire, i);
  const others = more === 0 ? '' : `; ${more} more sleeping call${more === 1 ? '' : 's'} follow${more === 1 ? 's' : ''} in this section (up to line ${trace.line[last]})`;
  return finding('DMR4', 'error', {
    primary: i,
    related: [acquire],
    md: md >= 0 ? trace.strings.get(md) : '',
    message: `${trace.describe(i)} may sleep, but ${trace.taskName(i)} holds spinlock ${lock} (taken by ${trace.eventName(acquire)} at ${at(trace, acquire)})${others}`,
    window: [lane],
    witness: () => witness(ctx, [
      { event: acquire, note: `atomic context: ${lock} held` },
      { event: i, note: 'sleeps (the allocator enters reclaim or the lock is contended) in atomic context' },
    ], [lane]),
  });
}

/**
 * The device an event is about: the md of the latest event of its task, up to
 * and including it, that names one (-1: none). Asked in trace order: each
 * question reads its task's events back to the one that names a device, or to
 * the event of the task asked about before (whose answer then holds).
 */
function lastDeviceOf({ trace, hb }: RuleContext): (event: number) => number {
  const asked = new Int32Array(trace.tasks.length);
  const md = new Int32Array(trace.tasks.length).fill(-1);
  return (event) => {
    const task = trace.task[event];
    const events = hb.taskEvents[task];
    for (let s = trace.seq[event]; s > asked[task]; s--) {
      const v = trace.argId(events[s - 1], Key.md);
      if (v >= 0) {
        md[task] = v;
        break;
      }
    }
    asked[task] = trace.seq[event];
    return md[task];
  };
}
