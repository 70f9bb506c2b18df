// `@file:line` in a trace is a link (Ctrl+click) to that line of the source,
// resolved like the source diagnostics (`!source`, the trace's folder, the kernel tree).
// The parser has read each event's location; only its span is found on the line.
import * as vscode from 'vscode';
import { resolveSource } from './sources';
import type { TraceAnalyses } from './traceAnalyses';

export function registerSourceLinks(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  context.subscriptions.push(
    vscode.languages.registerDocumentLinkProvider(
      { language: 'dmtrace' },
      {
        async provideDocumentLinks(document) {
          const analysis = await analyses.analyzeNow(document);
          if (!analysis) return [];
          const { trace } = analysis;
          const resolved = new Map<string, string | undefined>();
          const links: vscode.DocumentLink[] = [];
          for (let e = 0; e < trace.length; e++) {
            const src = trace.source(e);
            const line = trace.line[e] - 1;
            if (!src || line < 0 || line >= document.lineCount) continue;
            const text = document.lineAt(line).text;
            const at = text.lastIndexOf(`@${src.file}:`);
            if (at < 0) continue;
            let end = at + src.file.length + 2;
            while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
            if (!resolved.has(src.file)) resolved.set(src.file, resolveSource(analysis, src.file));
            const path = resolved.get(src.file);
            if (!path) continue;
            const target = vscode.Uri.file(path).with({ fragment: `L${src.line}` });
            const link = new vscode.DocumentLink(new vscode.Range(line, at, line, end), target);
            link.tooltip = `Open ${vscode.workspace.asRelativePath(path)} at line ${src.line}`;
            links.push(link);
          }
          return links;
        },
      },
    ),
  );
}
