// CodeLens: above each finding of a trace ("Step through interleaving", "Show
// in graph", the patches that close it) and above each hunk of a patch of the
// series (which race it closes), plus diagnostics on the removed lines of a
// patch that carried an unsafe ordering.
import * as vscode from 'vscode';
import { RULES, type RuleId } from '../core/rules/finding';
import { ruleDocsUri } from './ruleDocs';
import { SOURCE } from './diagnostics';
import { analyzePatch } from '../core/series/patchAnalysis';
import { closesText, patchNumberAt, rulesClosedBy } from '../core/series/seriesInfo';
import { lineRange } from './editorPositions';
import type { TraceAnalyses } from './traceAnalyses';

export const PATCH_SELECTOR: vscode.DocumentSelector = [{ language: 'diff' }, { pattern: '**/*.{patch,diff,mbox}' }];

function isPatchDocument(d: vscode.TextDocument): boolean {
  return vscode.languages.match(PATCH_SELECTOR, d) > 0;
}

class TraceLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly analyses: TraceAnalyses) {
    analyses.onDidAnalyze(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const analysis = await this.analyses.analyzeNow(document);
    if (!analysis) return [];
    const uri = document.uri.toString();
    return analysis.findings.flatMap((f, k) => {
      const range = lineRange(document, analysis.trace.line[f.primary]);
      return [
        new vscode.CodeLens(range, { title: `$(debug-step-over) Step through interleaving (${f.witness.length} steps)`, command: 'dmRaceLens.stepThrough', arguments: [uri, k] }),
        new vscode.CodeLens(range, { title: '$(type-hierarchy) Show in graph', command: 'dmRaceLens.showGraph', arguments: [uri, { finding: k }] }),
        new vscode.CodeLens(range, {
          title: `${f.rule} ${f.name}: closed by ${f.fixedBy.join(' + ')}`,
          tooltip: `Open patch ${f.fixedBy[0]} of the series`,
          command: 'dmRaceLens.openPatch',
          arguments: [f.fixedBy[0], uri],
        }),
      ];
    });
  }
}

/** Which rules a patch closes, and whether the simulator confirmed it (the Patch series view's model). */
export interface SeriesKnowledge {
  closes(id: string): { rules: RuleId[]; source: 'matrix' | 'rules' };
  readonly onDidChangeTreeData: vscode.Event<unknown>;
}

class PatchLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly series: SeriesKnowledge) {
    series.onDidChangeTreeData(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    // An mbox holds several patches: each hunk belongs to the Subject above it.
    const numberAt = patchNumberAt(document.fileName, text);
    return analyzePatch(text).flatMap((hunk) => {
      const id = numberAt(hunk.line);
      const known = id ? this.series.closes(id) : undefined;
      const closes = id && known ? closesText(id, known.rules) : undefined;
      const confirmed = known?.source === 'matrix' ? ' · confirmed by the simulator' : '';
      const range = document.lineAt(hunk.line).range;
      const lenses: vscode.CodeLens[] = [];
      const removedRules = [...new Set(hunk.removed.map((r) => r.rule))];
      if (closes) {
        const rule = known!.rules[0];
        lenses.push(new vscode.CodeLens(range, { title: `$(shield) Patch ${id} closes ${closes}${confirmed}`, tooltip: 'Open a trace of this race', command: 'dmRaceLens.openRaceTrace', arguments: [rule, document.uri.toString()] }));
      } else if (id && rulesClosedBy(id).length > 0) {
        // The simulator finds the race gone only once the rest of its fix is applied (04 needs 06).
        const rule = rulesClosedBy(id)[0];
        lenses.push(
          new vscode.CodeLens(range, {
            title: `$(shield) Patch ${id} is part of the fix of ${closesText(id)} · alone it closes no race in the simulator`,
            tooltip: 'Open a trace of this race',
            command: 'dmRaceLens.openRaceTrace',
            arguments: [rule, document.uri.toString()],
          }),
        );
      } else if (id) {
        lenses.push(new vscode.CodeLens(range, { title: `Patch ${id}: closes no race on its own`, command: '' }));
      }
      for (const rule of removedRules) {
        lenses.push(new vscode.CodeLens(range, { title: `$(trash) removes the ${rule} ${RULES[rule].name} ordering`, command: 'dmRaceLens.openRaceTrace', arguments: [rule, document.uri.toString()] }));
      }
      return lenses;
    });
  }
}

function patchDiagnostics(extensionUri: vscode.Uri, document: vscode.TextDocument): vscode.Diagnostic[] {
  return analyzePatch(document.getText()).flatMap((hunk) =>
    hunk.removed.map((r) => {
      const d = new vscode.Diagnostic(document.lineAt(r.line).range, r.message, vscode.DiagnosticSeverity.Information);
      d.source = SOURCE;
      d.code = { value: r.rule, target: ruleDocsUri(extensionUri, r.rule as RuleId) };
      return d;
    }),
  );
}

export function registerCodeLenses(context: vscode.ExtensionContext, analyses: TraceAnalyses, series: SeriesKnowledge): void {
  const patchCollection = vscode.languages.createDiagnosticCollection(`${SOURCE}-patches`);
  const update = (d: vscode.TextDocument) => {
    if (isPatchDocument(d)) patchCollection.set(d.uri, patchDiagnostics(context.extensionUri, d));
  };
  context.subscriptions.push(
    patchCollection,
    vscode.languages.registerCodeLensProvider({ language: 'dmtrace' }, new TraceLenses(analyses)),
    vscode.languages.registerCodeLensProvider(PATCH_SELECTOR, new PatchLenses(series)),
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => update(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => patchCollection.delete(d.uri)),
  );
  vscode.workspace.textDocuments.forEach(update);
}
