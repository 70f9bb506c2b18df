// The "Show in graph" command. The graph panel (extension/host/graph/graphPanel.ts)
// is written separately; until it is part of the build this command says so
// instead of failing.
import * as vscode from 'vscode';
import type { TraceAnalyses } from './traceAnalyses';

export function registerGraph(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('dmRaceLens.showGraph', async (uri?: string | vscode.Uri, options?: { finding?: number; event?: number }) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return false;
      const document = await vscode.workspace.openTextDocument(target);
      await analyses.analyzeNow(document, true);
      void options;
      void vscode.window.showInformationMessage('DM Race Lens: the graph view is not part of this build yet.');
      return false;
    }),
  );
}
