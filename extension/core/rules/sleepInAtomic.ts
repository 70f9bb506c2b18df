// DMR4 sleep-in-atomic: a call that may sleep while the task holds a
// spinlock (fixed by 03, which moves idr_pre_get out of _minor_lock).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, finding, span, type RuleContext } from './context';
import { walkHeldLocks, type HeldLock } from './locks';
import { sleepingEvents } from './maySleep';
import { witness } from './witness';

export function sleepInAtomic(ctx: RuleContext): Finding[] {
  const { trace } = ctx;
  const lastMd = lastDeviceOf(ctx);
  const maySleep = sleepingEvents(trace, ctx.options?.gfpDirectReclaim);
  // One finding per held section (keyed by its acquire): the first sleeping call, and the later ones counted.
  // A spinlock that is never released would otherwise give a finding for every allocation after it.
  const sections = new Map<number, { first: number; lock: number; md: number; more: number; last: number }>();
  walkHeldLocks(trace, (i, held) => {
    if (!maySleep(i)) return;
    let spin: HeldLock | undefined;
    for (let h = 0; h < held.length && !spin; h++) if (held[h].kind === 'spin') spin = held[h];
    if (!spin) return;
    const section = sections.get(spin.acquire);
    if (section) {
      section.more++;
      section.last = i;
    } else sections.set(spin.acquire, { first: i, lock: spin.lock, md: lastMd(i), more: 0, last: i });
  }, [Ev.idr_pre_get, Ev.kmalloc]);
  const out: Finding[] = [];
  for (const [acquire, { first: i, lock: lockId, md, more, last }] of sections) {
    const lock = trace.strings.get(lockId);
    const lane = span(trace, acquire, i);
    const others = more === 0 ? '' : `; ${more} more sleeping call${more === 1 ? '' : 's'} follow${more === 1 ? 's' : ''} in this section (up to line ${trace.line[last]})`;
    out.push(finding('DMR4', 'error', {
      primary: i,
      related: [acquire],
      md: md >= 0 ? trace.strings.get(md) : '',
      message: `${trace.describe(i)} may sleep, but ${trace.taskName(i)} holds spinlock ${lock} (taken by ${trace.eventName(acquire)} at ${at(trace, acquire)})${others}`,
      window: [lane],
      witness: witness(ctx, [
        { event: acquire, note: `atomic context: ${lock} held` },
        { event: i, note: 'sleeps (the allocator enters reclaim or the lock is contended) in atomic context' },
      ], [lane]),
    }));
  }
  return out;
}

/**
 * The device an event is about: the md of the latest event of its task, up to
 * and including it, that names one (-1: none). Asked in trace order, each
 * task's events are read once.
 */
function lastDeviceOf({ trace, hb }: RuleContext): (event: number) => number {
  const scanned = new Int32Array(trace.tasks.length);
  const md = new Int32Array(trace.tasks.length).fill(-1);
  return (event) => {
    const task = trace.task[event];
    const events = hb.taskEvents[task];
    for (; scanned[task] < trace.seq[event]; scanned[task]++) {
      const v = trace.argId(events[scanned[task]], Key.md);
      if (v >= 0) md[task] = v;
    }
    return md[task];
  };
}
