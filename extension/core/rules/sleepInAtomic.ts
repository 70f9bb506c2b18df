// DMR4 sleep-in-atomic: a call that may sleep while the task holds a
// spinlock (fixed by 03, which moves idr_pre_get out of _minor_lock).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, finding, span, walkHeldLocks, type RuleContext } from './context';
import { witness } from './witness';

export function sleepInAtomic(ctx: RuleContext): Finding[] {
  const { trace } = ctx;
  const out: Finding[] = [];
  const lastMd = new Int32Array(trace.tasks.length).fill(-1);
  walkHeldLocks(trace, (i, held) => {
    const md = trace.argId(i, Key.md);
    if (md >= 0) lastMd[trace.task[i]] = md;
    if (!maySleep(ctx, i)) return;
    const spin = held.find((h) => h.kind === 'spin');
    if (!spin) return;
    const lock = trace.strings.get(spin.lock);
    const lane = span(trace, spin.acquire, i);
    out.push(finding('DMR4', 'error', {
      primary: i,
      related: [spin.acquire],
      md: lastMd[trace.task[i]] >= 0 ? trace.strings.get(lastMd[trace.task[i]]) : '',
      message: `${trace.describe(i)} may sleep, but ${trace.taskName(i)} holds spinlock ${lock} (taken by ${trace.eventName(spin.acquire)} at ${at(trace, spin.acquire)})`,
      window: [lane],
      witness: witness(ctx, [
        { event: spin.acquire, note: `atomic context: ${lock} held` },
        { event: i, note: 'sleeps (the allocator enters reclaim or the lock is contended) in atomic context' },
      ], [lane]),
    }));
  });
  return out;
}

/** idr_pre_get/kmalloc with GFP_KERNEL, or mutex_lock. */
function maySleep({ trace }: RuleContext, event: number): boolean {
  const name = trace.name[event];
  if (name === Ev.mutex_lock) return true;
  if (name !== Ev.idr_pre_get && name !== Ev.kmalloc) return false;
  const gfp = trace.arg(event, 'gfp');
  return gfp !== undefined && gfp.split('|').includes('GFP_KERNEL');
}
