// DMR3 open-while-freeing: dm_blk_open gets md from gendisk->private_data,
// which holds no reference, and uses it while another task frees it (fixed by 05).

import { Key } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, concurrentLane, finding, type RuleContext } from './context';
import { endsOfLife, eventsByArg, eventsNamed } from './queries';
import { witness, type Key as WitnessKey } from './witness';

export function openWhileFreeing(ctx: RuleContext): Finding[] {
  const { trace, hb } = ctx;
  const frees = eventsByArg(trace, [Ev.free_dev], Key.md);
  const puts = endsOfLife(trace, false);
  const out: Finding[] = [];
  for (const open of eventsNamed(trace, Ev.dm_blk_open)) {
    const md = trace.argId(open, Key.md);
    const task = trace.task[open];
    const mdFrees = frees.get(md) ?? [];
    const mdPuts = puts.get(md) ?? [];
    if (mdFrees.length === 0 && mdPuts.length === 0) continue;

    const path = openPath(ctx, open);
    // Only a free or final put of another task that happens neither before the open nor after the
    // path's last event can be concurrent with an event of the path (most opens stop here).
    const last = path[path.length - 1];
    const mayRace = (k: number) => trace.task[k] !== task && !hb.happensBefore(k, open) && !hb.happensBefore(last, k);
    if (!mdFrees.some(mayRace) && !mdPuts.some(mayRace)) continue;

    const freesNear = mdFrees.filter(mayRace);
    const putsNear = mdPuts.filter(mayRace);
    let conflict: { path: number; other: number } | undefined;
    for (const e of path) {
      const free = freesNear.find((f) => hb.concurrent(e, f));
      const put = trace.name[e] === Ev.dm_get ? putsNear.find((p) => hb.concurrent(e, p)) : undefined;
      const other = free ?? put;
      if (other !== undefined) {
        conflict = { path: e, other };
        break;
      }
    }
    if (!conflict) continue;
    const otherTask = (k: number) => trace.task[k] !== task;
    out.push(report(ctx, open, conflict.path, conflict.other, mdPuts.filter(otherTask), mdFrees.filter(otherTask)));
  }
  return out;
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
