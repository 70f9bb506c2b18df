// The benchmark's child processes for one trace file: the pipeline in-process
// (a baseline that only reads and splits the file, then parse, happens-before
// and rules, phase by phase, with the planted-race check), and the native
// JSON.parse on a Chrome JSON file, the yardstick of the Chrome JSON parser.

import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import { runRules } from '../extension/core/rules';
import type { Finding } from '../extension/core/rules/finding';
import type { Trace, TraceFormat } from '../extension/core/trace/model';
import { parseFile } from '../extension/core/node/readFile';
import { readAndSplit } from './floor';
import type { GeneratedTrace } from './generate';
import { checkPlanted } from './planted';
import type { JsonParseResult, SizeResult } from './results';

const MB = 1024 * 1024;

/** CPU seconds of this process so far (all threads). */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const retained = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

interface Run {
  /** CPU seconds of the process (all its threads) for the baseline, the whole pipeline and the rules. */
  baselineCpu: number;
  totalCpu: number;
  rulesCpu: number;
  baseline: number;
  parse: number;
  hb: number;
  rules: number;
  total: number;
  trace: Trace;
  hbGraph: HappensBefore;
  findings: Finding[];
}

/** One pass: the baseline, then the pipeline phase by phase (seconds, wall clock). */
async function runOnce(path: string, format: TraceFormat): Promise<Run> {
  let t = performance.now();
  let c = cpu();
  readAndSplit(path);
  const baseline = (performance.now() - t) / 1000;
  const baselineCpu = cpu() - c;
  const start = performance.now();
  const startCpu = cpu();
  const trace = await parseFile(path, { format });
  const parse = (performance.now() - start) / 1000;
  t = performance.now();
  const hbGraph = new HappensBefore(trace);
  const hb = (performance.now() - t) / 1000;
  t = performance.now();
  c = cpu();
  const findings = runRules(trace, hbGraph);
  const rules = (performance.now() - t) / 1000;
  const rulesCpu = cpu() - c;
  const total = (performance.now() - start) / 1000;
  const totalCpu = cpu() - startCpu;
  return { baseline, parse, hb, rules, total, baselineCpu, totalCpu, rulesCpu, trace, hbGraph, findings };
}

/**
 * Small sizes run `repeats` times and keep each phase's best time: on a shared
 * machine the minimum is the figure least disturbed by other processes.
 */
export async function measureSize(job: { path: string; format: TraceFormat; meta: string; maxOldSpaceMb: number; repeats: number }): Promise<SizeResult> {
  const generated = JSON.parse(readFileSync(job.meta, 'utf8')) as GeneratedTrace;
  const fileBytes = statSync(job.path).size;
  const before = retained();
  let run: Run | undefined = await runOnce(job.path, job.format);
  // The peak of one analysis in a fresh process (later passes run on a heap the earlier ones grew).
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const best = { baseline: run.baseline, parse: run.parse, hb: run.hb, rules: run.rules, total: run.total, baselineCpu: run.baselineCpu, totalCpu: run.totalCpu };
  for (let k = 1; k < job.repeats; k++) {
    run = undefined; // the previous pass is garbage (and collected) before the next: peak RSS is one pass's
    gc();
    run = await runOnce(job.path, job.format);
    for (const phase of ['baseline', 'parse', 'hb', 'rules', 'total', 'baselineCpu', 'totalCpu'] as const) best[phase] = Math.min(best[phase], run[phase]);
  }
  const held = retained() - before;
  const { trace, hbGraph: hb, findings } = run;
  const headerLines = generated.headerLines[job.format];
  const result: SizeResult = {
    events: trace.length,
    format: job.format,
    fileBytes,
    repeats: job.repeats,
    baseline: best.baseline,
    parse: best.parse,
    hb: best.hb,
    rules: best.rules,
    total: best.total,
    baselineCpu: best.baselineCpu,
    totalCpu: best.totalCpu,
    mbPerCpuSecond: fileBytes / MB / best.totalCpu,
    mbPerSecond: fileBytes / MB / best.total,
    eventsPerSecond: trace.length / best.total,
    vsBaseline: best.total / best.baseline,
    peakRssBytes,
    retainedBytes: held,
    retainedBytesPerEvent: held / trace.length,
    peakRssPerFileByte: peakRssBytes / fileBytes,
    tasks: trace.tasks.length,
    clockBytes: hb.clockBytes,
    edges: hb.edgeCount,
    findings: findings.length,
    planted: checkPlanted(generated, headerLines, trace, findings),
    maxOldSpaceMb: job.maxOldSpaceMb,
  };
  keepAlive(trace, hb, findings);
  return result;
}

/** Holds the objects until after the last measurement, so the retained figure includes them. */
function keepAlive(...values: unknown[]): void {
  if (values.length < 0) console.log(values);
}

/** Reads the whole file, decodes it and JSON.parses it at once: the speed of the native parser on these bytes (best of 3). */
export function measureJsonParse(job: { path: string }): JsonParseResult {
  const fileBytes = statSync(job.path).size;
  let best = { cpu: Infinity, wall: Infinity };
  let events = 0;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const c = cpu();
    const parsed = JSON.parse(readFileSync(job.path).toString('utf8')) as { traceEvents: unknown[] };
    const pass = { cpu: cpu() - c, wall: (performance.now() - t) / 1000 };
    events = parsed.traceEvents.length;
    if (pass.cpu < best.cpu) best = pass;
    gc();
  }
  return { events, fileBytes, cpu: best.cpu, wall: best.wall, mbPerCpuSecond: fileBytes / MB / best.cpu };
}
