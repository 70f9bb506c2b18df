// Which open documents are traces, and their current analysis. Analysis runs on
// open, on edit (debounced) and on save; big files go to a worker thread with a
// cancellable progress notification (a saved file is read by the worker from
// disk; its Problems-panel entries come first, the trace after). Everything
// else reads from here.
import * as vscode from 'vscode';
import { analyzeText, type Analysis } from '../core/analyze';
import type { HappensBefore } from '../core/hb/happensBefore';
import { deserializeHappensBefore } from '../core/hb/transfer';
import type { Finding } from '../core/rules/finding';
import type { Diagnostic, Trace } from '../core/trace/model';
import type { FindingProblem } from '../core/report/problems';
import { detectFormat } from '../core/trace/parse';
import { readSettings } from './settings';
import { AnalysisWorker } from './analysisWorkerClient';
import { deserializeTrace } from '../core/trace/transfer';

export const TRACE_LANGUAGE = 'dmtrace';

/** An analysis as the views use it (for worker results, happens-before as the worker built it). */
export interface TraceAnalysis {
  uri: vscode.Uri;
  version: number;
  trace: Trace;
  findings: Finding[];
  diagnostics: Diagnostic[];
  readonly hb: HappensBefore;
  /** True when the analysis ran in the worker (the file is big). */
  inWorker: boolean;
  /** The Problems-panel entries the worker placed (absent for analyses on the host). */
  problems?: FindingProblem[];
}

/** A worker's Problems-panel entries, before its trace arrives. */
export interface EarlyProblems {
  uri: vscode.Uri;
  problems: FindingProblem[];
  diagnostics: Diagnostic[];
}

function fromAnalysis(uri: vscode.Uri, version: number, a: Analysis): TraceAnalysis {
  return { uri, version, trace: a.trace, findings: a.findings, diagnostics: a.diagnostics, hb: a.hb, inWorker: false };
}

export class TraceAnalyses implements vscode.Disposable {
  private readonly analyses = new Map<string, TraceAnalysis>();
  /** Documents the user asked to analyse whatever their language ("Analyze as dm trace"). */
  private readonly forced = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, vscode.CancellationTokenSource>();
  private readonly changed = new vscode.EventEmitter<TraceAnalysis>();
  private readonly closed = new vscode.EventEmitter<vscode.Uri>();
  private readonly early = new vscode.EventEmitter<EarlyProblems>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The worker thread for big traces, shared with the simulator's matrix. */
  readonly worker: AnalysisWorker;

  /** Fires after a document's analysis is replaced. */
  readonly onDidAnalyze = this.changed.event;
  /** Fires when a worker's Problems-panel entries arrive, before onDidAnalyze for the same analysis. */
  readonly onDidFindProblems = this.early.event;
  /** Fires when a trace document is closed and its analysis dropped. */
  readonly onDidForget = this.closed.event;

  constructor(extensionUri: vscode.Uri) {
    this.worker = new AnalysisWorker(extensionUri);
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, readSettings(e.document).debounceMs);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('dmRaceLens')) for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** A trace by language, by an explicit request, or (recorded formats) by content. */
  isTrace(document: vscode.TextDocument): boolean {
    if (document.languageId === TRACE_LANGUAGE || this.forced.has(document.uri.toString())) return true;
    if (!['plaintext', 'log', 'json', 'jsonc'].includes(document.languageId)) return false;
    // Recorded formats (ftrace, perf script, bpftrace, Chrome JSON) keep their language but are still analysed.
    const head = document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 200), 0));
    return detectFormat(head, document.fileName) !== 'dmtrace';
  }

  get(uri: vscode.Uri): TraceAnalysis | undefined {
    return this.analyses.get(uri.toString());
  }

  all(): TraceAnalysis[] {
    return [...this.analyses.values()];
  }

  /** Analyses the document now (used by commands and tests); returns the fresh analysis. */
  async analyzeNow(document: vscode.TextDocument, force = false): Promise<TraceAnalysis | undefined> {
    if (force) this.forced.add(document.uri.toString());
    if (!this.isTrace(document)) return undefined;
    const current = this.get(document.uri);
    if (current && current.version === document.version) return current;
    return this.run(document);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    if (!this.isTrace(document)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(document);
      }, delayMs),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.pending.get(key)?.cancel();
    this.forced.delete(key);
    if (this.analyses.delete(key)) this.closed.fire(uri);
  }

  private isBig(document: vscode.TextDocument): boolean {
    const s = readSettings(document);
    // offsetAt(end) is the text's length without joining its lines into one string.
    return document.lineCount >= s.workerThresholdLines || document.offsetAt(document.lineAt(document.lineCount - 1).range.end) >= s.workerThresholdBytes;
  }

  private async run(document: vscode.TextDocument): Promise<TraceAnalysis | undefined> {
    if (document.isClosed) return undefined;
    const key = document.uri.toString();
    this.pending.get(key)?.cancel();
    const version = document.version;
    const settings = readSettings(document);
    let result: TraceAnalysis | undefined;
    if (this.isBig(document)) {
      const cts = new vscode.CancellationTokenSource();
      this.pending.set(key, cts);
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DM Race Lens: analysing ${vscode.workspace.asRelativePath(document.uri)}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => cts.cancel());
          return this.runInWorker(document, settings.eventMap, cts.token, progress);
        },
      );
      if (this.pending.get(key) === cts) this.pending.delete(key);
    } else {
      result = fromAnalysis(document.uri, version, analyzeText(document.getText(), { fileName: document.fileName, map: settings.eventMap }));
    }
    // A newer edit may have arrived meanwhile; only the latest version is kept.
    if (!result || document.isClosed || document.version !== version) return result;
    this.analyses.set(key, result);
    this.changed.fire(result);
    return result;
  }

  private async runInWorker(
    document: vscode.TextDocument,
    map: Record<string, string>,
    token: vscode.CancellationToken,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<TraceAnalysis | undefined> {
    const version = document.version;
    // Settings objects are proxies that cannot cross a thread: send a plain copy.
    const plainMap = JSON.parse(JSON.stringify(map)) as Record<string, string>;
    // A saved file is read in the worker: no 100 MB string is joined here and copied across.
    const source = document.uri.scheme === 'file' && !document.isDirty ? { path: document.uri.fsPath } : { text: document.getText() };
    let problems: FindingProblem[] | undefined;
    let reported = 0;
    const response = await this.worker.request({ kind: 'analyze', source, fileName: document.fileName, map: plainMap }, token, (update) => {
      if (update.kind === 'progress') {
        const percent = Math.floor((100 * update.bytes) / Math.max(update.totalBytes, 1));
        progress.report({ message: percent < 100 ? `reading ${percent}%` : 'happens-before and rules', increment: percent - reported });
        reported = percent;
      } else if (!document.isClosed && document.version === version) {
        problems = update.problems;
        this.early.fire({ uri: document.uri, problems: update.problems, diagnostics: update.diagnostics });
        progress.report({ message: 'loading the trace for hovers and the graph' });
      }
    });
    if (!response) return undefined;
    const trace = deserializeTrace(response.trace);
    const { findings, diagnostics } = response;
    return { uri: document.uri, version, trace, findings, diagnostics, hb: deserializeHappensBefore(trace, response.hb), inWorker: true, problems };
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const c of this.pending.values()) c.cancel();
    this.worker.dispose();
    this.changed.dispose();
    this.early.dispose();
    this.closed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
