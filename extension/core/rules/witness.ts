// Witness schedules: an ordering of the window's events, consistent with
// happens-before, in which the racing events run in the order that faults.

import type { WindowLane, WitnessStep } from './finding';
import type { RuleContext } from './context';

/** A key event of the witness, with what happens there; or a step another schedule would add. */
export type Key = { event: number; note?: string } | { hypothetical: string };

/** At most this many events of a lane around its key events go into a witness. */
const CONTEXT = 4;

/**
 * Orders the window's events so that the keys run in the given order: before
 * each key, exactly the events that must precede it. When the requested order
 * contradicts happens-before (a later key happens before an earlier one), the
 * keys keep their happens-before order instead: a witness never lies.
 */
export function witness(ctx: RuleContext, keys: Key[], lanes: WindowLane[]): WitnessStep[] {
  const { trace, hb } = ctx;
  const real = keys.filter((k): k is { event: number; note?: string } => 'event' in k);
  const consistent = real.every((k, i) => real.slice(i + 1).every((later) => !hb.happensBefore(later.event, k.event)));
  const ordered = consistent ? keys : [...keys].sort((a, b) => rank(a) - rank(b));
  function rank(k: Key): number {
    return 'event' in k ? hb.position[k.event] : Number.MAX_SAFE_INTEGER;
  }

  const pool = windowEvents(ctx, lanes, real.map((k) => k.event));
  const notes = new Map(real.map((k) => [k.event, k.note]));
  const done = new Set<number>();
  const steps: WitnessStep[] = [];
  const emit = (e: number) => {
    if (done.has(e)) return;
    done.add(e);
    const note = notes.get(e);
    steps.push({ event: e, text: `${trace.taskName(e)}: ${trace.describe(e)} (line ${trace.line[e]})${note ? ` — ${note}` : ''}` });
  };
  for (const k of ordered) {
    if (!('event' in k)) {
      steps.push({ text: k.hypothetical });
      continue;
    }
    for (const e of pool) if (!done.has(e) && hb.happensBefore(e, k.event)) emit(e);
    emit(k.event);
  }
  for (const e of pool) emit(e);
  return steps;
}

/** The events of each lane near the keys, in a topological order. */
function windowEvents(ctx: RuleContext, lanes: WindowLane[], keys: number[]): number[] {
  const { trace, hb } = ctx;
  const out = new Set<number>(keys);
  for (const lane of lanes) {
    const events = hb.taskEvents[lane.task];
    const laneKeys = keys.filter((k) => trace.task[k] === lane.task).map((k) => trace.seq[k] - 1);
    let lo = trace.seq[lane.from] - 1;
    let hi = trace.seq[lane.to] - 1;
    if (laneKeys.length > 0) {
      lo = Math.max(lo, Math.min(...laneKeys) - CONTEXT);
      hi = Math.min(hi, Math.max(...laneKeys) + CONTEXT);
    } else {
      hi = Math.min(hi, lo + 2 * CONTEXT);
    }
    for (let s = lo; s <= hi; s++) out.add(events[s]);
  }
  return [...out].sort((a, b) => hb.position[a] - hb.position[b]);
}
