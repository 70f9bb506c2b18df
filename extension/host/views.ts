// The activity-bar views: "Races" (by rule, then device, then finding; a click
// reveals the primary event) and "Patch series" (each patch with the races it
// closes, from the simulator's race x patch matrix once computed, else from the
// rules' fixedBy), and the status bar count of races in the active trace.
import * as vscode from 'vscode';
import { RULES, RULE_IDS, type Finding, type RuleId } from '../core/rules/finding';
import { mdText } from '../core/report/markdown';
import { PATCH_IDS, rulesClosedBy } from '../core/series/seriesInfo';
import type { PatchFiles } from './patchSeries';
import type { AnalysisWorker } from './analysisWorkerClient';
import type { TraceAnalyses, TraceAnalysis } from './traceAnalyses';
import type { SeriesMatrix } from './workerProtocol';

type RaceNode =
  | { kind: 'rule'; rule: RuleId }
  | { kind: 'device'; rule: RuleId; md: string }
  | { kind: 'finding'; analysis: TraceAnalysis; index: number; finding: Finding };

export class RacesTree implements vscode.TreeDataProvider<RaceNode> {
  private readonly changed = new vscode.EventEmitter<RaceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** All findings of the open traces, gathered once per change (big traces have thousands). */
  private snapshot: { analysis: TraceAnalysis; index: number; finding: Finding }[] | undefined;

  constructor(private readonly analyses: TraceAnalyses) {
    const refresh = () => {
      this.snapshot = undefined;
      this.changed.fire(undefined);
    };
    analyses.onDidAnalyze(refresh);
    analyses.onDidForget(refresh);
  }

  private findings(): { analysis: TraceAnalysis; index: number; finding: Finding }[] {
    return (this.snapshot ??= this.analyses.all().flatMap((analysis) => analysis.findings.map((finding, index) => ({ analysis, index, finding }))));
  }

  getChildren(node?: RaceNode): RaceNode[] {
    const all = this.findings();
    if (!node) return RULE_IDS.filter((rule) => all.some((x) => x.finding.rule === rule)).map((rule) => ({ kind: 'rule', rule }));
    if (node.kind === 'rule') {
      const devices = [...new Set(all.filter((x) => x.finding.rule === node.rule).map((x) => x.finding.md))].sort();
      return devices.map((md) => ({ kind: 'device', rule: node.rule, md }));
    }
    if (node.kind === 'device') return all.filter((x) => x.finding.rule === node.rule && x.finding.md === node.md).map((x) => ({ kind: 'finding', ...x }));
    return [];
  }

