// The exploration: the reduction explores fewer schedules than plain
// enumeration under the same preemption bound and loses no fault.

import { strict as assert } from 'node:assert';
import { matrixConfigs, PatchConfig } from '../../../extension/core/simulate/config';
import { explore } from '../../../extension/core/simulate/explore';
import { SCENARIOS, scenarioNamed } from '../../../extension/core/simulate/scenarios';
import { exploredMatrix, matrixMillis } from './fixtures';

function faultRaces(scenario: string, config: PatchConfig, bound: number, reduce: boolean): { races: string[]; schedules: number } {
  const races = new Set<string>();
  const stats = explore(scenarioNamed(scenario), config, { preemptionBound: bound, reduce }, (run) => {
    run.machine.faults.forEach((f) => races.add(`${f.race} ${f.kind}`));
  });
  return { races: [...races].sort(), schedules: stats.schedules };
}

describe('simulate: exploration', () => {
  it('finds with sleep sets exactly the faults plain enumeration finds, with fewer schedules', () => {
    let reduced = 0;
    let naive = 0;
    for (const { config, runs } of exploredMatrix()) {
      for (const run of runs) {
        const found = new Set(run.schedules.flatMap((s) => s.faults));
        assert.deepEqual([...found].sort(), run.naiveFaults, `${run.scenario} ${config.name}`);
        assert.ok(run.reduced.schedules <= run.naive.schedules, `${run.scenario} ${config.name}`);
        reduced += run.reduced.schedules;
        naive += run.naive.schedules;
      }
    }
    assert.ok(reduced * 5 < naive, `reduction saves most schedules: ${reduced} vs ${naive}`);
  });

  it('keeps every fault kind at a larger preemption bound too', function () {
    this.timeout(60_000);
    for (const config of [PatchConfig.parse('none'), PatchConfig.parse('01-02+04'), PatchConfig.parse('01-05')]) {
      for (const scenario of SCENARIOS) {
        const reduced = faultRaces(scenario.name, config, 3, true);
        const naive = faultRaces(scenario.name, config, 3, false);
        assert.deepEqual(reduced.races, naive.races, `${scenario.name} ${config.name}`);
        assert.ok(reduced.schedules < naive.schedules || naive.schedules <= 2);
      }
    }
  });

  it('explores distinct outcomes that serial runs never show (the -EAGAIN create)', () => {
    const outcomes = new Set<number>();
    explore(scenarioNamed('create-vs-create'), PatchConfig.parse('01-08'), { preemptionBound: 2, reduce: true }, (run) => {
      outcomes.add(run.machine.events.filter((e) => e.name === 'idr_get_new').length);
    });
    assert.deepEqual([...outcomes].sort(), [1, 2], 'both creates succeed in some schedules, one gets -EAGAIN in others');
  });

  it('a preemption bound of 0 explores only the serial orders', () => {
    for (const scenario of SCENARIOS) {
      const stats = explore(scenario, PatchConfig.parse('none'), { preemptionBound: 0, reduce: false }, (run) => assert.equal(run.preemptions, 0));
      assert.ok(stats.schedules >= 1 && stats.schedules <= 2, `${scenario.name}: ${stats.schedules}`);
    }
  });

  it('explores the whole matrix well under a minute', () => {
    exploredMatrix();
    assert.equal(exploredMatrix().length, matrixConfigs().length);
    assert.ok(matrixMillis < 30_000, `took ${Math.round(matrixMillis)} ms`);
  });
});
