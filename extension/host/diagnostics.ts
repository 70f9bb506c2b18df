// Findings and parse problems as Problems-panel diagnostics on the trace.
import * as vscode from 'vscode';
import type { Finding } from '../core/rules/finding';
import type { Diagnostic as InputDiagnostic, Trace } from '../core/trace/model';
import { ruleDocsUri } from './ruleDocs';
import { readSettings, type SeveritySetting } from './settings';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';

export const SOURCE = 'dm-race-lens';

/** Where the event token starts in a recorded line whose event name is a kernel spelling (`_raw_spin_lock`, `p_dm_get_0`). */
const RECORDED_EVENT_START: Partial<Record<Trace['format'], RegExp>> = {
  ftrace: /\d+\.\d+:\s+/,
  'trace-cmd': /\d+\.\d+:\s+/,
  'perf-script': /\d+\.\d+:\s+/,
  // nsecs cpu tid comm EVENT ...
  bpftrace: /^\s*\d+\s+\d+\s+\d+\s+\S+\s+/,
};

/** The range of event `e` on its trace line: from its event name to the end of the line. */
export function eventRange(document: vscode.TextDocument, trace: Trace, e: number): vscode.Range {
  const line = Math.min(Math.max(trace.line[e] - 1, 0), document.lineCount - 1);
  const text = document.lineAt(line).text;
  const end = text.trimEnd().length;
  const name = trace.eventName(e);
  const at = text.search(new RegExp(`(^|[\\s:])${name.replace(/[^\w]/g, '\\$&')}\\b`));
  if (at >= 0) return new vscode.Range(line, at + (/[\s:]/.test(text[at]) ? 1 : 0), line, end);
  const recorded = RECORDED_EVENT_START[trace.format]?.exec(text);
  const start = recorded ? recorded.index + recorded[0].length : document.lineAt(line).firstNonWhitespaceCharacterIndex;
  return new vscode.Range(line, Math.min(start, end), line, end);
}

export function toSeverity(setting: SeveritySetting, finding: Finding['severity']): vscode.DiagnosticSeverity | undefined {
  switch (setting === 'default' ? finding : setting) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    default:
      return undefined;
  }
}

/** One-line summary of an event for related information: `dmsetup/4121: dm_put md=md0 holders=0`. */
export function eventSummary(trace: Trace, e: number): string {
  return `${trace.taskName(e)}: ${trace.describe(e)}`;
}

export function findingDiagnostic(
  extensionUri: vscode.Uri,
  document: vscode.TextDocument,
  trace: Trace,
  f: Finding,
  severity: vscode.DiagnosticSeverity,
  rangeOf: (e: number) => vscode.Range = (e) => eventRange(document, trace, e),
  uri: vscode.Uri = document.uri,
): vscode.Diagnostic {
  const d = new vscode.Diagnostic(rangeOf(f.primary), `${f.message}${f.uncertain ? ' (uncertain: the window spans lost events)' : ''}`, severity);
  d.source = SOURCE;
  d.code = { value: f.rule, target: ruleDocsUri(extensionUri, f.rule) };
  d.relatedInformation = f.related.map((e) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, rangeOf(e)), eventSummary(trace, e)));
  return d;
}

function inputDiagnostic(document: vscode.TextDocument, d: InputDiagnostic): vscode.Diagnostic {
  const line = Math.min(Math.max(d.line - 1, 0), document.lineCount - 1);
  const text = document.lineAt(line).text;
  const start = Math.min(Math.max(d.column - 1, 0), text.length);
  const end = d.endColumn ? Math.min(Math.max(d.endColumn - 1, start), text.length) : text.length;
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(line, start, line, end > start ? end : text.length),
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = SOURCE;
  diagnostic.code = 'parse';
  return diagnostic;
}

export function traceDiagnostics(extensionUri: vscode.Uri, document: vscode.TextDocument, analysis: TraceAnalysis): vscode.Diagnostic[] {
  const settings = readSettings(document);
  const out = analysis.diagnostics.map((d) => inputDiagnostic(document, d));
  for (const f of analysis.findings) {
    const severity = toSeverity(settings.severity[f.rule], f.severity);
    if (severity !== undefined) out.push(findingDiagnostic(extensionUri, document, analysis.trace, f, severity));
  }
  return out;
}

/** Keeps the Problems panel in step with the analyses. */
export function registerTraceDiagnostics(context: vscode.ExtensionContext, analyses: TraceAnalyses): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  const publish = (a: TraceAnalysis) => {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === a.uri.toString());
    if (document) collection.set(a.uri, traceDiagnostics(context.extensionUri, document, a));
  };
  context.subscriptions.push(
    collection,
    analyses.onDidAnalyze(publish),
    analyses.onDidForget((uri) => collection.delete(uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dmRaceLens.severity')) analyses.all().forEach(publish);
    }),
  );
  analyses.all().forEach(publish);
  return collection;
}
