// Activation: the thin host layer. It creates the objects that hold the
// editor's state (the analyses, the stepper, the graph panels, the patch
// series), hands each what it needs, and ties them all to the extension's
// context, so deactivation disposes them and a new activation starts clean.
// The analysis itself lives in extension/core and knows nothing of VS Code.
import * as vscode from 'vscode';
import { registerBigFileTabs } from './bigFileTabs';
import { registerCodeLenses } from './codeLens';
import { registerCommands } from './commands';
import { registerTraceDiagnostics } from './diagnostics';
import { GraphPanels } from './graph/graphPanels';
import { registerTraceHover, type HoverSources } from './hover';
import { KernelFunctions } from './kernelTree';
import { PatchFiles } from './patchSeries';
import { registerSourceLinks } from './sourceLinks';
import { registerSources } from './sources';
import { Stepper, type StepState } from './stepper';
import { registerTraceSymbols } from './symbols';
import { TraceAnalyses } from './traceAnalyses';
import { PatchSeriesModel, registerViews } from './views';

export type { StepState } from './stepper';

/** What the extension returns from activate(): used by the in-host tests. */
export interface DmRaceLensApi {
  analyses: TraceAnalyses;
  onDidStep: vscode.Event<StepState | undefined>;
  stepState(): StepState | undefined;
}

export function activate(context: vscode.ExtensionContext): DmRaceLensApi {
  const own = <T extends vscode.Disposable>(owned: T): T => {
    context.subscriptions.push(owned);
    return owned;
  };
  const analyses = own(new TraceAnalyses(context.extensionUri));
  const patchFiles = own(new PatchFiles());
  const hoverSources: HoverSources = { patchFiles, kernelFunctions: new KernelFunctions() };
  registerBigFileTabs(context, analyses.worker, registerTraceDiagnostics(context, analyses));
  registerTraceHover(context, analyses, hoverSources);
  registerTraceSymbols(context, analyses);
  const series = own(new PatchSeriesModel(analyses.worker, patchFiles));
  registerCodeLenses(context, analyses, series);
  const stepper = own(new Stepper(analyses));
  registerSources(context, analyses, hoverSources);
  registerSourceLinks(context, analyses);
  registerViews(context, analyses, series);
  registerCommands(context, analyses, series, patchFiles);
  own(new GraphPanels(context.extensionUri, analyses, stepper));
  return { analyses, onDidStep: stepper.onDidStep, stepState: () => stepper.state() };
}
