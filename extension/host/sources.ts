// Source lines: events written with `@file:line` put the findings' diagnostics
// and the event hovers on the source file too. A file name goes through the
// trace's `!source FILE=PATH` (relative to the trace file), then the trace's own
// folder and its `source/` folder; `dmRaceLens.kernelTree` adds drivers/md of a
// kernel tree, where function names of unresolved events are also looked up.
// Every path stays inside the trace's workspace folder, the trace's folder or the
// kernel tree (core/node/sourcePaths); a `!source` outside them is ignored with a
// warning on its line. In an untrusted workspace nothing of this runs.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { confineSourcePath, isConfinedFile } from '../core/node/sourcePaths';
import { findingDiagnostic, SOURCE, toSeverity } from './diagnostics';
import { fileLineRange } from './editorPositions';
import { eventHoverMarkdown, type HoverSources } from './hover';
import { mdText } from '../core/report/markdown';
import { readSettings } from './settings';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';

/** The trace's folder and the folders its sources may be in; undefined when sources are not looked for at all. */
function sourceScope(analysis: TraceAnalysis): { traceDir: string; roots: string[]; tree: string } | undefined {
  if (!vscode.workspace.isTrusted || analysis.uri.scheme !== 'file') return undefined;
  const traceDir = dirname(analysis.uri.fsPath);
  const tree = readSettings().kernelTree;
  const folder = vscode.workspace.getWorkspaceFolder(analysis.uri);
  const roots = [traceDir, ...(folder?.uri.scheme === 'file' ? [folder.uri.fsPath] : []), ...(tree ? [tree] : [])];
  return { traceDir, roots, tree };
}

/** The file `@file:line` of an event of this trace refers to, if it exists inside the allowed folders. */
export function resolveSource(analysis: TraceAnalysis, file: string): string | undefined {
  const scope = sourceScope(analysis);
  if (!scope) return undefined;
  const { traceDir, roots, tree } = scope;
  const mapped = analysis.trace.sources.get(file);
  const candidates: string[] = [];
  const target = mapped && confineSourcePath(mapped.path, traceDir, roots);
  if (target) candidates.push(target);
  candidates.push(join(traceDir, file), join(traceDir, 'source', file));
  if (tree) candidates.push(join(tree, 'drivers', 'md', file), join(tree, file));
  return candidates.find((c) => isConfinedFile(c, roots));
}

/** A warning on each `!source` whose PATH lies outside the allowed folders (it is ignored). */
export function sourceDirectiveDiagnostics(analysis: TraceAnalysis): vscode.Diagnostic[] {
  const scope = sourceScope(analysis);
  if (!scope) return [];
  const out: vscode.Diagnostic[] = [];
  for (const [file, m] of analysis.trace.sources) {
    if (confineSourcePath(m.path, scope.traceDir, scope.roots)) continue;
    const range = new vscode.Range(m.line - 1, m.column - 1, m.line - 1, m.endColumn - 1);
    const d = new vscode.Diagnostic(
      range,
      `!source ${file}: "${m.path}" is outside the workspace folder, the trace's folder and dmRaceLens.kernelTree; ignored`,
      vscode.DiagnosticSeverity.Warning,
    );
    d.source = SOURCE;
    d.code = 'source';
    out.push(d);
  }
  return out;
}

/** Source line of each event of the analysis that has one: event -> {path, line}. */
function sourceEvents(analysis: TraceAnalysis): Map<number, { path: string; line: number }> {
  const out = new Map<number, { path: string; line: number }>();
  const resolved = new Map<string, string | undefined>();
  const { trace } = analysis;
  for (let e = 0; e < trace.length; e++) {
    const src = trace.source(e);
    if (!src) continue;
    if (!resolved.has(src.file)) resolved.set(src.file, resolveSource(analysis, src.file));
    const path = resolved.get(src.file);
    if (path) out.set(e, { path, line: src.line });
  }
  return out;
}

