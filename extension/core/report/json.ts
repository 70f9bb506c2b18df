// `analyze --format json` (spec section 5). The keys the spec names keep its
// order and meaning; `warnings` (lost events and other warning diagnostics),
// `uncertain` (a finding whose window spans a gap) and `diagnosticsOmitted`
// (input diagnostics counted beyond the cap, see trace/diagnostics.ts) are our additions.

import type { Analysis } from '../analyze';
import { jsonPieces } from './jsonText';

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
  diagnosticsOmitted?: { errors: number; warnings: number };
}

/** The report as text in pieces (JSON.stringify(toJson(analysis), null, 2), never one string). */
export function jsonReportPieces(analysis: Analysis, indent = ''): Generator<string> {
  return jsonPieces(toJson(analysis), indent);
}

export function toJson({ trace, findings, diagnostics, diagnosticsOmitted = [] }: Analysis): JsonReport {
  const omitted = (severity: string) => diagnosticsOmitted.find((o) => o.severity === severity)?.count ?? 0;
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
    ...(diagnosticsOmitted.length > 0 ? { diagnosticsOmitted: { errors: omitted('error'), warnings: omitted('warning') } } : {}),
  };
}
