// DMR3 open-while-freeing: dm_blk_open gets md from gendisk->private_data,
// which holds no reference, and uses it while another task frees it (fixed by 05).

import { Key, type Trace } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, finding, type RuleContext } from './context';
import { eventsByArg, eventsNamed, finalPuts } from './queries';
import { witness, type Key as WitnessKey } from './witness';

export function openWhileFreeing(ctx: RuleContext): Finding[] {
  const { trace } = ctx;
  const frees = eventsByArg(trace, [Ev.free_dev], Key.md);
  const puts = finalPuts(trace);
  const out: Finding[] = [];
  const opens = eventsNamed(trace, Ev.dm_blk_open);
  const ends = pathEnds(trace, opens);
  // Plain loops over thousands of opens: in a user's cold run, the less code runs per open, the less is compiled.
  for (let n = 0; n < opens.length; n++) {
    const open = opens[n];
    const md = trace.argId(open, Key.md);
    const mdFrees = frees.get(md) ?? NONE;
    const mdPuts = puts.get(md) ?? NONE;
    // Only a free or final put of another task that happens neither before the open nor after the
    // path (after its last event; so after its end, too) can be concurrent with an event of the path:
    // first the end, then, for the few opens left, the path itself.
    if (mayRace(ctx, mdFrees, open, ends[n]).length === 0 && mayRace(ctx, mdPuts, open, ends[n]).length === 0) continue;
    const path = openPath(ctx, open);
    const freesNear = mayRace(ctx, mdFrees, open, path[path.length - 1]);
    const putsNear = mayRace(ctx, mdPuts, open, path[path.length - 1]);
    if (freesNear.length === 0 && putsNear.length === 0) continue;
    const conflict = firstConflict(ctx, path, freesNear, putsNear);
    if (!conflict) continue;
    const otherTask = (k: number) => trace.task[k] !== trace.task[open];
    out.push(report(ctx, open, conflict.path, conflict.other, mdPuts.filter(otherTask), mdFrees.filter(otherTask)));
  }
  return out;
}

const NONE: readonly number[] = [];

/**
 * The events (frees or final puts) of another task than the open's that happen neither before the open
 * nor after `last` (-1: no event to be after).
 */
function mayRace({ trace, hb }: RuleContext, events: readonly number[], open: number, last: number): readonly number[] {
  let out: number[] | undefined;
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    if (trace.task[e] !== trace.task[open] && !hb.happensBefore(e, open) && (last < 0 || !hb.happensBefore(last, e))) (out ??= []).push(e);
  }
  return out ?? NONE;
}

/** Per open (by its place in `opens`), where its path ends: its task's next dm_blk_close or dm_blk_open of the same md (-1: none). */
function pathEnds(trace: Trace, opens: Int32Array): Int32Array {
  const ends = new Int32Array(opens.length).fill(-1);
  // Per task: md -> the place of its open whose end has not come yet (-1: none; overwritten, not deleted).
  const unended: (Map<number, number> | undefined)[] = new Array(trace.tasks.length);
  let n = 0;
  const events = eventsNamed(trace, Ev.dm_blk_open, Ev.dm_blk_close);
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    const mine = (unended[trace.task[e]] ??= new Map());
    const md = trace.argId(e, Key.md);
    const open = mine.get(md) ?? -1;
    if (open >= 0) {
      ends[open] = e;
      mine.set(md, -1);
    }
    // the opens come in the order of `opens`
    if (trace.name[e] === Ev.dm_blk_open) mine.set(md, n++);
  }
  return ends;
}

/** The first event of the path concurrent with a free (or, for a dm_get, with a final put), and that free or put. */
function firstConflict({ trace, hb }: RuleContext, path: number[], frees: readonly number[], puts: readonly number[]): { path: number; other: number } | undefined {
  for (const e of path) {
    const free = frees.find((f) => hb.concurrent(e, f));
    const put = trace.name[e] === Ev.dm_get ? puts.find((p) => hb.concurrent(e, p)) : undefined;
    const other = free ?? put;
    if (other !== undefined) return { path: e, other };
  }
  return undefined;
}

/** The open and the events of its task that touch md after it, until its dm_blk_close (or the task's next open of md). */
function openPath({ trace, hb }: RuleContext, open: number): number[] {
  const md = trace.argId(open, Key.md);
  const events = hb.taskEvents[trace.task[open]];
  const path = [open];
  for (let s = trace.seq[open]; s < events.length; s++) {
    const e = events[s];
    const name = trace.name[e];
    const ends = name === Ev.dm_blk_close || name === Ev.dm_blk_open;
    if (!ends && name !== Ev.test_bit && name !== Ev.dm_get && name !== Ev.md_access) continue;
    if (trace.argId(e, Key.md) !== md) continue;
    if (ends) break;
    path.push(e);
  }
  return path;
}

function report(ctx: RuleContext, open: number, path: number, other: number, finalPuts: number[], frees: number[]): Finding {
  const { trace, hb } = ctx;
  const md = trace.arg(open, 'md') ?? '';
  const free = frees.find((f) => hb.concurrent(path, f) || hb.concurrent(open, f)) ?? frees[0];
  const put = finalPuts.find((p) => !hb.happensBefore(open, p) || hb.concurrent(p, path)) ?? finalPuts[0];
  const what = trace.name[other] === Ev.free_dev ? `free_dev of ${md} at ${at(trace, other)}` : `the final put of ${md} at ${at(trace, other)}`;
  const lanes = [
    concurrentLane(ctx, other, trace.task[open], path),
    concurrentLane(ctx, path, trace.task[other], other),
  ];
  if (lanes[0].from !== open && trace.seq[open] < trace.seq[lanes[0].from]) lanes[0] = { ...lanes[0], from: open };
  const keys: WitnessKey[] = [];
  if (put !== undefined) keys.push({ event: put, note: 'holders 1 -> 0: teardown starts' });
  keys.push({ event: open, note: `reads ${md} from private_data, which holds no reference` });
  if (path !== open) keys.push({ event: path, note: `touches ${md} while it is being freed` });
  if (free !== undefined) keys.push({ event: free, note: `kfree(${md}) under the open` });
  return finding('DMR3', 'error', {
    primary: open,
    related: [path, other, ...(put !== undefined ? [put] : []), ...(free !== undefined ? [free] : [])],
    md,
    message: `dm_blk_open of ${md} at ${at(trace, open)} (${trace.taskName(open)}) uses the device through private_data without a reference; ${trace.describe(path).split(' ')[0]} at ${at(trace, path)} is concurrent with ${what} by ${trace.taskName(other)}`,
    window: lanes,
    witness: () => witness(ctx, keys, lanes),
  });
}
