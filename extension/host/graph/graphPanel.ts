// The graph panel on the host side: one webview per trace document, either a
// panel beside the editor ("Show happens-before graph") or the "Open with
// graph" custom editor. It posts the graph (typed arrays travel as buffers),
// and keeps editor and graph in step: a click in the graph reveals the line,
// the cursor in the trace selects the event, the interleaving stepper moves
// both. Messages from the webview are validated before anything reads them.

import * as vscode from 'vscode';
import { analyzeText, type Analysis } from '../../core/analyze';
import { buildGraph } from '../../core/graph/build';
import type { GraphModel } from '../../core/graph/model';
import { parseWebviewMessage, type GraphFocus, type HostMessage, type WebviewMessage } from '../../protocol';
import { onDidStep } from '../stepper';
import { graphHtml, makeNonce } from './html';

export const GRAPH_VIEW_TYPE = 'dmRaceLens.graph';

/** Where the graph gets its analysis: the editor's shared store once it registers, else its own. */
export interface GraphAnalysisSource {
  analyze(document: vscode.TextDocument): Promise<Pick<Analysis, 'trace' | 'hb' | 'findings'> | undefined>;
  /** Fires when a document's analysis changed (the graph follows). */
  onDidAnalyze?: vscode.Event<{ uri: vscode.Uri }>;
}

const ownSource: GraphAnalysisSource = {
  analyze: async (document) => analyzeText(document.getText(), { fileName: document.fileName }),
};
let source: GraphAnalysisSource = ownSource;

/** Lets the host's analysis store serve the graph, so a trace is analysed once. */
export function setGraphAnalysisSource(s: GraphAnalysisSource): vscode.Disposable {
  source = s;
  const sub = s.onDidAnalyze?.((a) => {
    for (const view of views.get(a.uri.toString()) ?? []) void view.refresh();
  });
  return new vscode.Disposable(() => {
    sub?.dispose();
    if (source === s) source = ownSource;
  });
}

/** Open graph views per document URI. */
const views = new Map<string, Set<GraphView>>();
let log: vscode.LogOutputChannel | undefined;
let shared: vscode.Disposable | undefined;

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}

