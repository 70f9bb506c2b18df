// Outline and Go to Symbol for traces: each race (by rule and device) and each
// task with its event count, so Ctrl+Shift+O jumps to a race or a task's first event.
import * as vscode from 'vscode';
import { lineRange } from './editorPositions';
import type { TraceAnalyses } from './traceAnalyses';

export function registerTraceSymbols(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  context.subscriptions.push(
    vscode.languages.registerDocumentSymbolProvider(
      { language: 'dmtrace' },
      {
        async provideDocumentSymbols(document) {
          const analysis = await analyses.analyzeNow(document);
          if (!analysis) return [];
          const { trace, hb } = analysis;
          const races = analysis.findings.map((f) => {
            const range = lineRange(document, trace.line[f.primary]);
            return new vscode.DocumentSymbol(`${f.rule} ${f.name}`, `${f.md} · ${f.severity} · line ${trace.line[f.primary]}`, vscode.SymbolKind.Event, range, range);
          });
          const tasks = trace.tasks.map((t, k) => {
            const events = hb.taskEvents[k];
            const first = lineRange(document, trace.line[events[0]]);
            const last = lineRange(document, trace.line[events[events.length - 1]]);
            return new vscode.DocumentSymbol(t.name, `${events.length} events, cpu${t.firstCpu}`, vscode.SymbolKind.Class, first.union(last), first);
          });
          return [...races, ...tasks];
        },
      },
      { label: 'DM Race Lens' },
    ),
  );
}
