// Shared by the simulator tests: the model series from sample-traces and the
// exploration of every matrix column, run once per test process.

import { join } from 'node:path';
import { matrixConfigs, type PatchConfig } from '../../extension/core/simulate/config';
import { loadModelSeries } from '../../extension/core/simulate/loadSeries';
import { runConfig } from '../../extension/core/simulate/matrix';
import type { ScenarioRun } from '../../extension/core/simulate/runScenario';

export const SAMPLES = join(__dirname, '../../../sample-traces');
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

/**
 * Where the rules as implemented disagree with the simulator's ground truth.
 * DMR3 treats every md_access of the opener, up to its dm_blk_close, as part of
 * the unreferenced open path; after a dm_get that is ordered with the final
 * put the opener holds a reference, and its I/O is safe even though no lock
 * orders it before another task's later free_dev (spec section 3 gives no
 * edge for the refcount). It therefore reports the patched open-vs-remove
 * schedule "open, I/O, close (holders 2->1), remove (1->0), free_dev".
 * Listed so that every other cell stays strict; a test fails once the rule no
 * longer does this, so the entry gets removed.
 */
export const KNOWN_RULE_DISAGREEMENTS = [{ rule: 'DMR3', scenario: 'open-vs-remove', fromPatch: '05' }] as const;

export function isKnownDisagreement(rule: string, scenario: string, config: PatchConfig): boolean {
  return KNOWN_RULE_DISAGREEMENTS.some((k) => k.rule === rule && k.scenario === scenario && config.has(k.fromPatch));
}