export function registerSources(context: vscode.ExtensionContext, analyses: TraceAnalyses, hoverSources: HoverSources): void {
  const collection = vscode.languages.createDiagnosticCollection('dm-race-lens-source');
  /** Per source path, the events of each analysed trace on each line (1-based). */
  const bySource = new Map<string, { analysis: TraceAnalysis; event: number; line: number }[]>();

  const rebuild = () => {
    bySource.clear();
    collection.clear();
    const perFile = new Map<string, vscode.Diagnostic[]>();
    for (const analysis of analyses.all()) {
      const located = sourceEvents(analysis);
      for (const [event, at] of located) {
        const list = bySource.get(at.path) ?? [];
        list.push({ analysis, event, line: at.line });
        bySource.set(at.path, list);
      }
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === analysis.uri.toString());
      if (!document) continue;
      const ignored = sourceDirectiveDiagnostics(analysis);
      if (ignored.length > 0) collection.set(analysis.uri, ignored);
      const settings = readSettings(document);
      const traceName = vscode.workspace.asRelativePath(analysis.uri);
      for (const f of analysis.findings) {
        const at = located.get(f.primary);
        const severity = toSeverity(settings.severity[f.rule], f.severity);
        if (!at || severity === undefined) continue;
        // Related events that have a source line point there; the others point into the trace.
        const rangeOf = (e: number) => {
          const s = located.get(e);
          return fileLineRange(s ? s.line : analysis.trace.line[e]);
        };
        const d = findingDiagnostic(context.extensionUri, document, analysis.trace, f, severity, rangeOf, vscode.Uri.file(at.path));
        d.message = `${d.message} [${traceName}:${analysis.trace.line[f.primary]}]`;
        d.relatedInformation = [
          new vscode.DiagnosticRelatedInformation(new vscode.Location(analysis.uri, new vscode.Range(analysis.trace.line[f.primary] - 1, 0, analysis.trace.line[f.primary] - 1, 0)), `the event in ${traceName}`),
          ...f.related.map((e) => {
            const s = located.get(e);
            const uri = s ? vscode.Uri.file(s.path) : analysis.uri;
            return new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, rangeOf(e)), `${analysis.trace.taskName(e)}: ${analysis.trace.describe(e)}`);
          }),
        ];
        const list = perFile.get(at.path) ?? [];
        list.push(d);
        perFile.set(at.path, list);
      }
    }
    for (const [path, ds] of perFile) collection.set(vscode.Uri.file(path), ds);
  };

  context.subscriptions.push(
    collection,
    analyses.onDidAnalyze(rebuild),
    analyses.onDidForget(rebuild),
    vscode.workspace.onDidGrantWorkspaceTrust(rebuild),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dmRaceLens.kernelTree')) rebuild();
    }),
    vscode.languages.registerHoverProvider([{ language: 'c' }, { pattern: '**/*.{c,h}' }], {
      async provideHover(document, position) {
        const here = (bySource.get(document.uri.fsPath) ?? []).filter((x) => x.line === position.line + 1);
        if (here.length === 0) return undefined;
        // One hover part per trace event on this line, races first.
        here.sort((a, b) => Number(b.analysis.findings.some((f) => f.primary === b.event)) - Number(a.analysis.findings.some((f) => f.primary === a.event)));
        const parts: vscode.MarkdownString[] = [];
        for (const x of here.slice(0, 3)) {
          const md = await eventHoverMarkdown(x.analysis, x.event, hoverSources);
          parts.push(new vscode.MarkdownString(`*${mdText(vscode.workspace.asRelativePath(x.analysis.uri))}, line ${x.analysis.trace.line[x.event]}:*`), md);
        }
        if (here.length > 3) parts.push(new vscode.MarkdownString(`*…and ${here.length - 3} more trace events on this line.*`));
        return new vscode.Hover(parts);
      },
    }),
  );
  rebuild();
}
