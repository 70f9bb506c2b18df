// Shared by the simulator tests: the model series from sample-traces and the
// exploration of every matrix column, run once per test process.

import { matrixConfigs, type PatchConfig } from '../../../extension/core/simulate/config';
import { loadModelSeries } from '../../../extension/core/node/loadSeries';
import { runConfig } from '../../../extension/core/simulate/matrix';
import type { ScenarioRun } from '../../../extension/core/simulate/runScenario';
import { repoPath } from '../helpers';

export const SAMPLES = repoPath('sample-traces');
export const series = loadModelSeries(SAMPLES);

let cache: { config: PatchConfig; runs: ScenarioRun[] }[] | undefined;
export let matrixMillis = 0;

/** Every column of the matrix with the runs of all scenarios (explored on first use). */
export function exploredMatrix(): { config: PatchConfig; runs: ScenarioRun[] }[] {
  if (!cache) {
    const started = performance.now();
    cache = matrixConfigs().map((config) => ({ config, runs: runConfig(config) }));
    matrixMillis = performance.now() - started;
  }
  return cache;
}
