// `@file:line` in a trace is a link (Ctrl+click) to that line of the source,
// resolved like the source diagnostics (`!source`, the trace's folder, the kernel tree).
import * as vscode from 'vscode';
import { resolveSource } from './sources';
import type { TraceAnalyses } from './traceAnalyses';

const LOCATION = /(?<=\s)@([^\s:@]+):(\d+)\b/g;

export function registerSourceLinks(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  context.subscriptions.push(
    vscode.languages.registerDocumentLinkProvider(
      { language: 'dmtrace' },
      {
        async provideDocumentLinks(document) {
          const analysis = await analyses.analyzeNow(document);
          if (!analysis) return [];
          const resolved = new Map<string, string | undefined>();
          const links: vscode.DocumentLink[] = [];
          for (let line = 0; line < document.lineCount; line++) {
            const text = document.lineAt(line).text;
            if (!text.includes('@')) continue;
            for (const m of text.matchAll(LOCATION)) {
              const file = m[1];
              if (!resolved.has(file)) resolved.set(file, resolveSource(analysis, file));
              const path = resolved.get(file);
              if (!path) continue;
              const target = vscode.Uri.file(path).with({ fragment: `L${m[2]}` });
              const link = new vscode.DocumentLink(new vscode.Range(line, m.index, line, m.index + m[0].length), target);
              link.tooltip = `Open ${vscode.workspace.asRelativePath(path)} at line ${m[2]}`;
              links.push(link);
            }
          }
          return links;
        },
      },
    ),
  );
}
