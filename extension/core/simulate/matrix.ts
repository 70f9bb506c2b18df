// The race x patch matrix: for every configuration of the series, the rules
// that fire on the explored schedules of all scenarios, the races the runs
// actually hit, and what the exploration cost. Nothing here is tabulated by
// hand: every cell comes from exploring the model.

import { RULE_IDS, type RuleId } from '../rules/finding';
import { matrixConfigs, PATCH_IDS, PatchConfig, type PatchId } from './config';
import { DEFAULT_PREEMPTION_BOUND } from './explore';
import { runScenario, type ScenarioRun } from './runScenario';
import { SCENARIOS } from './scenarios';

export interface ConfigResult {
  name: string;
  patches: PatchId[];
  /** Rules that reported at least one explored schedule (error or warning). */
  found: RuleId[];
  /** Rules that reported an error on at least one explored schedule. */
  errors: RuleId[];
  /** Races some explored schedule actually hit when run (ground truth). */
  faults: RuleId[];
  /** Schedules explored with the reduction (one per equivalence class met). */
  schedules: number;
  /** Schedules under the same preemption bound without the reduction. */
  naiveSchedules: number;
  millis: number;
}

export interface MatrixResult {
  preemptionBound: number;
  scenarios: string[];
  configs: ConfigResult[];
}

export interface MatrixOptions {
  preemptionBound?: number;
  configs?: PatchConfig[];
}

export function summarise(config: PatchConfig, runs: ScenarioRun[]): ConfigResult {
  const found = new Set<RuleId>();
  const errors = new Set<RuleId>();
  const faults = new Set<RuleId>();
  for (const run of runs) {
    for (const s of run.schedules) {
      s.faults.forEach((r) => faults.add(r));
      s.findings.forEach((severity, rule) => {
        found.add(rule);
        if (severity === 'error') errors.add(rule);
      });
    }
  }
  const sorted = (set: Set<RuleId>) => RULE_IDS.filter((r) => set.has(r));
  return {
    name: config.name,
    patches: [...config.patches],
    found: sorted(found),
    errors: sorted(errors),
    faults: sorted(faults),
    schedules: runs.reduce((n, r) => n + r.reduced.schedules, 0),
    naiveSchedules: runs.reduce((n, r) => n + r.naive.schedules, 0),
    millis: Math.round(runs.reduce((n, r) => n + r.millis, 0)),
  };
}

export function runConfig(config: PatchConfig, preemptionBound = DEFAULT_PREEMPTION_BOUND): ScenarioRun[] {
  return SCENARIOS.map((s) => runScenario(s, config, { preemptionBound }));
}

/** Explores every scenario under every column of the matrix (none, 01, 01-02, ..., 01-08, 01-02+04). */
export function raceMatrix(options: MatrixOptions = {}): MatrixResult {
  const preemptionBound = options.preemptionBound ?? DEFAULT_PREEMPTION_BOUND;
  const configs = options.configs ?? matrixConfigs();
  return {
    preemptionBound,
    scenarios: SCENARIOS.map((s) => s.name),
    configs: configs.map((c) => summarise(c, runConfig(c, preemptionBound))),
  };
}

/**
 * Which rules each patch makes go away, read off the matrix: the rules found
 * with the patches before it and no longer found once it is added. 03 is
 * judged on the spinlock kernels (01-02+04 against 01-04), because before 04
 * the sleep it removes was legal.
 */
export function racesClosedByPatch(matrix: MatrixResult): Record<PatchId, RuleId[]> {
  const byName = new Map(matrix.configs.map((c) => [c.name, c]));
  const closed = {} as Record<PatchId, RuleId[]>;
  for (const [i, patch] of PATCH_IDS.entries()) {
    let before = new PatchConfig(PATCH_IDS.slice(0, i));
    let after = new PatchConfig(PATCH_IDS.slice(0, i + 1));
    if (patch === '03') {
      before = new PatchConfig(['01', '02', '04']);
      after = new PatchConfig(['01', '02', '03', '04']);
    }
    const b = byName.get(before.name);
    const a = byName.get(after.name);
    closed[patch] = b && a ? b.found.filter((r) => !a.found.includes(r)) : [];
  }
  return closed;
}

/** The matrix as the text table the CLI prints. */
export function formatMatrix(matrix: MatrixResult): string {
  const cols = matrix.configs;
  const width = Math.max(...cols.map((c) => c.name.length), 6) + 2;
  const cell = (s: string) => s.padStart(width);
  const lines = [`race x patch matrix (${matrix.scenarios.length} scenarios, at most ${matrix.preemptionBound} preemptions per schedule)`, ''];
  lines.push('      ' + cols.map((c) => cell(c.name)).join(''));
  for (const rule of RULE_IDS) {
    const marks = cols.map((c) => cell(c.errors.includes(rule) ? 'error' : c.found.includes(rule) ? 'warn' : '.'));
    lines.push(rule.padEnd(6) + marks.join(''));
  }
  lines.push('');
  lines.push('fault ' + cols.map((c) => cell(c.faults.length ? c.faults.map((r) => r.slice(3)).join(',') : '-')).join(''));
  lines.push('sched ' + cols.map((c) => cell(String(c.schedules))).join(''));
  lines.push('naive ' + cols.map((c) => cell(String(c.naiveSchedules))).join(''));
  lines.push('');
  lines.push('error/warn: the rule reports some explored schedule; fault: races the runs actually hit (DMR numbers);');
  lines.push('sched: schedules explored with sleep sets; naive: schedules under the same bound without reduction.');
  return lines.join('\n') + '\n';
}
