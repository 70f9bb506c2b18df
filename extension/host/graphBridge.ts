// The "Show in graph" command and the "Open with graph" editor: the graph panel
// itself lives in extension/host/graph/graphPanel.ts; it reads the analyses
// from the shared store so a trace is analysed once.
import * as vscode from 'vscode';
import { registerGraphEditor, setGraphAnalysisSource, showGraph } from './graph/graphPanel';
import type { TraceAnalyses } from './traceAnalyses';

export function registerGraph(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  context.subscriptions.push(
    setGraphAnalysisSource({ analyze: (document) => analyses.analyzeNow(document, true), onDidAnalyze: analyses.onDidAnalyze }),
    registerGraphEditor(context),
    vscode.commands.registerCommand('dmRaceLens.showGraph', async (uri?: string | vscode.Uri, options?: { finding?: number; event?: number }) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return false;
      const document = await vscode.workspace.openTextDocument(target);
      if (!(await analyses.analyzeNow(document, true))) return false;
      showGraph(context, document, options);
      return true;
    }),
  );
}
