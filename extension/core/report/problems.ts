// The Problems-panel entries of an analysis as plain data: where each finding
// and each related event sits on its line, and the text shown. The editor's
// worker computes them next to the analysis and sends them first, so the host
// only wraps them in vscode.Diagnostic objects; small traces compute them on
// the host from the document's lines. No vscode here.
import type { Finding, RuleId } from '../rules/finding';
import type { Severity, Trace, TraceFormat } from '../trace/model';

/** 0-based line, start and end columns (what vscode.Range takes). */
export type LineRange = [line: number, start: number, end: number];

export interface RelatedProblem {
  range: LineRange;
  /** `dmsetup/4121: dm_put md=md0 holders=0`. */
  summary: string;
}

export interface FindingProblem {
  rule: RuleId;
  severity: Severity;
  message: string;
  range: LineRange;
  related: RelatedProblem[];
}

/** Where the event token starts in a recorded line whose event name is a kernel spelling (`_raw_spin_lock`, `p_dm_get_0`). */
const RECORDED_EVENT_START: Partial<Record<TraceFormat, RegExp>> = {
  ftrace: /\d+\.\d+:\s+/,
  'trace-cmd': /\d+\.\d+:\s+/,
  'perf-script': /\d+\.\d+:\s+/,
  // nsecs cpu tid comm EVENT ...
  bpftrace: /^\s*\d+\s+\d+\s+\d+\s+\S+\s+/,
};

const isSpaceOrColon = (c: string | undefined): boolean => c === undefined || c === ':' || /\s/.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);

/**
 * The columns of an event on its line `text`: from its name (a whole word after
 * a space or a colon) to the end of the line without trailing blanks; where the
 * name is not on the line (a recorded format's kernel spelling), from the
 * recorded format's event field, else from the first non-blank character.
 */
export function eventColumns(format: TraceFormat, text: string, name: string): [start: number, end: number] {
  const end = text.trimEnd().length;
  if (name.length > 0) {
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      if (isSpaceOrColon(text[at - 1]) && !(isWordChar(name[name.length - 1]) && isWordChar(text[at + name.length]))) return [at, end];
    }
  }
  const recorded = RECORDED_EVENT_START[format]?.exec(text);
  const start = recorded ? recorded.index + recorded[0].length : text.length - text.trimStart().length;
  return [Math.min(start, end), end];
}

/** One-line summary of an event for related information: `dmsetup/4121: dm_put md=md0 holders=0`. */
export function eventSummary(trace: Trace, e: number): string {
  return `${trace.taskName(e)}: ${trace.describe(e)}`;
}

/** The message a finding's diagnostic shows. */
export function findingMessage(f: Finding): string {
  return `${f.message}${f.uncertain ? ' (uncertain: the window spans lost events)' : ''}`;
}

/**
 * The problems of `findings`; `lineText(i)` gives the text of 0-based line i
 * (undefined past the end: such an event gets an empty range on its line).
 */
export function findingProblems(trace: Trace, findings: readonly Finding[], lineText: (line: number) => string | undefined): FindingProblem[] {
  const rangeOf = (e: number): LineRange => {
    const line = Math.max(trace.line[e] - 1, 0);
    const text = lineText(line);
    if (text === undefined) return [line, 0, 0];
    return [line, ...eventColumns(trace.format, text, trace.eventName(e))];
  };
  return findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    message: findingMessage(f),
    range: rangeOf(f.primary),
    related: f.related.map((e) => ({ range: rangeOf(e), summary: eventSummary(trace, e) })),
  }));
}

/** The 0-based lines `findingProblems` reads, ascending. */
export function linesOfFindings(trace: Trace, findings: readonly Finding[]): number[] {
  const lines = new Set<number>();
  for (const f of findings) {
    lines.add(Math.max(trace.line[f.primary] - 1, 0));
    for (const e of f.related) lines.add(Math.max(trace.line[e] - 1, 0));
  }
  return [...lines].sort((a, b) => a - b);
}
