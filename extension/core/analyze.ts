// The pipeline every consumer uses: text -> trace -> happens-before -> findings.

import { HappensBefore } from './hb/happensBefore';
import { runRules } from './rules';
import type { RuleOptions } from './rules/context';
import type { Finding } from './rules/finding';
import type { Diagnostic, Trace } from './trace/model';
import { parseTrace, type ParseOptions } from './trace/parse';

export interface Analysis {
  trace: Trace;
  hb: HappensBefore;
  findings: Finding[];
  /** Problems with the input (parse errors, lost events, bad `!hb`), by line. */
  diagnostics: Diagnostic[];
}

export function analyzeTrace(trace: Trace, options?: RuleOptions): Analysis {
  const hb = new HappensBefore(trace);
  const findings = runRules(trace, hb, options);
  const diagnostics = [...trace.diagnostics, ...hb.diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
  return { trace, hb, findings, diagnostics };
}

export function analyzeText(text: string, options: ParseOptions = {}): Analysis {
  return analyzeTrace(parseTrace(text, options));
}
