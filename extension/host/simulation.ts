// The simulator from the editor: run one scenario under a patch configuration
// and open the faulting schedule as a trace; compute the race x patch matrix.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { matrixConfigs, PatchConfig } from '../core/simulate/config';
import { loadModelSeries } from '../core/node/loadSeries';
import { runScenario } from '../core/simulate/runScenario';
import { SCENARIOS, scenarioNamed } from '../core/simulate/scenarios';
import { writeDmtrace } from '../core/simulate/dmtraceWriter';
import { DEFAULT_PREEMPTION_BOUND } from '../core/simulate/explore';
import type { RuleId } from '../core/rules/finding';

/** The folder holding `source/` and `patches/` of the model (sample-traces), if the workspace has one. */
export async function findSampleDir(): Promise<string | undefined> {
  const [first] = await vscode.workspace.findFiles('**/patches/0001-*.patch', '**/{node_modules,.vscode-test}/**', 1);
  return first ? dirname(dirname(first.fsPath)) : undefined;
}

export async function simulateScenarioInteractive(scenarioName?: string, patches?: string): Promise<vscode.TextDocument | undefined> {
  const name =
    scenarioName ??
    (await vscode.window.showQuickPick(SCENARIOS.map((s) => ({ label: s.name, description: s.race, detail: s.title }))))?.label;
  if (!name) return undefined;
  const configName = patches ?? (await vscode.window.showQuickPick(matrixConfigs().map((c) => c.name), { placeHolder: 'Patches applied (none = the 2006 code before the series)' }));
  if (!configName) return undefined;
  const scenario = scenarioNamed(name);
  const config = PatchConfig.parse(configName);
  const sampleDir = await findSampleDir();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `DM Race Lens: simulating ${name} with patches ${config.name}` }, async () => {
    const run = runScenario(scenario, config, { preemptionBound: DEFAULT_PREEMPTION_BOUND });
    const witness = run.witnesses.get(scenario.race as RuleId) ?? [...run.witnesses.values()][0];
    const record = witness ?? run.schedules[0].record;
    let where = {};
    if (sampleDir) {
      const series = loadModelSeries(sampleDir);
      // The untitled trace points at the configuration's dm.c by absolute path.
      const dmc = join(sampleDir, 'simulated', config.patches.length === 0 ? '../source/dm.c' : config.patches.length === 8 ? '../source-patched/dm.c' : `source/${config.name}/dm.c`);
      where = { lines: series.lineTable(config), sourcePath: dmc };
    }
    const text = writeDmtrace(record, where);
    const document = await vscode.workspace.openTextDocument({ language: 'dmtrace', content: text });
    await vscode.window.showTextDocument(document, { preview: false });
    const faults = record.faults.map((f) => `${f.race} ${f.kind}`);
    void vscode.window.showInformationMessage(
      witness ? `${name} with patches ${config.name}: ${faults.length ? faults.slice(0, 3).join(', ') : 'a race'} (${record.preemptions} preemption(s)).` : `${name} with patches ${config.name}: no schedule faults.`,
    );
    return document;
  });
}
