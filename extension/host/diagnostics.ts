// Findings and parse problems as Problems-panel diagnostics on the trace.
import * as vscode from 'vscode';
import { eventColumns, eventSummary, findingMessage, findingProblems, type FindingProblem, type LineRange } from '../core/report/problems';
import type { Finding, RuleId } from '../core/rules/finding';
import type { Diagnostic as InputDiagnostic, Trace } from '../core/trace/model';
import { ruleDocsUri } from './ruleDocs';
import { readSettings, type SeveritySetting } from './settings';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';

export const SOURCE = 'dm-race-lens';

/** The range of event `e` on its trace line: from its event name to the end of the line. */
export function eventRange(document: vscode.TextDocument, trace: Trace, e: number): vscode.Range {
  const line = Math.min(Math.max(trace.line[e] - 1, 0), document.lineCount - 1);
  const [start, end] = eventColumns(trace.format, document.lineAt(line).text, trace.eventName(e));
  return new vscode.Range(line, start, line, end);
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

export function findingDiagnostic(
  extensionUri: vscode.Uri,
  document: vscode.TextDocument,
  trace: Trace,
  f: Finding,
  severity: vscode.DiagnosticSeverity,
  rangeOf: (e: number) => vscode.Range = (e) => eventRange(document, trace, e),
  uri: vscode.Uri = document.uri,
): vscode.Diagnostic {
  const d = new vscode.Diagnostic(rangeOf(f.primary), findingMessage(f), severity);
  d.source = SOURCE;
  d.code = ruleCode(extensionUri, f.rule);
  d.relatedInformation = f.related.map((e) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, rangeOf(e)), eventSummary(trace, e)));
  return d;
}

/** The diagnostic's code: the rule, linking to its section of docs/rules.md (one URI per rule, not per finding). */
const ruleCodes = new Map<string, vscode.Diagnostic['code']>();
function ruleCode(extensionUri: vscode.Uri, rule: RuleId): vscode.Diagnostic['code'] {
  const key = `${extensionUri.toString()} ${rule}`;
  let code = ruleCodes.get(key);
  if (!code) ruleCodes.set(key, (code = { value: rule, target: ruleDocsUri(extensionUri, rule) }));
  return code;
}

const toRange = ([line, start, end]: LineRange) => new vscode.Range(line, start, line, end);

/** A finding's diagnostic from its plain entry (computed on the host or in the worker). */
function problemDiagnostic(extensionUri: vscode.Uri, uri: vscode.Uri, p: FindingProblem, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(p.range), p.message, severity);
  d.source = SOURCE;
  d.code = ruleCode(extensionUri, p.rule);
  d.relatedInformation = p.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.summary));
  return d;
}

/**
 * A parse problem on its token. `lineText` is the document's line when there is
 * one; a trace too big for VS Code to hand to extensions has none, and the
 * diagnostic then runs to the end of the line.
 */
function inputDiagnostic(d: InputDiagnostic, lineText?: (line: number) => string): vscode.Diagnostic {
  const line = Math.max(d.line - 1, 0);
  const length = lineText ? lineText(line).length : Number.MAX_SAFE_INTEGER;
  const start = Math.min(Math.max(d.column - 1, 0), length);
  const end = d.endColumn ? Math.min(Math.max(d.endColumn - 1, start), length) : length;
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(line, start, line, end > start ? end : length),
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = SOURCE;
  diagnostic.code = 'parse';
  return diagnostic;
}

/** The entries of the Problems panel, from plain data: what the worker sends first. */
export function problemsDiagnostics(
  extensionUri: vscode.Uri,
  uri: vscode.Uri,
  problems: readonly FindingProblem[],
  diagnostics: readonly InputDiagnostic[],
  lineText?: (line: number) => string,
): vscode.Diagnostic[] {
  const settings = readSettings(uri);
  const out = diagnostics.map((d) => inputDiagnostic(d, lineText));
  for (const p of problems) {
    const severity = toSeverity(settings.severity[p.rule], p.severity);
    if (severity !== undefined) out.push(problemDiagnostic(extensionUri, uri, p, severity));
  }
  return out;
}

export function traceDiagnostics(extensionUri: vscode.Uri, document: vscode.TextDocument, analysis: TraceAnalysis): vscode.Diagnostic[] {
  const lineText = (line: number) => document.lineAt(Math.min(line, document.lineCount - 1)).text;
  const problems = analysis.problems ?? findingProblems(analysis.trace, analysis.findings, lineText);
  return problemsDiagnostics(extensionUri, document.uri, problems, analysis.diagnostics, lineText);
}

/** Keeps the Problems panel in step with the analyses; a worker's entries are shown as soon as they arrive. */
export function registerTraceDiagnostics(context: vscode.ExtensionContext, analyses: TraceAnalyses): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  /** The worker entries already in the panel, by URI: the full analysis that follows them does not build them again. */
  const shown = new Map<string, readonly FindingProblem[]>();
  const documentOf = (uri: vscode.Uri) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const show = (uri: vscode.Uri, problems: readonly FindingProblem[], diagnostics: readonly InputDiagnostic[]) => {
    const document = documentOf(uri);
    const lineText = document && ((line: number) => document.lineAt(Math.min(line, document.lineCount - 1)).text);
    collection.set(uri, problemsDiagnostics(context.extensionUri, uri, problems, diagnostics, lineText));
    shown.set(uri.toString(), problems);
  };
  const publish = (a: TraceAnalysis) => {
    if (a.problems) {
      if (shown.get(a.uri.toString()) !== a.problems) show(a.uri, a.problems, a.diagnostics);
      return;
    }
    const document = documentOf(a.uri);
    if (document) collection.set(a.uri, traceDiagnostics(context.extensionUri, document, a));
  };
  context.subscriptions.push(
    collection,
    analyses.onDidFindProblems((p) => show(p.uri, p.problems, p.diagnostics)),
    analyses.onDidAnalyze(publish),
    analyses.onDidForget((uri) => {
      shown.delete(uri.toString());
      collection.delete(uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('dmRaceLens.severity')) return;
      shown.clear();
      analyses.all().forEach(publish);
    }),
  );
  analyses.all().forEach(publish);
  return collection;
}
