// The witnesses kept in sample-traces/simulated: for every column of the
// matrix and every race a run hit, the faulting schedule with the fewest
// preemptions, as a .dmtrace pointing into that configuration's dm.c.

import type { RuleId } from '../rules/finding';
import { matrixConfigs, PATCH_IDS, type PatchConfig } from './config';
import { writeDmtrace } from './dmtraceWriter';
import { DEFAULT_PREEMPTION_BOUND } from './explore';
import type { ModelSeries } from './modelSource';
import { runScenario } from './runScenario';
import { SCENARIOS, type Scenario } from './scenarios';

/** Path (relative to sample-traces/simulated) -> contents. */
export type SampleFiles = Map<string, string>;

/** Where a configuration's dm.c lives, relative to sample-traces/simulated. */
export function sourcePathFor(config: PatchConfig): string {
  if (config.patches.length === 0) return '../source/dm.c';
  if (config.patches.length === PATCH_IDS.length) return '../source-patched/dm.c';
  return `source/${config.name}/dm.c`;
}

export function witnessFileName(config: PatchConfig, race: RuleId, scenario: Scenario): string {
  return `${config.name}-${race.toLowerCase()}-${scenario.name}.dmtrace`;
}

/** One minimal witness per (configuration, race, scenario), and the dm.c of every configuration they point into. */
export function simulatedSamples(series: ModelSeries, preemptionBound = DEFAULT_PREEMPTION_BOUND): SampleFiles {
  const files: SampleFiles = new Map();
  for (const config of matrixConfigs()) {
    const lines = series.lineTable(config);
    const sourcePath = sourcePathFor(config);
    for (const scenario of SCENARIOS) {
      const run = runScenario(scenario, config, { preemptionBound });
      for (const [race, record] of run.witnesses) {
        files.set(witnessFileName(config, race, scenario), writeDmtrace(record, { lines, sourcePath }));
        if (!sourcePath.startsWith('../')) files.set(sourcePath, series.sourceFor(config).get('dm.c') as string);
      }
    }
  }
  return files;
}
