// Activation: the thin host layer. It wires the analysis store to the views;
// the analysis itself lives in extension/core and knows nothing of VS Code.
import * as vscode from 'vscode';
import { registerTraceDiagnostics } from './diagnostics';
import { TraceAnalyses } from './traceAnalyses';

export interface DmRaceLensApi {
  analyses: TraceAnalyses;
}

export function activate(context: vscode.ExtensionContext): DmRaceLensApi {
  const analyses = new TraceAnalyses(context.extensionUri);
  context.subscriptions.push(analyses);
  registerTraceDiagnostics(context, analyses);
  context.subscriptions.push(
    vscode.commands.registerCommand('dmRaceLens.analyze', async (uri?: vscode.Uri) => {
      const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!document) {
        void vscode.window.showInformationMessage('DM Race Lens: open a trace first.');
        return undefined;
      }
      const analysis = await analyses.analyzeNow(document, true);
      return analysis ? { findings: analysis.findings.length, events: analysis.trace.length } : undefined;
    }),
  );
  return { analyses };
}

export function deactivate(): void {}