  getTreeItem(node: RaceNode): vscode.TreeItem {
    if (node.kind === 'rule') {
      const n = this.findings().filter((x) => x.finding.rule === node.rule).length;
      const item = new vscode.TreeItem(`${node.rule} ${RULES[node.rule].name}`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${n} race${n === 1 ? '' : 's'} · closed by ${RULES[node.rule].fixedBy.join(' + ')}`;
      item.tooltip = RULES[node.rule].title;
      item.id = `rule:${node.rule}`;
      return item;
    }
    if (node.kind === 'device') {
      const item = new vscode.TreeItem(node.md || '(no device)', vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('database');
      item.id = `device:${node.rule}:${node.md}`;
      return item;
    }
    const { analysis, finding, index } = node;
    const { trace } = analysis;
    const item = new vscode.TreeItem(`line ${trace.line[finding.primary]}: ${trace.taskName(finding.primary)} ${trace.eventName(finding.primary)}`);
    item.description = vscode.workspace.asRelativePath(analysis.uri);
    item.tooltip = new vscode.MarkdownString(`**${finding.rule} ${finding.severity}**: ${mdText(finding.message)}`);
    item.iconPath = new vscode.ThemeIcon(finding.severity === 'error' ? 'error' : 'warning');
    item.contextValue = 'finding';
    item.id = `finding:${analysis.uri.toString()}:${index}`;
    item.command = { title: 'Reveal', command: 'dmRaceLens.revealEvent', arguments: [analysis.uri.toString(), finding.primary] };
    return item;
  }
}

type PatchNode = { kind: 'patch'; id: string } | { kind: 'rule'; id: string; rule: RuleId; source: 'matrix' | 'rules' } | { kind: 'action' };

/** The race x patch knowledge the view shows; the matrix is computed on demand (about a second). */
export class PatchSeriesModel implements vscode.TreeDataProvider<PatchNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PatchNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private result: SeriesMatrix | undefined;
  private subjects = new Map<string, string>();

  constructor(
    private readonly worker: AnalysisWorker,
    patchFiles: PatchFiles,
  ) {
    void this.loadSubjects(patchFiles);
  }

  private async loadSubjects(patchFiles: PatchFiles): Promise<void> {
    const files = await patchFiles.find();
    this.subjects = new Map([...files].map(([id, f]) => [id, f.subject]));
    this.changed.fire(undefined);
  }

  /** Runs the simulator's matrix in the worker thread and shows it; undefined when cancelled. */
  async compute(show = false): Promise<SeriesMatrix | undefined> {
    const response = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'DM Race Lens: exploring the scenarios under each patch configuration', cancellable: true },
      (_progress, token) => this.worker.request({ kind: 'matrix' }, token),
    );
    if (!response) return undefined;
    this.result = response.series;
    this.changed.fire(undefined);
    if (show) {
      const lines = PATCH_IDS.map((id) => `${id}  closes ${this.result!.closedBy[id].join(', ') || '(nothing alone)'}  ${this.subjects.get(id) ?? ''}`);
      void vscode.window.showInformationMessage(`DM Race Lens: patch series checked over ${this.result.matrix.configs.length} configurations.`, { detail: lines.join('\n'), modal: false });
    }
    return this.result;
  }

  closes(id: string): { rules: RuleId[]; source: 'matrix' | 'rules' } {
    if (this.result) return { rules: this.result.closedBy[id as keyof SeriesMatrix['closedBy']] ?? [], source: 'matrix' };
    return { rules: rulesClosedBy(id), source: 'rules' };
  }

  getChildren(node?: PatchNode): PatchNode[] {
    if (!node) return [...PATCH_IDS.map((id): PatchNode => ({ kind: 'patch', id })), ...(this.result ? [] : [{ kind: 'action' } as PatchNode])];
    if (node.kind === 'patch') {
      const { rules, source } = this.closes(node.id);
      return rules.map((rule) => ({ kind: 'rule', id: node.id, rule, source }));
    }
    return [];
  }

  getTreeItem(node: PatchNode): vscode.TreeItem {
    if (node.kind === 'action') {
      const item = new vscode.TreeItem('Check with the simulator (race × patch matrix)…');
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.command = { title: 'Check patch series', command: 'dmRaceLens.checkPatchSeries' };
      return item;
    }
    if (node.kind === 'patch') {
      const { rules } = this.closes(node.id);
      const item = new vscode.TreeItem(`${node.id} ${this.subjects.get(node.id) ?? ''}`.trim(), rules.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = rules.length ? `closes ${rules.join(', ')}` : 'closes no race alone';
      item.iconPath = new vscode.ThemeIcon('git-commit');
      item.command = { title: 'Open patch', command: 'dmRaceLens.openPatch', arguments: [node.id] };
      item.id = `patch:${node.id}`;
      return item;
    }
    const item = new vscode.TreeItem(`${node.rule} ${RULES[node.rule].name}`);
    item.description = node.source === 'matrix' ? 'gone from every explored schedule' : 'per the rules (run the simulator to check)';
    item.iconPath = new vscode.ThemeIcon(node.source === 'matrix' ? 'pass' : 'shield');
    item.command = { title: 'Open a trace of the race', command: 'dmRaceLens.openRaceTrace', arguments: [node.rule] };
    item.id = `patch:${node.id}:${node.rule}`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerViews(context: vscode.ExtensionContext, analyses: TraceAnalyses, series: PatchSeriesModel): void {
  const races = new RacesTree(analyses);
  const racesView = vscode.window.createTreeView('dmRaceLens.races', { treeDataProvider: races, showCollapseAll: true });
  const seriesView = vscode.window.createTreeView('dmRaceLens.patchSeries', { treeDataProvider: series });
  const status = vscode.window.createStatusBarItem('dmRaceLens.count', vscode.StatusBarAlignment.Left, 99);
  status.name = 'DM Race: races in this trace';
  status.command = 'workbench.actions.view.problems';
  const updateStatus = () => {
    const document = vscode.window.activeTextEditor?.document;
    const analysis = document && analyses.get(document.uri);
    if (!analysis) {
      status.hide();
      return;
    }
    const errors = analysis.findings.filter((f) => f.severity === 'error').length;
    const warnings = analysis.findings.length - errors;
    status.text = `$(bug) ${analysis.findings.length} race${analysis.findings.length === 1 ? '' : 's'}`;
    status.tooltip = `DM Race Lens: ${errors} error(s), ${warnings} warning(s) in ${analysis.trace.length} events`;
    status.show();
    racesView.badge = analysis.findings.length ? { value: analysis.findings.length, tooltip: status.tooltip } : undefined;
  };
  context.subscriptions.push(
    racesView,
    seriesView,
    status,
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    analyses.onDidAnalyze(updateStatus),
    analyses.onDidForget(updateStatus),
  );
  updateStatus();
}
