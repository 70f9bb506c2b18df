// Explores one scenario under one configuration: the reduced search (every
// schedule analysed by the rules), the unreduced count for comparison, the
// ground-truth faults, and the witness with the fewest preemptions per race.

import { analyzeText } from '../analyze';
import type { RuleId } from '../rules/finding';
import type { PatchConfig } from './config';
import { recordOf, writeDmtrace, type ScheduleRecord } from './dmtraceWriter';
import { explore, type ExplorationStats } from './explore';
import type { Scenario } from './scenarios';

export interface AnalysedSchedule {
  record: ScheduleRecord;
  /** Races the run actually hit (ground truth, from executing the model). */
  faults: RuleId[];
  /** Rules that reported the schedule's trace, with the most severe outcome per rule. */
  findings: Map<RuleId, 'error' | 'warning'>;
}

export interface ScenarioRun {
  scenario: string;
  config: string;
  reduced: ExplorationStats;
  naive: ExplorationStats;
  schedules: AnalysedSchedule[];
  /** Races hit by some schedule of the unreduced search. */
  naiveFaults: RuleId[];
  /** Per race hit, the faulting schedule with the fewest preemptions (then the fewest events). */
  witnesses: Map<RuleId, ScheduleRecord>;
  millis: number;
}

export interface RunOptions {
  preemptionBound: number;
  /** Also run the unreduced search (counts, fault cross-check, minimal witnesses). Default true. */
  naive?: boolean;
}

export function runScenario(scenario: Scenario, config: PatchConfig, options: RunOptions): ScenarioRun {
  const started = performance.now();
  const schedules: AnalysedSchedule[] = [];
  const reduced = explore(scenario, config, { preemptionBound: options.preemptionBound, reduce: true }, (run) => {
    const record = recordOf(run);
    schedules.push({ record, faults: racesOf(record), findings: findingsOf(record) });
  });
  const witnesses = new Map<RuleId, ScheduleRecord>();
  const naiveFaults = new Set<RuleId>();
  let naive: ExplorationStats = { schedules: 0, sleepBlocked: 0, steps: 0 };
  if (options.naive !== false) {
    naive = explore(scenario, config, { preemptionBound: options.preemptionBound, reduce: false }, (run) => {
      if (run.machine.faults.length === 0) return;
      const record = recordOf(run);
      for (const race of racesOf(record)) {
        naiveFaults.add(race);
        const best = witnesses.get(race);
        if (!best || record.preemptions < best.preemptions || (record.preemptions === best.preemptions && record.events.length < best.events.length)) {
          witnesses.set(race, record);
        }
      }
    });
  }
  return {
    scenario: scenario.name,
    config: config.name,
    reduced,
    naive,
    schedules,
    naiveFaults: [...naiveFaults].sort(),
    witnesses,
    millis: performance.now() - started,
  };
}

function racesOf(record: ScheduleRecord): RuleId[] {
  return [...new Set(record.faults.map((f) => f.race))].sort();
}

function findingsOf(record: ScheduleRecord): Map<RuleId, 'error' | 'warning'> {
  const out = new Map<RuleId, 'error' | 'warning'>();
  for (const f of analyzeText(writeDmtrace(record)).findings) {
    if (f.severity === 'error') out.set(f.rule, 'error');
    else if (!out.has(f.rule)) out.set(f.rule, 'warning');
  }
  return out;
}
