// What every rule gets (the trace, happens-before, options) and the pieces of
// a finding: the window of a race and the finding builder. The event lookups
// are in queries.ts, the held locks in locks.ts.

import type { HappensBefore } from '../hb/happensBefore';
import type { Trace } from '../trace/model';
import { MINOR_ALLOCED, NULL_PTR, canonicalPointer } from '../trace/vocabulary';
import { RULES, type Finding, type RuleId, type WindowLane, type WitnessStep } from './finding';

export interface RuleContext {
  trace: Trace;
  hb: HappensBefore;
  options?: RuleOptions;
}

export interface RuleOptions {
  /** The value of `__GFP_DIRECT_RECLAIM` for numeric gfp masks (default 0x400, kernels 4.10 to 6.x). */
  gfpDirectReclaim?: number;
}

/** Is `value` a real object pointer (not the placeholder, not NULL, in any of their spellings; not absent)? */
export function isRealPointer(trace: Trace, value: number): boolean {
  if (value < 0) return false;
  const s = canonicalPointer(trace.strings.get(value));
  return s !== MINOR_ALLOCED && s !== NULL_PTR;
}

/** The events of one task from `a` to `b` (same task, program order). */
export function span(trace: Trace, a: number, b: number): WindowLane {
  return trace.seq[a] <= trace.seq[b] ? { task: trace.task[a], from: a, to: b } : { task: trace.task[a], from: b, to: a };
}

/** The lane of `task` holding the events concurrent with `event`, widened to include `mustInclude`. */
export function concurrentLane(ctx: RuleContext, event: number, task: number, mustInclude: number): WindowLane {
  const range = ctx.hb.concurrentRange(event, task);
  const { seq } = ctx.trace;
  if (!range) return { task, from: mustInclude, to: mustInclude };
  return {
    task,
    from: seq[range.from] <= seq[mustInclude] ? range.from : mustInclude,
    to: seq[range.to] >= seq[mustInclude] ? range.to : mustInclude,
  };
}

/** `line 12`: where an event is, for a message. */
export function at(trace: Trace, event: number): string {
  return `line ${trace.line[event]}`;
}

/**
 * A finding of `rule`. Its witness is worked out when first read: a report that
 * shows no witness (the JSON report, the Problems panel) never pays for one.
 */
export function finding(
  rule: RuleId,
  severity: Finding['severity'],
  fields: { primary: number; related: number[]; md: string; message: string; window: WindowLane[]; witness: () => WitnessStep[] },
): Finding {
  const info = RULES[rule];
  const { primary, md, message, window } = fields;
  const related = [...new Set(fields.related)].filter((e) => e !== primary && e >= 0);
  let steps: WitnessStep[] | undefined;
  // An accessor of the literal, not one defined on the made object: that would turn every finding into a slow dictionary.
  return {
    rule,
    name: info.name,
    severity,
    primary,
    related,
    md,
    message,
    window,
    get witness(): WitnessStep[] {
      return (steps ??= fields.witness());
    },
    set witness(value: WitnessStep[]) {
      steps = value;
    },
    consequence: info.consequence,
    fixedBy: info.fixedBy,
  };
}