class GraphView implements vscode.Disposable {
  private graph: GraphModel | undefined;
  private ready = false;
  private pendingFocus: GraphFocus | undefined;
  private eventByLine: Map<number, number> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly document: vscode.TextDocument,
    readonly panel: vscode.WebviewPanel,
    /** True for the custom editor: the text editor is then opened beside, not in the panel's group. */
    readonly isEditor: boolean,
  ) {
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const nonce = makeNonce();
    panel.webview.html = graphHtml({
      cspSource: panel.webview.cspSource,
      nonce,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      title: fileName(document.uri),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (message) void this.onMessage(message);
        else channel().warn(`graph webview sent a malformed message; ignored: ${JSON.stringify(raw)?.slice(0, 200)}`);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    const key = document.uri.toString();
    if (!views.has(key)) views.set(key, new Set());
    views.get(key)?.add(this);
  }

  get key(): string {
    return this.document.uri.toString();
  }

  /** Rebuilds the graph from the current analysis and posts it. */
  async refresh(): Promise<void> {
    const analysis = await source.analyze(this.document);
    if (!analysis) return;
    this.graph = buildGraph({ ...analysis, diagnostics: [] }, { title: fileName(this.document.uri) });
    this.eventByLine = undefined;
    this.postGraph();
  }

  focus(focus: GraphFocus | undefined): void {
    if (!focus) return;
    if (this.ready && this.graph) {
      if (focus.finding !== undefined) this.post({ type: 'focusRace', finding: focus.finding });
      if (focus.event !== undefined) this.post({ type: 'highlight', event: focus.event, reveal: true });
    } else {
      this.pendingFocus = focus;
    }
  }

  private steppedFinding = -1;

  /** The stepper moved: select its race once (fitting the view), then follow its events. */
  followStep(finding: number, event: number | undefined): void {
    if (finding !== this.steppedFinding) {
      this.steppedFinding = finding;
      this.focus({ finding });
    }
    if (event !== undefined) this.highlight(event, true);
  }

  highlight(event: number, reveal: boolean): void {
    if (this.ready && this.graph && event >= 0 && event < this.graph.eventCount) this.post({ type: 'highlight', event, reveal });
  }

  /** The event written on a 1-based line of the trace, or -1. */
  eventAtLine(line: number): number {
    const g = this.graph;
    if (!g) return -1;
    if (!this.eventByLine) {
      this.eventByLine = new Map();
      for (let i = 0; i < g.eventCount; i++) if (!this.eventByLine.has(g.events.line[i])) this.eventByLine.set(g.events.line[i], i);
    }
    return this.eventByLine.get(line) ?? -1;
  }

  private postGraph(): void {
    if (!this.ready || !this.graph) return;
    this.post({ type: 'graph', graph: this.graph, focus: this.pendingFocus });
    this.pendingFocus = undefined;
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.graph) this.postGraph();
        else await this.refresh();
        break;
      case 'reveal':
        if (this.graph && m.event < this.graph.eventCount) await this.revealLine(this.graph.events.line[m.event]);
        break;
      case 'selectRace': {
        const race = this.graph?.races.find((r) => r.finding === m.finding);
        if (race && this.graph) await this.revealLine(this.graph.events.line[race.primary]);
        break;
      }
      case 'export':
        await this.export(m.format, m.data);
        break;
      case 'error':
        channel().error(`graph webview: ${m.message}`);
        break;
    }
  }

  /** Shows the trace with the cursor on `line` (1-based), keeping the focus in the graph. */
  private async revealLine(line: number): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.key);
    const editor =
      visible ??
      (await vscode.window.showTextDocument(this.document, {
        // Never on top of the graph: the other side of it.
        viewColumn: this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One,
        preserveFocus: true,
        preview: false,
      }));
    const l = Math.max(0, Math.min(line - 1, editor.document.lineCount - 1));
    const range = editor.document.lineAt(l).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: 'svg' | 'png', data: string): Promise<void> {
    const base = this.document.uri.path.replace(/\.[^./]*$/, '');
    const target = await vscode.window.showSaveDialog({
      defaultUri: this.document.uri.with({ path: `${base}.graph.${format}` }),
      filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
    });
    if (!target) return;
    const bytes = format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data.slice(data.indexOf(',') + 1), 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`DM Race Lens: graph exported to ${vscode.workspace.asRelativePath(target)}`);
  }

  dispose(): void {
    views.get(this.key)?.delete(this);
    if (views.get(this.key)?.size === 0) views.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function channel(): vscode.LogOutputChannel {
  return (log ??= vscode.window.createOutputChannel('DM Race Lens: graph', { log: true }));
}

/** Editor -> graph: the cursor selects its event; the stepper moves the graph along. Registered once. */
function registerSync(context: vscode.ExtensionContext): void {
  if (shared) return;
  const subs: vscode.Disposable[] = [
    vscode.window.onDidChangeTextEditorSelection((e) => {
      const list = views.get(e.textEditor.document.uri.toString());
      if (!list) return;
      const line = e.selections[0].active.line + 1;
      for (const view of list) {
        const event = view.eventAtLine(line);
        if (event >= 0) view.highlight(event, true);
      }
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      // Without the editor's store, the graph re-analyses on its own (debounced).
      if (source !== ownSource || !views.has(e.document.uri.toString())) return;
      scheduleRefresh(e.document.uri.toString());
    }),
  ];
  shared = vscode.Disposable.from(...subs, new vscode.Disposable(() => (shared = undefined)));
  context.subscriptions.push(shared);
  context.subscriptions.push(
    onDidStep((state) => {
      if (!state) return;
      for (const view of views.get(state.uri.toString()) ?? []) view.followStep(state.finding, state.event);
    }),
  );
}

const refreshTimers = new Map<string, NodeJS.Timeout>();
function scheduleRefresh(key: string): void {
  clearTimeout(refreshTimers.get(key));
  refreshTimers.set(
    key,
    setTimeout(() => {
      refreshTimers.delete(key);
      for (const view of views.get(key) ?? []) void view.refresh();
    }, 300),
  );
}

/** Opens (or brings forward) the graph of `document` beside the editor, focused on a finding or event. */
export function showGraph(context: vscode.ExtensionContext, document: vscode.TextDocument, options?: { finding?: number; event?: number }): void {
  registerSync(context);
  const existing = [...(views.get(document.uri.toString()) ?? [])].find((v) => !v.isEditor);
  if (existing) {
    existing.panel.reveal(undefined, true);
    existing.focus(options);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    GRAPH_VIEW_TYPE,
    `Graph: ${fileName(document.uri)}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
    { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')] },
  );
  const view = new GraphView(context, document, panel, false);
  view.focus(options);
}

/** "Open with graph": the custom editor for trace files. */
export function registerGraphEditor(context: vscode.ExtensionContext): vscode.Disposable {
  registerSync(context);
  const provider: vscode.CustomTextEditorProvider = {
    resolveCustomTextEditor(document, panel) {
      new GraphView(context, document, panel, true);
    },
  };
  return vscode.window.registerCustomEditorProvider(GRAPH_VIEW_TYPE, provider, {
    webviewOptions: { retainContextWhenHidden: true },
    supportsMultipleEditorsPerDocument: true,
  });
}
