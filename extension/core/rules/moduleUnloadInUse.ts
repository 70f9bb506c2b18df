// DMR5 module-unload-in-use: dm-mod (or the module `!owner` names) unloaded
// while a mapped_device it allocated is still alive (fixed by 07, the module
// self-reference).

import { Key, moduleName, type Trace } from '../trace/model';
import { unloadPoint } from '../trace/unloadPoint';
import { Ev } from '../trace/vocabulary';
import type { Finding } from './finding';
import { at, finding, span, type RuleContext } from './context';
import { eventsByArg, eventsNamed } from './queries';
import { witness } from './witness';

export function moduleUnloadInUse(ctx: RuleContext): Finding[] {
  const { trace, hb } = ctx;
  const allocs = Array.from(eventsNamed(trace, Ev.md_alloc));
  const frees = eventsByArg(trace, [Ev.free_dev], Key.md);
  // Per allocation, looked up once (every unload checks every allocation): its device's name and frees.
  const allocMd = allocs.map((a) => trace.argId(a, Key.md));
  const allocName = allocMd.map((md) => (md >= 0 ? trace.strings.get(md) : '?'));
  const allocFrees = allocMd.map((md) => frees.get(md) ?? []);
  const out: Finding[] = [];
  for (const unload of unloads(ctx)) {
    // liveness counts where the unload was decided: a device freed only by the unload's own exit path was alive then
    const point = unloadPoint(trace, hb.taskEvents, unload);
    const live = liveAllocations(ctx, allocs, allocFrees, point);
    if (live.length > 0) out.push(report(ctx, unload, point, live.map((j) => allocs[j]), [...new Set(live.map((j) => allocName[j]))]));
  }
  return out;
}

/** The allocations (indices into `allocs`) alive at `point`: made before it, and no free_dev of theirs happens before it. */
function liveAllocations({ hb }: RuleContext, allocs: number[], allocFrees: number[][], point: number): number[] {
  const live: number[] = [];
  const at = hb.positionOf(point);
  for (let j = 0; j < allocs.length; j++) {
    const a = allocs[j];
    // An allocation after the unload belongs to the next load of the module. (Positions are a topological
    // order: one placed before the unload cannot happen after it.)
    if (hb.positionOf(a) > at) {
      // in file order (allocs are) and analysis order alike, so are all the rest
      if (!hb.reordered) break;
      continue;
    }
    const frees = allocFrees[j];
    let freed = false;
    for (let k = 0; k < frees.length && !freed; k++) freed = hb.happensBefore(frees[k], point) && !hb.happensBefore(frees[k], a);
    if (!freed) live.push(j);
  }
  return live;
}

/** The finding for an unload while the devices `names`, allocated at `live`, are alive. */
function report(ctx: RuleContext, unload: number, point: number, live: number[], names: string[]): Finding {
  const { trace, hb } = ctx;
  const mod = trace.arg(unload, 'mod') ?? 'the module';
  const alloc = live[0];
  const before = hb.lastBefore(point, trace.task[alloc]);
  const lanes = [span(trace, alloc, before >= 0 ? before : alloc), span(trace, unload, unload)];
  if (trace.task[alloc] !== trace.task[unload] && trace.seq[lanes[0].to] < trace.seq[alloc]) lanes[0] = span(trace, alloc, alloc);
  return finding('DMR5', 'error', {
    primary: unload,
    related: live,
    md: names[0],
    message: `${trace.describe(unload)} at ${at(trace, unload)} unloads ${mod} while ${firstFew(names)} ${names.length > 1 ? 'are' : 'is'} alive (allocated at ${firstFew(live.map((a) => at(trace, a)))}, no free_dev before the unload${entered(trace, unload)})`,
    window: lanes,
    witness: () => witness(ctx, [
      { event: alloc, note: `${names[0]} exists; nothing pins ${mod} while it is not open` },
      { event: unload, note: `${mod}'s text, caches and major are gone` },
      { hypothetical: `the next I/O, open or dm_put of ${names[0]} calls into freed module code` },
    ], lanes),
  });
}

/** Successful unloads of the owner module: delete_module ret=0, or a module_exit its task did not reach through one. */
function unloads({ trace }: RuleContext): number[] {
  const out: number[] = [];
  const unloadedBy = new Set<number>();
  for (const i of eventsNamed(trace, Ev.delete_module, Ev.module_exit)) {
    if (!unloadsOwner(trace, i)) continue;
    const name = trace.name[i];
    if (name === Ev.delete_module && trace.arg(i, 'ret') === '0') {
      out.push(i);
      unloadedBy.add(trace.task[i]);
    } else if (name === Ev.module_exit && !unloadedBy.has(trace.task[i])) {
      out.push(i);
    }
  }
  return out;
}

/**
 * Does the unload event concern the module that owns the devices? One that
 * names no module, or names it by a raw address, cannot say which module it
 * unloads, so it counts.
 */
function unloadsOwner(trace: Trace, event: number): boolean {
  const mod = trace.arg(event, 'mod');
  if (mod === undefined || /^(0x[0-9a-f]+|\d+)$/i.test(mod)) return true;
  return moduleName(mod) === moduleName(trace.ownerAt(trace.line[event]));
}

/** For a call merged from its entry and return: where it entered, which is where the unload was decided. */
function entered(trace: Trace, unload: number): string {
  const line = trace.callEntryLine.get(unload);
  return line === undefined ? '' : ` entered at line ${line}`;
}

/** A list for a message: a long trace can hold thousands of live devices; the related events list them all. */
function firstFew(items: string[], most = 5): string {
  return items.length <= most ? items.join(', ') : `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}
