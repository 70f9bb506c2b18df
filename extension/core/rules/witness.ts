// Witness schedules: an ordering of the window's events, consistent with
// happens-before, in which the racing events run in the order that faults.
// A witness is bounded: of a long window only the events near the keys are
// shown, and each run of events left out is one summary step.

import type { WindowLane, WitnessStep } from './finding';
import type { RuleContext } from './context';

/** A key event of the witness, with what happens there; or a step another schedule would add. */
export type Key = { event: number; note?: string } | { hypothetical: string };

/** At most this many events of a lane on each side of its key events go into a witness. */
export const CONTEXT = 4;

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
    return 'event' in k ? hb.positionOf(k.event) : Number.MAX_SAFE_INTEGER;
  }

  const pool = windowEvents(ctx, lanes, real.map((k) => k.event));
  const notes = new Map(real.map((k) => [k.event, k.note]));
  const done = new Set<number>();
  /** Per task, the seq of its last event shown: a jump means events were left out. */
  const shownSeq = new Map<number, number>();
  const steps: WitnessStep[] = [];
  const emit = (e: number) => {
    if (done.has(e)) return;
    done.add(e);
    const task = trace.task[e];
    const previous = shownSeq.get(task);
    if (previous !== undefined && trace.seq[e] - previous > 1) steps.push(elision(ctx, e, trace.seq[e] - previous - 1));
    shownSeq.set(task, trace.seq[e]);
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

/** The summary step for the `count` events of e's task right before e. */
function elision({ trace, hb }: RuleContext, e: number, count: number): WitnessStep {
  const events = hb.taskEvents[trace.task[e]];
  const first = events[trace.seq[e] - 1 - count];
  const last = events[trace.seq[e] - 2];
  const lines = trace.line[first] === trace.line[last] ? `line ${trace.line[first]}` : `lines ${trace.line[first]}-${trace.line[last]}`;
  return { text: `${trace.taskName(e)}: … ${count} more event${count === 1 ? '' : 's'} (${lines}) …`, elided: count };
}

/**
 * The events of each lane near the keys (CONTEXT on each side of each key of
 * the lane, or the lane's first 2 * CONTEXT + 1 when it has none), in a
 * topological order. At most (2 * CONTEXT + 1) per key and lane, whatever the window's length.
 */
function windowEvents(ctx: RuleContext, lanes: WindowLane[], keys: number[]): number[] {
  const { trace, hb } = ctx;
  const out = new Set<number>(keys);
  for (const lane of lanes) {
    const events = hb.taskEvents[lane.task];
    const lo = trace.seq[lane.from] - 1;
    const hi = trace.seq[lane.to] - 1;
    let anyKey = false;
    for (const k of keys) {
      if (trace.task[k] !== lane.task) continue;
      anyKey = true;
      const s = trace.seq[k] - 1;
      for (let t = Math.max(lo, s - CONTEXT); t <= Math.min(hi, s + CONTEXT); t++) out.add(events[t]);
    }
    if (!anyKey) for (let t = lo; t <= Math.min(hi, lo + 2 * CONTEXT); t++) out.add(events[t]);
  }
  return [...out].sort((a, b) => hb.positionOf(a) - hb.positionOf(b));
}
