// Activation: the thin host layer. It wires the analysis store to the views;
// the analysis itself lives in extension/core and knows nothing of VS Code.
import * as vscode from 'vscode';
import { registerBigFileTabs } from './bigFileTabs';
import { registerCodeLenses } from './codeLens';
import { disposePatchSearch } from './patchSeries';
import { registerCommands } from './commands';
import { registerTraceDiagnostics } from './diagnostics';
import { registerGraph } from './graphBridge';
import { registerTraceHover } from './hover';
import { registerSourceLinks } from './sourceLinks';
import { registerSources } from './sources';
import { registerTraceSymbols } from './symbols';
import { onDidStep, registerStepper, stepState, type StepState } from './stepper';
import { TraceAnalyses } from './traceAnalyses';
import { PatchSeriesModel, registerViews } from './views';

export { onDidStep, type StepState } from './stepper';

/** What the extension returns from activate(): used by the in-host tests and by other parts of the host. */
export interface DmRaceLensApi {
  analyses: TraceAnalyses;
  onDidStep: vscode.Event<StepState | undefined>;
  stepState(): StepState | undefined;
}

export function activate(context: vscode.ExtensionContext): DmRaceLensApi {
  const analyses = new TraceAnalyses(context.extensionUri);
  context.subscriptions.push(analyses);
  registerBigFileTabs(context, analyses.worker, registerTraceDiagnostics(context, analyses));
  registerTraceHover(context, analyses);
  registerTraceSymbols(context, analyses);
  const series = new PatchSeriesModel(analyses.worker);
  registerCodeLenses(context, analyses, series);
  registerStepper(context, analyses);
  registerSources(context, analyses);
  registerSourceLinks(context, analyses);
  registerViews(context, analyses, series);
  registerCommands(context, analyses, series);
  registerGraph(context, analyses);
  return { analyses, onDidStep, stepState: () => stepState(analyses) };
}

export function deactivate(): void {
  disposePatchSearch();
}
