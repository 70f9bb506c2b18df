// Which events may sleep (DMR4, docs/rules.md): sleeping locks, and
// allocations whose gfp mask allows direct reclaim.

import type { Trace } from '../trace/model';
import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';

/** `__GFP_DIRECT_RECLAIM` in kernels 4.10 to 6.x; a setting can give another value. */
export const GFP_DIRECT_RECLAIM = 0x400;

/** Named masks that include direct reclaim. GFP_ATOMIC and GFP_NOWAIT do not. */
const SLEEPING_NAMES: ReadonlySet<string> = new Set([
  'GFP_KERNEL', 'GFP_KERNEL_ACCOUNT', 'GFP_NOIO', 'GFP_NOFS', 'GFP_USER', 'GFP_HIGHUSER', 'GFP_HIGHUSER_MOVABLE',
  '__GFP_DIRECT_RECLAIM', '__GFP_RECLAIM',
]);

/**
 * May a gfp mask sleep? A named mask, or flags OR-ed with `|`, sleeps when one
 * part is a sleeping name; a number (hex or decimal) when it has the reclaim bit.
 */
export function gfpMaySleep(gfp: string, reclaimBit = GFP_DIRECT_RECLAIM): boolean {
  return gfp.split('|').some((part) => {
    const p = part.trim();
    if (SLEEPING_NAMES.has(p)) return true;
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(p)) return false;
    return (BigInt(p) & BigInt(reclaimBit)) !== 0n;
  });
}

/**
 * May a gfp mask sleep whatever the value of the reclaim bit? (A named mask
 * as gfpMaySleep says; any number but 0.) False only for masks that never sleep.
 */
export function gfpMaySleepAtAll(gfp: string): boolean {
  return gfp.split('|').some((part) => {
    const p = part.trim();
    return SLEEPING_NAMES.has(p) || (/^(0x[0-9a-f]+|\d+)$/i.test(p) && BigInt(p) !== 0n);
  });
}

/**
 * A predicate for "this event may sleep": mutex_lock, down_read, down_write, and
 * idr_pre_get/kmalloc whose gfp may sleep (the answer cached per gfp value).
 */
export function sleepingEvents(trace: Trace, reclaimBit = GFP_DIRECT_RECLAIM): (event: number) => boolean {
  return sleepingBy(trace, (gfp) => gfpMaySleep(gfp, reclaimBit));
}

/** Like sleepingEvents, for any value of the reclaim bit (gfpMaySleepAtAll): false only for events that never sleep. */
export function eventsThatMaySleepAtAll(trace: Trace): (event: number) => boolean {
  return sleepingBy(trace, gfpMaySleepAtAll);
}

function sleepingBy(trace: Trace, gfpSleeps: (gfp: string) => boolean): (event: number) => boolean {
  const cache = new Map<number, boolean>();
  return (event) => {
    const name = trace.name[event];
    if (name === Ev.mutex_lock || name === Ev.down_read || name === Ev.down_write) return true;
    if (name !== Ev.idr_pre_get && name !== Ev.kmalloc) return false;
    const gfp = trace.argId(event, Key.gfp);
    if (gfp < 0) return false;
    let sleeps = cache.get(gfp);
    if (sleeps === undefined) cache.set(gfp, (sleeps = gfpSleeps(trace.strings.get(gfp))));
    return sleeps;
  };
}
