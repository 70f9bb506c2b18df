// One graph webview on the host side, for one trace document: either a panel
// beside the editor ("Show happens-before graph") or the "Open with graph"
// custom editor. It posts the graph (typed arrays travel as buffers) and keeps
// editor and graph in step: a click in the graph reveals the line, the cursor in
// the trace selects the event. Messages from the webview are validated before
// anything reads them. The set of open views is graphPanels.ts.
import * as vscode from 'vscode';
import { buildGraph } from '../../core/graph/build';
import type { GraphModel } from '../../core/graph/model';
import type { Trace } from '../../core/trace/model';
import { parseWebviewMessage, type GraphFocus, type HostMessage, type WebviewMessage } from '../../protocol';
import { revealLine } from '../editorPositions';
import type { TraceAnalyses } from '../traceAnalyses';
import { graphHtml, makeNonce } from './html';

export const GRAPH_VIEW_TYPE = 'dmRaceLens.graph';

/** What a view needs from the panels that own it. */
export interface GraphViewHost {
  readonly extensionUri: vscode.Uri;
  readonly analyses: TraceAnalyses;
  readonly log: vscode.LogOutputChannel;
  /** Called once when the view is closed. */
  closed(view: GraphView): void;
}

export function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString();
}

export class GraphView implements vscode.Disposable {
  private graph: GraphModel | undefined;
  /** The trace the graph was built from (its event indices are the graph's). */
  private trace: Trace | undefined;
  private ready = false;
  private pendingFocus: GraphFocus | undefined;
  private steppedFinding = -1;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: GraphViewHost,
    readonly document: vscode.TextDocument,
    readonly panel: vscode.WebviewPanel,
    /** True for the custom editor: the text editor is then opened beside, not in the panel's group. */
    readonly isEditor: boolean,
  ) {
    const dist = vscode.Uri.joinPath(host.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = graphHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      title: fileName(document.uri),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (message) void this.onMessage(message);
        else host.log.warn(`graph webview sent a malformed message; ignored: ${JSON.stringify(raw)?.slice(0, 200)}`);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get key(): string {
    return this.document.uri.toString();
  }

  /** Rebuilds the graph from the current analysis and posts it. */
  async refresh(): Promise<void> {
    const analysis = await this.host.analyses.analyzeNow(this.document, true);
    if (!analysis) return;
    this.graph = buildGraph({ ...analysis, diagnostics: [] }, { title: fileName(this.document.uri) });
    this.trace = analysis.trace;
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
    return this.trace?.eventAtLine(line) ?? -1;
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
        this.host.log.error(`graph webview: ${m.message}`);
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
    revealLine(editor, line);
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
    if (this.disposables.length === 0) return;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.host.closed(this);
  }
}
