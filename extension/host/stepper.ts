// "Step through interleaving": moves the selection through a finding's witness
// schedule one step at a time, like a debugger's step, with the current step
// highlighted, the steps already run dimmed and a status bar item
// "Step 2/6 ...". The graph panel follows through `onDidStep`.
import * as vscode from 'vscode';
import type { Finding } from '../core/rules/finding';
import { iconSafe, mdText } from '../core/report/markdown';
import { eventLineRange, revealLine } from './editorPositions';
import type { TraceAnalyses } from './traceAnalyses';

export interface StepState {
  uri: vscode.Uri;
  /** Index of the finding in the analysis. */
  finding: number;
  /** 0-based index of the current witness step. */
  step: number;
  total: number;
  /** The event of the current step, when the step is in the trace. */
  event?: number;
  text: string;
}

/** The stepper of one activation: its position, status bar item, decorations and commands. */
export class Stepper implements vscode.Disposable {
  private readonly stepped = new vscode.EventEmitter<StepState | undefined>();
  /** Fires on every step, and with undefined when stepping stops. */
  readonly onDidStep = this.stepped.event;

  private current: { uri: vscode.Uri; finding: number; step: number } | undefined;
  private readonly status = vscode.window.createStatusBarItem('dmRaceLens.step', vscode.StatusBarAlignment.Left, 100);
  private readonly currentLine = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });
  private readonly doneLine = vscode.window.createTextEditorDecorationType({ isWholeLine: true, opacity: '0.75' });
  private readonly laterLine = vscode.window.createTextEditorDecorationType({});
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly analyses: TraceAnalyses) {
    this.status.name = 'DM Race: interleaving step';
    this.disposables = [
      this.status,
      this.currentLine,
      this.doneLine,
      this.laterLine,
      this.stepped,
      vscode.commands.registerCommand('dmRaceLens.stepThrough', (uri?: string | vscode.Uri, finding?: number) => this.start(uri, finding)),
      vscode.commands.registerCommand('dmRaceLens.stepNext', () => this.move(+1)),
      vscode.commands.registerCommand('dmRaceLens.stepPrevious', () => this.move(-1)),
      vscode.commands.registerCommand('dmRaceLens.stepStop', () => this.stop()),
      analyses.onDidForget((uri) => {
        if (this.current && this.current.uri.toString() === uri.toString()) this.stop();
      }),
    ];
  }

  /** Where the stepper is (for tests and the graph panel). */
  state(): StepState | undefined {
    if (!this.current) return undefined;
    const f = this.analyses.get(this.current.uri)?.findings[this.current.finding];
    if (!f) return undefined;
    const step = f.witness[this.current.step];
    return { uri: this.current.uri, finding: this.current.finding, step: this.current.step, total: f.witness.length, event: step?.event, text: step?.text ?? '' };
  }

  private async start(uri?: string | vscode.Uri, finding?: number): Promise<StepState | undefined> {
    const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) return undefined;
    const analysis = this.analyses.get(target) ?? (await this.analyses.analyzeNow(await vscode.workspace.openTextDocument(target)));
    if (!analysis || analysis.findings.length === 0) {
      void vscode.window.showInformationMessage('DM Race Lens: no race to step through in this trace.');
      return undefined;
    }
    this.current = { uri: target, finding: finding ?? nearestFinding(analysis.findings, analysis.trace.line, vscode.window.activeTextEditor), step: 0 };
    return this.show();
  }

  private move(by: number): Promise<StepState | undefined> | undefined {
    if (!this.current) return undefined;
    this.current.step += by;
    return this.show();
  }

  private stop(): void {
    this.current = undefined;
    this.status.hide();
    void vscode.commands.executeCommand('setContext', 'dmRaceLens.stepping', false);
    for (const editor of vscode.window.visibleTextEditors) {
      editor.setDecorations(this.currentLine, []);
      editor.setDecorations(this.doneLine, []);
      editor.setDecorations(this.laterLine, []);
    }
    this.stepped.fire(undefined);
  }

  private async show(): Promise<StepState | undefined> {
    const current = this.current;
    if (!current) return undefined;
    const analysis = this.analyses.get(current.uri);
    const f = analysis?.findings[current.finding];
    if (!analysis || !f || f.witness.length === 0) {
      this.stop();
      return undefined;
    }
    current.step = Math.max(0, Math.min(current.step, f.witness.length - 1));
    const { trace } = analysis;
    const editor = await vscode.window.showTextDocument(current.uri, { preserveFocus: false, preview: false });
    // A step that is not in the trace (a warning's hypothetical other side) stays on the previous real step's line.
    let anchor = -1;
    for (let s = current.step; s >= 0 && anchor < 0; s--) anchor = f.witness[s].event ?? -1;
    if (anchor < 0) anchor = f.primary;
    const here = f.witness[current.step];
    const range = revealLine(editor, trace.line[anchor], 'start');
    const n = current.step + 1;
    const label = (s: number) => `  ◀ step ${s + 1}/${f.witness.length}`;
    editor.setDecorations(this.currentLine, [
      { range, renderOptions: { after: { contentText: `${label(current.step)}${here.event === undefined ? `: ${here.text}` : ''}`, color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' } } },
    ]);
    const done: vscode.DecorationOptions[] = [];
    f.witness.slice(0, current.step).forEach((s, i) => {
      if (s.event !== undefined && s.event !== anchor) done.push({ range: eventLineRange(editor.document, trace, s.event), renderOptions: { after: { contentText: `  ✓ ${i + 1}`, color: new vscode.ThemeColor('disabledForeground') } } });
    });
    editor.setDecorations(this.doneLine, done);
    const later: vscode.DecorationOptions[] = [];
    f.witness.slice(current.step + 1).forEach((s, i) => {
      if (s.event !== undefined && s.event !== anchor) later.push({ range: eventLineRange(editor.document, trace, s.event), renderOptions: { after: { contentText: `  ${current.step + i + 2}`, color: new vscode.ThemeColor('disabledForeground') } } });
    });
    editor.setDecorations(this.laterLine, later);
    const short = here.event !== undefined ? `${trace.taskName(here.event)}: ${trace.eventName(here.event)}` : here.text;
    this.status.text = `$(debug-step-over) Step ${n}/${f.witness.length} ${f.rule}: ${iconSafe(short.length > 60 ? `${short.slice(0, 59)}…` : short)}`;
    this.status.tooltip = new vscode.MarkdownString(`**${f.rule} ${f.name}**, witness step ${n} of ${f.witness.length}:\n\n${mdText(here.text)}\n\nNext: F10 · Previous: Shift+F10 · Stop: Escape`);
    this.status.command = 'dmRaceLens.stepNext';
    this.status.show();
    await vscode.commands.executeCommand('setContext', 'dmRaceLens.stepping', true);
    const state = this.state();
    this.stepped.fire(state);
    return state;
  }

  dispose(): void {
    this.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The finding whose primary line is nearest the cursor (the first when no editor). */
function nearestFinding(findings: readonly Finding[], line: Int32Array, editor: vscode.TextEditor | undefined): number {
  if (!editor) return 0;
  const at = editor.selection.active.line + 1;
  let best = 0;
  findings.forEach((f, k) => {
    if (Math.abs(line[f.primary] - at) < Math.abs(line[findings[best].primary] - at)) best = k;
  });
  return best;
}
