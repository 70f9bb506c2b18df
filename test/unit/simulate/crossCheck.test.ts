// The rules against the ground truth of executing the model: no faulting
// schedule goes unflagged, the fully patched model is clean, every race is
// also predicted from a schedule that happened not to fault, and the matrix
// the exploration yields is the one the series implies.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { analyzeText } from '../../../extension/core/analyze';
import { RULES, RULE_IDS, type RuleId } from '../../../extension/core/rules/finding';
import { simulateCommand } from '../../../extension/cli/simulate';
import { PATCH_IDS } from '../../../extension/core/simulate/config';
import { racesClosedByPatch, summarise, type MatrixResult } from '../../../extension/core/simulate/matrix';
import { simulatedSamples } from '../../../extension/core/simulate/samples';
import { SCENARIOS } from '../../../extension/core/simulate/scenarios';
import { exploredMatrix, SAMPLES, series } from './fixtures';

function matrix(): MatrixResult {
  return { preemptionBound: 2, scenarios: SCENARIOS.map((s) => s.name), configs: exploredMatrix().map(({ config, runs }) => summarise(config, runs)) };
}

describe('simulate: rules against ground truth', () => {
  it('flags every faulting schedule with an error of the race it hit (no false negatives)', () => {
    let faulting = 0;
    for (const { config, runs } of exploredMatrix()) {
      for (const run of runs) {
        for (const s of run.schedules) {
          for (const race of s.faults) {
            faulting++;
            assert.equal(s.findings.get(race), 'error', `${run.scenario} ${config.name} schedule ${s.record.choices.join('')} hits ${race}`);
          }
        }
      }
    }
    assert.ok(faulting > 50, `${faulting} faulting schedules checked`);
  });

  it('finds no fault and no finding on the fully patched model (no false positives)', () => {
    const full = exploredMatrix().find(({ config }) => config.patches.length === PATCH_IDS.length);
    assert.ok(full);
    for (const run of full.runs) {
      for (const s of run.schedules) {
        assert.deepEqual(s.faults, [], `${run.scenario} ${s.record.choices.join('')}`);
        assert.deepEqual([...s.findings.keys()], [], `${run.scenario} schedule ${s.record.choices.join('')}`);
      }
    }
  });

  it('orders the patched opener\'s I/O before free_dev through its close\'s _minor_lock section', () => {
    // The schedule where blkid opens, does I/O and closes (holders 2 -> 1) before
    // dmsetup's final put: DMR3 follows the open path up to dm_blk_close, and
    // only 05's locked close orders that I/O before the remover's free_dev.
    const closeAfterIo = (name: string) => {
      const col = exploredMatrix().find(({ config }) => config.name === name);
      const open = col?.runs.find((r) => r.scenario === 'open-vs-remove');
      assert.ok(open, name);
      return open.schedules.filter((s) => {
        const events = s.record.events;
        const close = events.findIndex((e) => e.name === 'dm_blk_close');
        const finalPut = events.findIndex((e) => (e.name === 'atomic_dec_and_lock' || e.name === 'dm_put') && e.args.some(([k, v]) => k === 'holders' && v === '0'));
        const io = events.some((e, i) => i < close && e.task === 0 && e.name === 'md_access');
        return s.faults.length === 0 && io && close >= 0 && finalPut > close && events[finalPut].task === 1;
      });
    };
    const patched = closeAfterIo('01-08');
    assert.ok(patched.length > 0, 'the patched model has the open/I-O/close-then-remove schedule');
    for (const s of patched) assert.ok(!s.findings.has('DMR3'), s.record.choices.join(''));
    assert.ok(closeAfterIo('01-04').some((s) => s.findings.get('DMR3') === 'error'), 'without 05 the same schedule is a predicted DMR3');
  });

  it('predicts every race that needs an interleaving from a schedule that did not fault', () => {
    const predicted = new Set<RuleId>();
    for (const { config, runs } of exploredMatrix()) {
      // A configuration is buggy for a race when some explored run of it actually hits the race.
      const buggyFor = new Set(summarise(config, runs).faults);
      for (const run of runs) {
        for (const s of run.schedules) {
          if (s.record.faults.length > 0) continue;
          for (const [rule, severity] of s.findings) if (severity === 'error' && buggyFor.has(rule)) predicted.add(rule);
        }
      }
    }
    // DMR5 has no such schedule: a successful delete_module with md0 alive always faults, and
    // md0 can only have been freed before by a task holding a module reference whose put
    // delete_module synchronises with (the trace carries that as !hb).
    assert.deepEqual([...predicted].sort(), ['DMR1', 'DMR2', 'DMR3', 'DMR4', 'DMR6']);
  });

  it('gives the matrix the series implies: each patch closes its race', () => {
    const m = matrix();
    const found = (name: string) => m.configs.find((c) => c.name === name)?.found;
    assert.deepEqual(found('none'), ['DMR1', 'DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01'), ['DMR1', 'DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01-02'), ['DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01-03'), ['DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01-04'), ['DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01-05'), ['DMR2', 'DMR5', 'DMR6']);
    assert.deepEqual(found('01-06'), ['DMR5', 'DMR6']);
    assert.deepEqual(found('01-07'), ['DMR6']);
    assert.deepEqual(found('01-08'), []);
    assert.deepEqual(found('01-02+04'), ['DMR2', 'DMR3', 'DMR4', 'DMR5', 'DMR6']);
    const faults = (name: string) => m.configs.find((c) => c.name === name)?.faults;
    assert.deepEqual(faults('none'), ['DMR1', 'DMR2', 'DMR3', 'DMR5', 'DMR6']);
    assert.deepEqual(faults('01-05'), ['DMR2', 'DMR5', 'DMR6'], 'the ground truth shows 05 closing DMR3');
    assert.deepEqual(faults('01-08'), []);
    for (const c of m.configs) assert.ok(c.schedules > 0 && c.naiveSchedules > c.schedules, c.name);
  });

  it('reads off the matrix which race each patch closes, in agreement with the rules reference', () => {
    const closes = racesClosedByPatch(matrix());
    for (const id of PATCH_IDS) {
      const documented = RULE_IDS.filter((r) => RULES[r].fixedBy.at(-1) === id);
      assert.deepEqual([...closes[id]].sort(), documented.sort(), `patch ${id}`);
    }
  });

  it('keeps sample-traces/simulated in step with the model (regenerate: dm-race-lens simulate --write-samples)', () => {
    const expected = simulatedSamples(series);
    const dir = join(SAMPLES, 'simulated');
    const onDisk = (sub: string): string[] =>
      readdirSync(join(dir, sub)).flatMap((f) => (statSync(join(dir, sub, f)).isDirectory() ? onDisk(join(sub, f)) : [join(sub, f)]));
    assert.deepEqual(onDisk('').sort(), [...expected.keys()].map((k) => join(k)).sort());
    for (const [path, text] of expected) assert.equal(readFileSync(join(dir, path), 'utf8'), text, path);
    for (const [path, text] of expected) {
      if (!path.endsWith('.dmtrace')) continue;
      const race = (/-(dmr\d)-/.exec(path)?.[1] ?? '').toUpperCase();
      const errors = analyzeText(text).findings.filter((f) => f.severity === 'error').map((f) => f.rule);
      assert.ok(errors.includes(race as RuleId), `${path} is flagged ${race}`);
    }
  });
});

