// Hovers on trace events: the event, what orders it, what it is unordered
// with, and for an event in a race the full explanation with links to step
// through the interleaving, show the graph and open the closing patch.
import * as vscode from 'vscode';
import { CommandLinks } from './commandLinks';
import { concurrencyFacts, eventHeader, explainFinding, findingsOf, orderingFacts } from '../core/report/explain';
import { eventAtPosition } from './editorPositions';
import type { KernelFunctions } from './kernelTree';
import type { PatchFiles } from './patchSeries';
import { readSettings } from './settings';
import { mdCode, mdText } from '../core/report/markdown';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';

/** What an event hover looks up beyond the analysis: the series' patch files and the kernel tree. */
export interface HoverSources {
  patchFiles: PatchFiles;
  kernelFunctions: KernelFunctions;
}

/**
 * The hover markdown for event `e` of an analysis (shared by trace and source hovers).
 * Trace and workspace text is escaped (./markdown); the only commands the hover may
 * run are those of the links built here, with the arguments built here.
 */
export async function eventHoverMarkdown(analysis: TraceAnalysis, e: number, sources: HoverSources): Promise<vscode.MarkdownString> {
  const { trace, hb, findings } = analysis;
  // No theme icons: VS Code renders `$(name)` even inside code spans, where trace text cannot be escaped.
  const md = new vscode.MarkdownString(undefined, false);
  const links = new CommandLinks();
  md.appendMarkdown(eventHeader(trace, e));
  const caller = trace.callers.get(e);
  if (caller) md.appendMarkdown(`, called from ${mdCode(caller)}`);
  // Without @file:line, a kernel tree (setting) can still say where the function is.
  const tree = trace.source(e) ? '' : readSettings().kernelTree;
  if (tree) {
    const at = sources.kernelFunctions.find(tree, trace.eventName(e)) ?? (caller ? sources.kernelFunctions.find(tree, caller) : undefined);
    if (at) md.appendMarkdown(`\n\nSource: [${mdText(`${at.path.slice(tree.length + 1)}:${at.line}`)}](${vscode.Uri.file(at.path).with({ fragment: `L${at.line}` }).toString()})`);
  }
  md.appendMarkdown('\n\n**Ordered:** ' + orderingFacts(trace, hb, e).join('; ') + '.');
  const involved = findingsOf(findings, e);
  // The tasks on the other side of this event's races are named first.
  const raceTasks = involved.flatMap((k) => findings[k].window.map((lane) => lane.task));
  const unordered = concurrencyFacts(trace, hb, e, 4, raceTasks);
  if (unordered.length > 0) md.appendMarkdown('\n\n**Concurrent:** ' + unordered.join('; ') + '.');
  if (involved.length === 0) return links.trust(md);
  const patches = await sources.patchFiles.find(analysis.uri);
  for (const k of involved) {
    const f = findings[k];
    md.appendMarkdown('\n\n---\n\n');
    if (f.primary !== e) md.appendMarkdown(`*This event is part of the race reported at line ${trace.line[f.primary]}.*\n\n`);
    md.appendMarkdown(explainFinding(trace, hb, f));
    const fixes = f.fixedBy.map((id) => {
      const p = patches.get(id);
      return p ? `[${id}: ${mdText(p.subject)}](${links.link('dmRaceLens.openPatch', id, analysis.uri.toString())})` : `${id} (no patch file in the workspace)`;
    });
    md.appendMarkdown(`\n\n**Closed by:** ${fixes.join(', ')}`);
    md.appendMarkdown(
      `\n\n[Step through interleaving](${links.link('dmRaceLens.stepThrough', analysis.uri.toString(), k)})` +
        ` · [Show in graph](${links.link('dmRaceLens.showGraph', analysis.uri.toString(), { finding: k })})`,
    );
  }
  return links.trust(md);
}

export function registerTraceHover(context: vscode.ExtensionContext, analyses: TraceAnalyses, sources: HoverSources): void {
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(
      [{ language: 'dmtrace' }, { language: 'plaintext' }, { language: 'log' }, { language: 'json' }],
      {
        async provideHover(document, position) {
          const analysis = await analyses.analyzeNow(document);
          if (!analysis) return undefined;
          const e = eventAtPosition(analysis.trace, position);
          if (e < 0) return undefined;
          const line = document.lineAt(position.line);
          return new vscode.Hover(await eventHoverMarkdown(analysis, e, sources), new vscode.Range(position.line, line.firstNonWhitespaceCharacterIndex, position.line, line.text.length));
        },
      },
    ),
  );
}
