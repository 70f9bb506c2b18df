// All rules, run in order; findings sorted by their primary event's line.

import type { HappensBefore } from '../hb/happensBefore';
import type { Trace } from '../trace/model';
import type { RuleOptions } from './context';
import type { Finding } from './finding';
import { moduleUnloadInUse } from './moduleUnloadInUse';
import { openWhileFreeing } from './openWhileFreeing';
import { publishBeforeInit } from './publishBeforeInit';
import { registerBeforeInit } from './registerBeforeInit';
import { sleepInAtomic } from './sleepInAtomic';
import { staleLookupGet } from './staleLookupGet';

const ALL_RULES = [publishBeforeInit, staleLookupGet, openWhileFreeing, sleepInAtomic, moduleUnloadInUse, registerBeforeInit];

export function runRules(trace: Trace, hb: HappensBefore, options?: RuleOptions): Finding[] {
  const ctx = { trace, hb, options };
  const findings = ALL_RULES.flatMap((rule) => rule(ctx));
  for (const f of findings) if (spansGap(trace, f)) f.uncertain = true;
  return findings.sort((a, b) => trace.line[a.primary] - trace.line[b.primary] || a.rule.localeCompare(b.rule));
}

/** Does a lost-events gap fall inside the finding's window (in analysis order)? */
function spansGap(trace: Trace, f: Finding): boolean {
  if (trace.gaps.length === 0) return false;
  // loops, not Math.min(...events): a finding may relate to more events than a call takes arguments
  let lo = f.primary;
  let hi = f.primary;
  const widen = (e: number) => {
    if (e < lo) lo = e;
    if (e > hi) hi = e;
  };
  for (const e of f.related) widen(e);
  for (const lane of f.window) {
    widen(lane.from);
    widen(lane.to);
  }
  return trace.gaps.some((g) => g.beforeEvent > lo && g.beforeEvent <= hi);
}
