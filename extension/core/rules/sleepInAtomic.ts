// DMR4 sleep-in-atomic: a call that may sleep while the task holds a
// spinlock (fixed by 03, which moves idr_pre_get out of _minor_lock).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, finding, span, walkHeldLocks, type RuleContext } from './context';
import { sleepingEvents } from './maySleep';
import { witness } from './witness';

export function sleepInAtomic(ctx: RuleContext): Finding[] {
  const { trace } = ctx;
  const out: Finding[] = [];
  const lastMd = lastDeviceOf(ctx);
  const maySleep = sleepingEvents(trace, ctx.options?.gfpDirectReclaim);
  walkHeldLocks(trace, (i, held) => {
    if (!maySleep(i)) return;
    const spin = held.find((h) => h.kind === 'spin');
    if (!spin) return;
    const lock = trace.strings.get(spin.lock);
    const lane = span(trace, spin.acquire, i);
    out.push(finding('DMR4', 'error', {
      primary: i,
      related: [spin.acquire],
      md: lastMd(i) >= 0 ? trace.strings.get(lastMd(i)) : '',
      message: `${trace.describe(i)} may sleep, but ${trace.taskName(i)} holds spinlock ${lock} (taken by ${trace.eventName(spin.acquire)} at ${at(trace, spin.acquire)})`,
      window: [lane],
      witness: witness(ctx, [
        { event: spin.acquire, note: `atomic context: ${lock} held` },
        { event: i, note: 'sleeps (the allocator enters reclaim or the lock is contended) in atomic context' },
      ], [lane]),
    }));
  }, [Ev.idr_pre_get, Ev.kmalloc]);
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
