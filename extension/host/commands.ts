// The palette commands: analyze, open patch / race trace, reveal an event,
// simulate a scenario, check the patch series, export SARIF and Perfetto JSON.
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { chunked } from '../core/report/jsonText';
import { sarifPieces } from '../core/report/sarif';
import { compactPerfettoPieces } from '../core/report/perfetto';
import type { RuleId } from '../core/rules/finding';
import { revealLine } from './editorPositions';
import { commonPrefix, type PatchFiles } from './patchSeries';
import type { PatchSeriesModel } from './views';
import { simulateScenarioInteractive } from './simulation';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';

async function activeAnalysis(analyses: TraceAnalyses, uri?: string | vscode.Uri): Promise<TraceAnalysis | undefined> {
  const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  const document = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showInformationMessage('DM Race Lens: open a trace first.');
    return undefined;
  }
  return analyses.analyzeNow(document, true);
}

/** The pieces of a report as UTF-8, encoded chunk by chunk (a report may be longer than a string can be). */
function encodePieces(pieces: Iterable<string>): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const chunk of chunked(pieces)) parts.push(encoder.encode(chunk));
  return Buffer.concat(parts);
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield '\n';
}

/** Writes a report to `given`, or next to the trace (asking where); the file written. */
async function saveBeside(analysis: TraceAnalysis, suffix: string, pieces: Iterable<string>, filters: Record<string, string[]>, given?: string | vscode.Uri): Promise<vscode.Uri | undefined> {
  if (given) {
    const target = typeof given === 'string' ? vscode.Uri.parse(given) : given;
    await vscode.workspace.fs.writeFile(target, encodePieces(pieces));
    return target;
  }
  const base = analysis.uri.scheme === 'file' ? join(dirname(analysis.uri.fsPath), basename(analysis.uri.fsPath).replace(/\.[^.]*$/, '') + suffix) : `trace${suffix}`;
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(base), filters });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, encodePieces(pieces));
  return target;
}

export function registerCommands(context: vscode.ExtensionContext, analyses: TraceAnalyses, series: PatchSeriesModel, patchFiles: PatchFiles): void {
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  context.subscriptions.push(
    vscode.commands.registerCommand('dmRaceLens.analyze', async (uri?: vscode.Uri) => {
      const analysis = await activeAnalysis(analyses, uri);
      if (!analysis) return undefined;
      const n = analysis.findings.length;
      vscode.window.setStatusBarMessage(`DM Race Lens: ${n} race${n === 1 ? '' : 's'} in ${vscode.workspace.asRelativePath(analysis.uri)}`, 4000);
      return { findings: n, events: analysis.trace.length };
    }),
    vscode.commands.registerCommand('dmRaceLens.openPatch', (id: string, near?: string) => patchFiles.open(String(id), near ? vscode.Uri.parse(near) : undefined)),
    vscode.commands.registerCommand('dmRaceLens.openRaceTrace', async (rule: RuleId, near?: string) => {
      const uris = await vscode.workspace.findFiles(`**/${rule.toLowerCase()}-*.race.dmtrace`, '**/{node_modules,.vscode-test}/**', 5);
      if (uris.length === 0) {
        void vscode.window.showInformationMessage(`DM Race Lens: no ${rule} race trace (${rule.toLowerCase()}-*.race.dmtrace) in the workspace.`);
        return undefined;
      }
      const nearPath = near ? vscode.Uri.parse(near).path : '';
      uris.sort((a, b) => commonPrefix(b.path, nearPath) - commonPrefix(a.path, nearPath));
      return vscode.window.showTextDocument(uris[0], { preview: false });
    }),
    vscode.commands.registerCommand('dmRaceLens.revealEvent', async (uri: string | vscode.Uri, event: number) => {
      const analysis = await activeAnalysis(analyses, uri);
      if (!analysis || event < 0 || event >= analysis.trace.length) return undefined;
      const editor = await vscode.window.showTextDocument(analysis.uri, { preview: false });
      return revealLine(editor, analysis.trace.line[event]).start.line + 1;
    }),
    vscode.commands.registerCommand('dmRaceLens.exportSarif', async (uri?: vscode.Uri, target?: string | vscode.Uri) => {
      const analysis = await activeAnalysis(analyses, uri);
      if (!analysis) return undefined;
      const sarif = sarifPieces({ trace: analysis.trace, hb: analysis.hb, findings: analysis.findings, diagnostics: analysis.diagnostics }, vscode.workspace.asRelativePath(analysis.uri), version);
      const written = await saveBeside(analysis, '.sarif', withNewline(sarif), { SARIF: ['sarif', 'json'] }, target);
      if (written) void vscode.window.showInformationMessage(`DM Race Lens: wrote ${vscode.workspace.asRelativePath(written)} (${analysis.findings.length} results).`);
      return written?.toString();
    }),
    vscode.commands.registerCommand('dmRaceLens.exportPerfetto', async (uri?: vscode.Uri, target?: string | vscode.Uri) => {
      const analysis = await activeAnalysis(analyses, uri);
      if (!analysis) return undefined;
      const json = compactPerfettoPieces({ trace: analysis.trace, hb: analysis.hb, findings: analysis.findings, diagnostics: analysis.diagnostics });
      const written = await saveBeside(analysis, '.perfetto.json', json, { 'Trace event JSON': ['json'] }, target);
      if (written) void vscode.window.showInformationMessage(`DM Race Lens: wrote ${vscode.workspace.asRelativePath(written)}; open it in ui.perfetto.dev or chrome://tracing.`);
      return written?.toString();
    }),
    vscode.commands.registerCommand('dmRaceLens.simulateScenario', (scenario?: string, patches?: string) => simulateScenarioInteractive(scenario, patches)),
    vscode.commands.registerCommand('dmRaceLens.checkPatchSeries', () => series.compute(true)),
  );
}
