// The graph views of one activation: the "Show in graph" command, the "Open
// with graph" custom editor, and what keeps every open view in step with the
// editor: a new analysis redraws it, the cursor in the trace selects its event,
// the interleaving stepper moves it along. Disposing closes them all.
import * as vscode from 'vscode';
import type { Stepper } from '../stepper';
import type { TraceAnalyses } from '../traceAnalyses';
import { fileName, GRAPH_VIEW_TYPE, GraphView, type GraphViewHost } from './graphView';

export class GraphPanels implements GraphViewHost, vscode.Disposable {
  /** Open graph views per document URI. */
  private readonly views = new Map<string, Set<GraphView>>();
  private channel: vscode.LogOutputChannel | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(
    readonly extensionUri: vscode.Uri,
    readonly analyses: TraceAnalyses,
    stepper: Stepper,
  ) {
    this.disposables = [
      vscode.window.registerCustomEditorProvider(
        GRAPH_VIEW_TYPE,
        {
          resolveCustomTextEditor: (document, panel) => {
            this.add(new GraphView(this, document, panel, true));
          },
        },
        { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true },
      ),
      vscode.commands.registerCommand('dmRaceLens.showGraph', (uri?: string | vscode.Uri, options?: { finding?: number; event?: number }) => this.showCommand(uri, options)),
      analyses.onDidAnalyze((a) => {
        for (const view of this.viewsOf(a.uri)) void view.refresh();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const line = e.selections[0].active.line + 1;
        for (const view of this.viewsOf(e.textEditor.document.uri)) {
          const event = view.eventAtLine(line);
          if (event >= 0) view.highlight(event, true);
        }
      }),
      stepper.onDidStep((state) => {
        if (!state) return;
        for (const view of this.viewsOf(state.uri)) view.followStep(state.finding, state.event);
      }),
    ];
  }

  get log(): vscode.LogOutputChannel {
    return (this.channel ??= vscode.window.createOutputChannel('DM Race Lens: graph', { log: true }));
  }

  /** The open graph views of a document. */
  viewsOf(uri: vscode.Uri): ReadonlySet<GraphView> {
    return this.views.get(uri.toString()) ?? new Set();
  }

  /** "Show in graph": analyses the trace, then opens (or brings forward) its graph panel. */
  private async showCommand(uri: string | vscode.Uri | undefined, options?: { finding?: number; event?: number }): Promise<boolean> {
    const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) return false;
    const document = await vscode.workspace.openTextDocument(target);
    if (!(await this.analyses.analyzeNow(document, true))) return false;
    this.show(document, options);
    return true;
  }

  /** Opens (or brings forward) the graph of `document` beside the editor, focused on a finding or event. */
  show(document: vscode.TextDocument, options?: { finding?: number; event?: number }): void {
    const existing = [...this.viewsOf(document.uri)].find((v) => !v.isEditor);
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.focus(options);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      GRAPH_VIEW_TYPE,
      `Graph: ${fileName(document.uri)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] },
    );
    this.add(new GraphView(this, document, panel, false)).focus(options);
  }

  private add(view: GraphView): GraphView {
    const set = this.views.get(view.key) ?? new Set();
    set.add(view);
    this.views.set(view.key, set);
    return view;
  }

  closed(view: GraphView): void {
    const set = this.views.get(view.key);
    set?.delete(view);
    if (set?.size === 0) this.views.delete(view.key);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    // Closing a panel disposes its view, which leaves the map.
    for (const set of [...this.views.values()]) for (const view of [...set]) view.panel.dispose();
    this.views.clear();
    this.channel?.dispose();
    this.channel = undefined;
  }
}