describe('simulate command', () => {
  it('prints the matrix as JSON with found rules and schedule counts per configuration', () => {
    let text = '';
    assert.equal(simulateCommand(['--matrix', '--format', 'json'], (t) => (text += t)), 0);
    const json = JSON.parse(text);
    const col = json.configs.find((c: { name: string }) => c.name === '01-04');
    assert.deepEqual(col.patches, ['01', '02', '03', '04']);
    assert.ok(col.found.includes('DMR2') && !col.found.includes('DMR1') && !col.found.includes('DMR4'));
    assert.ok(Number.isInteger(col.schedules) && col.naiveSchedules > col.schedules);
    assert.deepEqual(json.configs.map((c: { name: string }) => c.name), ['none', '01', '01-02', '01-03', '01-04', '01-05', '01-06', '01-07', '01-08', '01-02+04']);
  });

  it('writes one scenario as a trace whose lines point into the configuration source', () => {
    const out = join(tempDir('dm-sim-'), 'w.dmtrace');
    let said = '';
    assert.equal(simulateCommand(['--scenario', 'lookup-vs-remove', '--patches', '01-04', '--out', out, '--samples', SAMPLES], (t) => (said += t)), 0);
    assert.match(said, /DMR2/);
    const text = readFileSync(out, 'utf8');
    const source = /^!source dm\.c=(.+)$/m.exec(text)?.[1];
    assert.ok(source);
    const dm = readFileSync(join(out, '..', source), 'utf8').split('\n');
    const get = /dm_get md=md0 holders=\d+ @dm\.c:(\d+)/.exec(text);
    assert.ok(get, 'the lookup takes its reference');
    assert.match(dm[Number(get[1]) - 1], /dm_get\(md\);.*@step get_md:get/);
    assert.ok(analyzeText(text).findings.some((f) => f.rule === 'DMR2' && f.severity === 'error'));
  });

  it('rejects an unknown scenario or patch list as a usage error', () => {
    assert.throws(() => simulateCommand(['--scenario', 'nope', '--out', '/tmp/x'], () => undefined), /unknown scenario/);
    assert.throws(() => simulateCommand(['--scenario', 'lookup-vs-remove', '--patches', '09', '--out', '/tmp/x'], () => undefined), /out of 01..08/);
  });
});
