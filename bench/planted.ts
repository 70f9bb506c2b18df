// The check the benchmark and the scale test share: the analysis of a
// generated trace reports every planted race, as planted, and nothing else.

import type { Finding } from '../extension/core/rules/finding';
import type { Trace } from '../extension/core/trace/model';
import type { GeneratedTrace } from './generate';

export interface PlantedCheck {
  expected: number;
  found: number;
  /** Planted races the analysis did not report (`RULE severity line md`). */
  missing: string[];
  /** Findings that are not planted races. */
  unexpected: string[];
}

/** `headerLines` is the generated file's lines before its first event (GeneratedTrace.headerLines of its format). */
export function checkPlanted(generated: GeneratedTrace, headerLines: number, trace: Trace, findings: readonly Finding[]): PlantedCheck {
  // DMR5 names the first live device of the whole trace, not the planted one: its md is not part of the key.
  const key = (rule: string, severity: string, line: number, md: string) => `${rule} ${severity} line ${line}${rule === 'DMR5' ? '' : ` ${md}`}`;
  const expected = new Set(generated.planted.map((p) => key(p.rule, p.severity, p.event + headerLines + 1, p.md)));
  const got = new Set(findings.map((f) => key(f.rule, f.severity, trace.line[f.primary], f.md)));
  return {
    expected: expected.size,
    found: findings.length,
    missing: [...expected].filter((k) => !got.has(k)),
    unexpected: [...got].filter((k) => !expected.has(k)),
  };
}
