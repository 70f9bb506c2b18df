// The human form of `analyze`: one block per finding, read like a kernel
// report (KCSAN, lockdep): both sides with their lines and tasks, the window,
// the witness schedule, the consequence and the fix.

import type { Analysis } from '../analyze';
import type { Finding } from '../rules/finding';
import { RULES } from '../rules/finding';

const RULE_LINE = '='.repeat(72);

export function toText(analysis: Analysis, fileName: string): string {
  return [...textPieces(analysis, fileName)].join('');
}

/** The report in pieces, a line or a finding at a time (never one string: a trace may have 200k findings). */
export function* textPieces(analysis: Analysis, fileName: string): Generator<string> {
  const { trace, findings, diagnostics } = analysis;
  for (const d of diagnostics) yield `${fileName}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`;
  for (const f of findings) yield findingText(analysis, f, fileName) + '\n';
  const errors = findings.filter((f) => f.severity === 'error').length;
  const omitted = (analysis.diagnosticsOmitted ?? []).reduce((n, o) => n + o.count, 0);
  yield (
    `${fileName}: ${count(trace.length, 'event')}, ${count(trace.tasks.length, 'task')}: ${count(errors, 'race')}, ` +
    `${count(findings.length - errors, 'unsafe ordering')} (warning), ${count(diagnostics.length, 'input diagnostic')}` +
    `${omitted > 0 ? ` listed (${omitted} more not listed)` : ''}\n`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function findingText({ trace }: Analysis, f: Finding, fileName: string): string {
  const p = f.primary;
  const lines = [
    RULE_LINE,
    `${f.severity === 'error' ? 'BUG' : 'WARNING'}: ${f.rule} ${f.name}: ${RULES[f.rule].title}${f.uncertain ? ' (uncertain: events were lost inside the window)' : ''}`,
    '',
    `${trace.eventName(p)} of ${f.md || '?'} by ${trace.taskName(p)} on cpu${trace.cpu[p]} at ${fileName}:${trace.line[p]}:`,
    `  ${trace.describe(p)}`,
    '',
    f.message,
    '',
    'window:',
  ];
  for (const lane of f.window) {
    const name = trace.tasks[lane.task].name;
    const from = trace.line[lane.from];
    const to = trace.line[lane.to];
    lines.push(`  ${name}: ${from === to ? `line ${from}` : `lines ${from}-${to}`} (${trace.seq[lane.to] - trace.seq[lane.from] + 1} events)`);
  }
  lines.push('', f.severity === 'error' ? 'witness schedule (consistent with happens-before):' : 'schedule that would fault:');
  f.witness.forEach((s, k) => lines.push(`  ${String(k + 1).padStart(2)}. ${s.event === undefined && s.elided === undefined ? `(another schedule) ${s.text}` : s.text}`));
  lines.push('', `consequence: ${f.consequence}`, `fixed by: patch ${f.fixedBy.join(' + ')} of the series`, RULE_LINE);
  return lines.join('\n');
}
