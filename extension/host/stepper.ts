// "Step through interleaving": moves the selection through a finding's witness
// schedule one step at a time, like a debugger's step, with the current step
// highlighted, the steps already run dimmed and a status bar item
// "Step 2/6 ...". The graph panel follows through `onDidStep`.
import * as vscode from 'vscode';
import type { Finding } from '../core/rules/finding';
import { iconSafe, mdText } from './markdown';
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

const stepped = new vscode.EventEmitter<StepState | undefined>();
/** Fires on every step, and with undefined when stepping stops. */
export const onDidStep = stepped.event;

let current: { uri: vscode.Uri; finding: number; step: number } | undefined;

/** Where the stepper is (for tests and the graph panel). */
export function stepState(analyses: TraceAnalyses): StepState | undefined {
  if (!current) return undefined;
  const f = findingOf(analyses, current.uri, current.finding);
  if (!f) return undefined;
  const step = f.witness[current.step];
  return { uri: current.uri, finding: current.finding, step: current.step, total: f.witness.length, event: step?.event, text: step?.text ?? '' };
}

function findingOf(analyses: TraceAnalyses, uri: vscode.Uri, k: number): Finding | undefined {
  return analyses.get(uri)?.findings[k];
}

export function registerStepper(context: vscode.ExtensionContext, analyses: TraceAnalyses): void {
  const status = vscode.window.createStatusBarItem('dmRaceLens.step', vscode.StatusBarAlignment.Left, 100);
  status.name = 'DM Race: interleaving step';
  const currentLine = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });
  const doneLine = vscode.window.createTextEditorDecorationType({ isWholeLine: true, opacity: '0.75' });
  const laterLine = vscode.window.createTextEditorDecorationType({});

  const stop = () => {
    current = undefined;
    status.hide();
    void vscode.commands.executeCommand('setContext', 'dmRaceLens.stepping', false);
    for (const editor of vscode.window.visibleTextEditors) {
      editor.setDecorations(currentLine, []);
      editor.setDecorations(doneLine, []);
      editor.setDecorations(laterLine, []);
    }
    stepped.fire(undefined);
  };

  const show = async (): Promise<StepState | undefined> => {
    if (!current) return undefined;
    const analysis = analyses.get(current.uri);
    const f = analysis?.findings[current.finding];
    if (!analysis || !f || f.witness.length === 0) {
      stop();
      return undefined;
    }
    current.step = Math.max(0, Math.min(current.step, f.witness.length - 1));
    const { trace } = analysis;
    const editor = await vscode.window.showTextDocument(current.uri, { preserveFocus: false, preview: false });
    const lineOf = (e: number) => trace.line[e] - 1;
    // A step that is not in the trace (a warning's hypothetical other side) stays on the previous real step's line.
    let anchor = -1;
    for (let s = current.step; s >= 0 && anchor < 0; s--) anchor = f.witness[s].event ?? -1;
    if (anchor < 0) anchor = f.primary;
    const here = f.witness[current.step];
    const line = lineOf(anchor);
    const range = editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range;
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    const n = current.step + 1;
    const label = (s: number) => `  ◀ step ${s + 1}/${f.witness.length}`;
    editor.setDecorations(currentLine, [
      { range, renderOptions: { after: { contentText: `${label(current.step)}${here.event === undefined ? `: ${here.text}` : ''}`, color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' } } },
    ]);
    const done: vscode.DecorationOptions[] = [];
    f.witness.slice(0, current.step).forEach((s, i) => {
      if (s.event !== undefined && s.event !== anchor) done.push({ range: editor.document.lineAt(lineOf(s.event)).range, renderOptions: { after: { contentText: `  ✓ ${i + 1}`, color: new vscode.ThemeColor('disabledForeground') } } });
    });
    editor.setDecorations(doneLine, done);
    const later: vscode.DecorationOptions[] = [];
    f.witness.slice(current.step + 1).forEach((s, i) => {
      if (s.event !== undefined && s.event !== anchor) later.push({ range: editor.document.lineAt(lineOf(s.event)).range, renderOptions: { after: { contentText: `  ${current!.step + i + 2}`, color: new vscode.ThemeColor('disabledForeground') } } });
    });
    editor.setDecorations(laterLine, later);
    const short = here.event !== undefined ? `${trace.taskName(here.event)}: ${trace.eventName(here.event)}` : here.text;
    status.text = `$(debug-step-over) Step ${n}/${f.witness.length} ${f.rule}: ${iconSafe(short.length > 60 ? `${short.slice(0, 59)}…` : short)}`;
    status.tooltip = new vscode.MarkdownString(`**${f.rule} ${f.name}**, witness step ${n} of ${f.witness.length}:\n\n${mdText(here.text)}\n\nNext: F10 · Previous: Shift+F10 · Stop: Escape`);
    status.command = 'dmRaceLens.stepNext';
    status.show();
    await vscode.commands.executeCommand('setContext', 'dmRaceLens.stepping', true);
    const state = stepState(analyses);
    stepped.fire(state);
    return state;
  };

  context.subscriptions.push(
    status,
    currentLine,
    doneLine,
    laterLine,
    stepped,
    vscode.commands.registerCommand('dmRaceLens.stepThrough', async (uri?: string | vscode.Uri, finding?: number) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return undefined;
      const analysis = analyses.get(target) ?? (await analyses.analyzeNow(await vscode.workspace.openTextDocument(target)));
      if (!analysis || analysis.findings.length === 0) {
        void vscode.window.showInformationMessage('DM Race Lens: no race to step through in this trace.');
        return undefined;
      }
      current = { uri: target, finding: finding ?? nearestFinding(analysis.findings, analysis.trace.line, vscode.window.activeTextEditor), step: 0 };
      return show();
    }),
    vscode.commands.registerCommand('dmRaceLens.stepNext', () => {
      if (!current) return undefined;
      current.step++;
      return show();
    }),
    vscode.commands.registerCommand('dmRaceLens.stepPrevious', () => {
      if (!current) return undefined;
      current.step--;
      return show();
    }),
    vscode.commands.registerCommand('dmRaceLens.stepStop', stop),
    analyses.onDidForget((uri) => {
      if (current && current.uri.toString() === uri.toString()) stop();
    }),
  );
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
