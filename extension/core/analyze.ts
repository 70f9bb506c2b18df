// The pipeline every consumer uses: text -> trace -> happens-before -> findings.
// A file on disk goes through node/readFile.ts (analyzeFile), which ends here.

import { HappensBefore } from './hb/happensBefore';
import { runRules } from './rules';
import type { RuleOptions } from './rules/context';
import type { Finding } from './rules/finding';
import { CappedDiagnostics, type Omitted } from './trace/diagnostics';
import type { Diagnostic, Trace } from './trace/model';
import { parseTrace, type ParseOptions } from './trace/parse';

export interface Analysis {
  trace: Trace;
  hb: HappensBefore;
  findings: Finding[];
  /** Problems with the input (parse errors, lost events, bad `!hb`), by line; capped, with a summary of what was left out at the end. */
  diagnostics: Diagnostic[];
  /** The input diagnostics counted but not listed, per kind (none when absent). */
  diagnosticsOmitted?: readonly Omitted[];
}

export function analyzeTrace(trace: Trace, options?: RuleOptions): Analysis {
  const hb = new HappensBefore(trace);
  const findings = runRules(trace, hb, options);
  const capped = new CappedDiagnostics();
  for (const d of trace.diagnostics) capped.add(d);
  for (const d of hb.diagnostics) capped.add(d);
  for (const o of trace.diagnosticsOmitted) capped.addOmitted(o);
  const diagnostics = capped.finish();
  return { trace, hb, findings, diagnostics, diagnosticsOmitted: capped.omitted() };
}

export function analyzeText(text: string, options: ParseOptions & RuleOptions = {}): Analysis {
  return analyzeTrace(parseTrace(text, options), options);
}
