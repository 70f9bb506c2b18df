// `analyze --format json` (spec section 5). The keys the spec names keep its
// order and meaning; `warnings` (lost events and other warning diagnostics)
// and `uncertain` (a finding whose window spans a gap) are our additions.

import type { Analysis } from '../analyze';

export interface JsonReport {
  version: 1;
  events: number;
  tasks: string[];
  errors: { line: number; column: number; message: string }[];
  findings: {
    rule: string;
    name: string;
    severity: 'error' | 'warning';
    line: number;
    related: number[];
    md: string;
    message: string;
    fixedBy: string[];
    uncertain?: true;
  }[];
  warnings: { line: number; column: number; message: string }[];
}

export function toJson({ trace, findings, diagnostics }: Analysis): JsonReport {
  const plain = (d: (typeof diagnostics)[number]) => ({ line: d.line, column: d.column, message: d.message });
  return {
    version: 1,
    events: trace.length,
    tasks: trace.tasks.map((t) => t.name),
    errors: diagnostics.filter((d) => d.severity === 'error').map(plain),
    findings: findings.map((f) => ({
      rule: f.rule,
      name: f.name,
      severity: f.severity,
      line: trace.line[f.primary],
      related: [...new Set(f.related.map((e) => trace.line[e]))].sort((a, b) => a - b),
      md: f.md,
      message: f.message,
      fixedBy: f.fixedBy,
      ...(f.uncertain ? { uncertain: true as const } : {}),
    })),
    warnings: diagnostics.filter((d) => d.severity === 'warning').map(plain),
  };
}
