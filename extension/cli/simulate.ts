// `dm-race-lens simulate`: explores the model of the dm paths under patch
// configurations of the series.
//
//   simulate --matrix [--format text|json] [--bound N]
//   simulate --scenario NAME --patches LIST --out FILE [--race DMRn] [--bound N]
//   simulate --write-samples [--samples DIR]      regenerate sample-traces/simulated
//   simulate --list                               the scenarios

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  DEFAULT_PREEMPTION_BOUND,
  PatchConfig,
  SCENARIOS,
  formatMatrix,
  raceMatrix,
  racesClosedByPatch,
  runScenario,
  scenarioNamed,
  simulatedSamples,
  sourcePathFor,
  writeDmtrace,
} from '../core/simulate';
import { defaultSampleDir, loadModelSeries } from '../core/node/loadSeries';
import type { RuleId } from '../core/rules/finding';
import { parseArgs, UsageError } from './args';

const SPEC = {
  matrix: 'flag',
  format: 'one',
  bound: 'one',
  scenario: 'one',
  patches: 'one',
  out: 'one',
  race: 'one',
  samples: 'one',
  'write-samples': 'flag',
  list: 'flag',
} as const;

export function simulateCommand(args: string[], out: (text: string) => void): number {
  const parsed = parseArgs(args, { ...SPEC });
  const bound = parsed.options.bound === undefined ? DEFAULT_PREEMPTION_BOUND : Number(parsed.options.bound);
  if (!Number.isInteger(bound) || bound < 0) throw new UsageError(`--bound needs a whole number, got ${parsed.options.bound}`);
  const sampleDir = resolve(parsed.options.samples ?? defaultSampleDir());

  if (parsed.flags.has('list')) {
    for (const s of SCENARIOS) out(`${s.name.padEnd(18)} ${s.race}  ${s.title}\n`);
    return 0;
  }
  if (parsed.flags.has('matrix')) {
    const format = parsed.options.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got ${format}`);
    const matrix = raceMatrix({ preemptionBound: bound });
    if (format === 'json') out(JSON.stringify({ ...matrix, closes: racesClosedByPatch(matrix) }, null, 2) + '\n');
    else out(formatMatrix(matrix));
    return 0;
  }
  if (parsed.flags.has('write-samples')) {
    const target = join(sampleDir, 'simulated');
    const files = simulatedSamples(loadModelSeries(sampleDir), bound);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      writeFileSync(join(target, path), text);
    }
    out(`wrote ${files.size} files to ${target}\n`);
    return 0;
  }
  if (parsed.options.scenario !== undefined) return writeOneTrace(parsed.options, bound, sampleDir, out);
  throw new UsageError('simulate needs --matrix, --scenario NAME --patches LIST --out FILE, --write-samples or --list');
}

function writeOneTrace(options: Record<string, string | undefined>, bound: number, sampleDir: string, out: (text: string) => void): number {
  if (!options.out) throw new UsageError('--scenario needs --out FILE');
  let scenario;
  let config;
  try {
    scenario = scenarioNamed(options.scenario as string);
    config = PatchConfig.parse(options.patches ?? 'none');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const run = runScenario(scenario, config, { preemptionBound: bound });
  const wanted = options.race?.toUpperCase() as RuleId | undefined;
  const witness = wanted ? run.witnesses.get(wanted) : [...run.witnesses.values()][0];
  if (wanted && !witness) {
    out(`${scenario.name} with patches ${config.name}: no schedule hits ${wanted} (it hits ${[...run.witnesses.keys()].join(', ') || 'nothing'})\n`);
    return 1;
  }
  // Without a fault, the schedule that runs the tasks one after the other.
  const record = witness ?? run.schedules[0].record;

  const series = loadModelSeries(sampleDir);
  const outFile = resolve(options.out);
  // Point at the configuration's dm.c in sample-traces when it is there, else write it beside the trace.
  let source = join(sampleDir, 'simulated', sourcePathFor(config));
  const written = join(dirname(outFile), 'source', config.name, 'dm.c');
  const dmc = series.sourceFor(config).get('dm.c') as string;
  if (!existsText(source, dmc)) {
    mkdirSync(dirname(written), { recursive: true });
    writeFileSync(written, dmc);
    source = written;
  }
  const text = writeDmtrace(record, { lines: series.lineTable(config), sourcePath: relative(dirname(outFile), source).split('\\').join('/') });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  const faults = record.faults.map((f) => `${f.race} ${f.kind}`).join(', ') || 'no fault';
  out(`wrote ${outFile}: ${scenario.name} with patches ${config.name}, ${record.events.length} events, ${record.preemptions} preemption(s), ${faults}\n`);
  return 0;
}

/** Is `path` a file holding exactly `text` (the configuration's dm.c)? */
function existsText(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}
