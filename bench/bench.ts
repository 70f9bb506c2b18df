// `npm run bench`: how fast and how big, measured on generated traces of 100k,
// 1M and 10M events (`--quick`: 100k only; `--sizes=N,M`: your own).
//
// Each size runs in its own child process (with --max-old-space-size), so the
// peak RSS is that size's alone. In one run the child measures a baseline that
// only reads the file in chunks and splits it into lines (the parser's I/O
// pattern), then the parse (streamed, readFile.ts), happens-before and the
// rules; it checks that exactly the planted races are found. A second child
// measures the editor path at 1M events: the extension's worker
// (dist/analysisWorker.js; the saved file's path or the document text in,
// Problems entries, then findings and columns out), the hand-off with and
// without transferred columns, time to diagnostics and hover latency.
// The figures go to a table and to bench/results/latest.json. `--tasks=N,M`
// measures only happens-before with N, M short-lived tasks (bench/manyTasks.ts).

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import { runRules } from '../extension/core/rules';
import type { Finding } from '../extension/core/rules/finding';
import type { Trace, TraceFormat } from '../extension/core/trace/model';
import { createParser } from '../extension/core/trace/parse';
import { parseFile } from '../extension/core/trace/readFile';
import { deserializeTrace, serializeTrace } from '../extension/core/trace/transfer';
import { findingProblems } from '../extension/core/report/problems';
import { isUpdate, type TraceSource, type WorkerMessage, type WorkerRequest, type WorkerResponse } from '../extension/host/workerProtocol';
import { GENERATOR_VERSION, generateTrace, type GeneratedTrace } from './generate';
import { measureManyTasks, writeHandOffTrace, type ManyTasksResult } from './manyTasks';
import { runGraphBench, type GraphBenchResult } from './graphBench';
import { checkPlanted, type PlantedCheck } from './planted';

const SEED = 20060401;
const PLANT_EVERY = 5000;
/** Default: DMR5 in every 20th block (see GenerateOptions.unloadEvery); `--unload-every=1` is the stress case. */
const DEFAULT_UNLOAD_EVERY = 20;
const MB = 1024 * 1024;

/** What a child measures for one trace file in one format. */
interface SizeResult {
  events: number;
  format: TraceFormat;
  fileBytes: number;
  /** Passes made; each phase's figure is its best pass. */
  repeats: number;
  /** Seconds. */
  baseline: number;
  parse: number;
  hb: number;
  rules: number;
  total: number;
  /**
   * CPU seconds (all threads) of the baseline and of the whole pipeline. On an
   * oversubscribed machine wall time also measures the wait for a cpu; these do not.
   */
  baselineCpu: number;
  totalCpu: number;
  mbPerCpuSecond: number;
  mbPerSecond: number;
  eventsPerSecond: number;
  /** total / baseline. */
  vsBaseline: number;
  peakRssBytes: number;
  /** Heap and typed arrays still held with the trace, happens-before and findings alive, after a GC. */
  retainedBytes: number;
  retainedBytesPerEvent: number;
  peakRssPerFileByte: number;
  tasks: number;
  /** Bytes of vector clocks (HappensBefore.clockBytes). */
  clockBytes: number;
  edges: number;
  findings: number;
  planted: PlantedCheck;
  maxOldSpaceMb: number;
}

/** Seconds of one step of the editor path: wall clock, and CPU of the whole process (all threads). */
interface Timed {
  wall: number;
  cpu: number;
}

interface EditorResult {
  events: number;
  findings: number;
  /** The extension's worker reading the saved file (only the path goes in) until the Problems-panel entries are back. */
  fileToProblems: Timed;
  /** ... until the trace is rebuilt on the host (findings and columns back, strings interned). */
  fileToTrace: Timed;
  /** The worker given the document's text (an edited document), until the entries are back. */
  textToProblems: Timed;
  textToTrace: Timed;
  /** The hand-off alone, in one thread: the trace serialised and structured-cloned with its columns transferred, or cloned. */
  handOffTransfer: Timed;
  handOffClone: Timed;
  /** The findings alone structured-cloned (what crosses besides the columns). */
  findingsClone: Timed;
  /** Placing the entries from the document's lines on the host (what the host did before the worker sent them). */
  problemsOnHost: Timed;
  /** First hover: happens-before is built then (the worker does not send it). */
  firstHover: number;
  /** Median of later hovers on finding lines. */
  hoverMedian: number;
  hoverMax: number;
}

interface Results {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtStart: number; loadAverageAtEnd?: number };
  seed: number;
  plantEvery: number;
  unloadEvery: number;
  sizes: SizeResult[];
  chrome: SizeResult[];
  scaling: { from: number; to: number; total: number; parse: number; hb: number; rules: number }[];
  editor?: EditorResult;
  /** The graph webview in headless chromium (absent when chromium is not installed). */
  graph?: GraphBenchResult[];
  targets: { name: string; ok: boolean; detail: string }[];
}

// ---------------------------------------------------------------- child: one size

/** The baseline: read in the same chunks with the same decoder, split lines the way LineSplitter does, count. */
function readAndSplit(path: string): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(MB);
  const decoder = new TextDecoder('utf-8');
  let lines = 0;
  let chars = 0;
  let partial = '';
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, MB, null);
      if (n === 0) break;
      const chunk = decoder.decode(buffer.subarray(0, n), { stream: true });
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl >= 0 && partial.length > 0) {
        chars += (partial + chunk.slice(0, nl)).length;
        lines++;
        partial = '';
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      while (nl >= 0) {
        chars += chunk.slice(start, nl).length;
        lines++;
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      partial += chunk.slice(start);
    }
  } finally {
    closeSync(fd);
  }
  return lines + (chars < 0 ? 1 : 0);
}

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
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
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
async function measureSize(job: { path: string; format: TraceFormat; meta: string; maxOldSpaceMb: number; repeats: number }): Promise<SizeResult> {
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
  const headerLines = job.format === 'chrome-json' ? generated.chromeHeaderLines : generated.nativeHeaderLines;
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

// ---------------------------------------------------------------- child: editor path

/** What a hover on a finding's line needs: the event at the line, its findings, its incoming edges, its text. */
function hover(trace: Trace, hb: HappensBefore, findingsByEvent: Map<number, Finding[]>, line: number): string {
  const event = trace.eventAtLine(line);
  let text = trace.describe(event);
  for (const f of findingsByEvent.get(event) ?? []) text += `\n${f.rule}: ${f.message}`;
  for (const e of hb.incoming(event)) text += `\n${e.kind} from line ${trace.line[e.from]}`;
  return text;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function timed<T>(f: () => T | Promise<T>): Promise<{ value: T; time: Timed }> {
  const [t, c] = [performance.now(), cpuSeconds()];
  const value = await f();
  return { value, time: { wall: (performance.now() - t) / 1000, cpu: cpuSeconds() - c } };
}

/** One analysis in the extension's worker as traceAnalyses.ts drives it: when the entries arrive, and when the trace is rebuilt. */
async function workerAnalysis(worker: Worker, id: number, source: TraceSource, fileName: string): Promise<{ problems: Timed; trace: Timed; rebuilt: Trace; findings: Finding[] }> {
  const [t, c] = [performance.now(), cpuSeconds()];
  const since = (): Timed => ({ wall: (performance.now() - t) / 1000, cpu: cpuSeconds() - c });
  let problems: Timed | undefined;
  const response = await new Promise<WorkerResponse>((done, fail) => {
    const onMessage = (m: WorkerMessage) => {
      if (m.id !== id) return;
      if (!isUpdate(m)) {
        worker.off('message', onMessage);
        done(m);
      } else if (m.kind === 'problems') problems = since();
    };
    worker.on('message', onMessage);
    worker.once('error', fail);
    const request: WorkerRequest = { id, kind: 'analyze', source, fileName, map: {} };
    worker.postMessage(request);
  });
  if (!response.ok) throw new Error(response.error);
  if (response.kind !== 'analyze' || !problems) throw new Error(`unexpected ${response.kind} response`);
  const rebuilt = deserializeTrace(response.trace);
  return { problems, trace: since(), rebuilt, findings: response.findings };
}

async function measureEditor(job: { path: string; workerScript: string }): Promise<EditorResult> {
  const text = readFileSync(job.path, 'utf8');
  // One worker for every request, as the extension keeps one; each route twice, the better pass kept.
  const worker = new Worker(job.workerScript);
  const best = (a: Timed, b: Timed): Timed => (a.cpu <= b.cpu ? a : b);
  let file = await workerAnalysis(worker, 1, { path: job.path }, job.path);
  let fromText = await workerAnalysis(worker, 2, { text }, job.path);
  const file2 = await workerAnalysis(worker, 3, { path: job.path }, job.path);
  const text2 = await workerAnalysis(worker, 4, { text }, job.path);
  file = { ...file, problems: best(file.problems, file2.problems), trace: best(file.trace, file2.trace) };
  fromText = { ...fromText, problems: best(fromText.problems, text2.problems), trace: best(fromText.trace, text2.trace) };
  await worker.terminate();
  const { rebuilt: trace, findings } = file;
  if (fromText.rebuilt.length !== trace.length || fromText.findings.length !== findings.length) throw new Error('the text and the file routes disagree');

  const handOffTransfer = (await timed(() => {
    const { data, transfer } = serializeTrace(trace);
    return deserializeTrace(structuredClone(data, { transfer }));
  })).time;
  const handOffClone = (await timed(() => deserializeTrace(structuredClone(serializeTrace(trace).data)))).time;
  const findingsClone = (await timed(() => structuredClone(findings))).time;
  const lines = text.split('\n');
  const problemsOnHost = (await timed(() => findingProblems(trace, findings, (l) => lines[l]))).time;

  const byEvent = new Map<number, Finding[]>();
  for (const f of findings) byEvent.set(f.primary, [...(byEvent.get(f.primary) ?? []), f]);
  const findingLines = findings.map((f) => trace.line[f.primary]);
  let t = performance.now();
  const hb = new HappensBefore(trace);
  hover(trace, hb, byEvent, findingLines[0]);
  const firstHover = (performance.now() - t) / 1000;
  const times: number[] = [];
  for (let k = 0; k < Math.min(200, findingLines.length); k++) {
    const line = findingLines[Math.floor((k * findingLines.length) / Math.min(200, findingLines.length))];
    t = performance.now();
    hover(trace, hb, byEvent, line);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    events: trace.length, findings: findings.length,
    fileToProblems: file.problems, fileToTrace: file.trace, textToProblems: fromText.problems, textToTrace: fromText.trace,
    handOffTransfer, handOffClone, findingsClone, problemsOnHost,
    firstHover, hoverMedian: times[times.length >> 1], hoverMax: times[times.length - 1],
  };
}

// ---------------------------------------------------------------- parent

function parseArgs(argv: string[]): { sizes: number[]; chromeUpTo: number; editorAt: number; out: string; unloadEvery: number; tasks: number[] } {
  const quick = argv.includes('--quick');
  const sizesArg = argv.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [100_000] : [100_000, 1_000_000, 10_000_000];
  const editorAt = quick ? 100_000 : 1_000_000;
  const unloadArg = argv.find((a) => a.startsWith('--unload-every='));
  const unloadEvery = unloadArg ? Number(unloadArg.slice(15)) : DEFAULT_UNLOAD_EVERY;
  const tasksArg = argv.find((a) => a.startsWith('--tasks='));
  const tasks = tasksArg ? tasksArg.slice(8).split(',').map(Number) : [];
  return { sizes, chromeUpTo: 1_000_000, editorAt, out: resolve('bench/results'), unloadEvery, tasks };
}

function chromeSupported(): boolean {
  try {
    createParser('chrome-json');
    return true;
  } catch {
    return false;
  }
}

/** Generates (or reuses) the trace files of one size; returns the paths and the planted races. */
function traceFiles(events: number, withChrome: boolean, unloadEvery: number): { native: string; chrome?: string; meta: string; generated: GeneratedTrace; seconds: number } {
  const dir = join(tmpdir(), 'dm-race-lens-bench');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `gen-v${GENERATOR_VERSION}-${events}-${SEED}-${PLANT_EVERY}-${unloadEvery}`);
  const native = `${base}.dmtrace`;
  const chrome = withChrome ? `${base}.json` : undefined;
  const meta = `${base}.meta.json`;
  if (existsSync(meta) && existsSync(native) && (!chrome || existsSync(chrome))) {
    return { native, chrome, meta, generated: JSON.parse(readFileSync(meta, 'utf8')), seconds: 0 };
  }
  const t = performance.now();
  const generated = generateTrace({ events, seed: SEED, plantEvery: PLANT_EVERY, unloadEvery }, native, chrome);
  writeFileSync(meta, JSON.stringify(generated));
  return { native, chrome, meta, generated, seconds: (performance.now() - t) / 1000 };
}

function child<T>(mode: string, job: object, maxOldSpaceMb: number): T {
  const out = execFileSync(process.execPath, ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`, __filename, mode, JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 64 * MB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as T;
}

const fmtS = (s: number) => (s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`);
const fmtN = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n));
const fmtMb = (b: number) => `${(b / MB).toFixed(0)} MB`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function sizeRows(results: SizeResult[]): string[][] {
  const head = ['events', 'format', 'file', 'baseline', 'parse', 'hb', 'rules', 'total', 'MB/s', 'events/s', 'x base', 'cpu total', 'MB/cpu-s', 'peak RSS', 'RSS/file', 'held B/ev', 'planted'];
  return [head, ...results.map((r) => [
    fmtN(r.events), r.format, fmtMb(r.fileBytes), fmtS(r.baseline), fmtS(r.parse), fmtS(r.hb), fmtS(r.rules), fmtS(r.total),
    r.mbPerSecond.toFixed(0), `${(r.eventsPerSecond / 1e6).toFixed(2)}M`, r.vsBaseline.toFixed(1), fmtS(r.totalCpu), r.mbPerCpuSecond.toFixed(0), fmtMb(r.peakRssBytes),
    r.peakRssPerFileByte.toFixed(2), r.retainedBytesPerEvent.toFixed(0),
    r.planted.missing.length === 0 && r.planted.unexpected.length === 0 ? `${r.planted.expected} ok` : `FAIL -${r.planted.missing.length} +${r.planted.unexpected.length}`,
  ])];
}

function targets(sizes: SizeResult[]): Results['targets'] {
  const out: Results['targets'] = [];
  for (const r of sizes) {
    const n = fmtN(r.events);
    out.push({ name: `${n}: total >= 100 MB/s`, ok: r.mbPerSecond >= 100, detail: `${r.mbPerSecond.toFixed(0)} MB/s wall, ${r.mbPerCpuSecond.toFixed(0)} MB per cpu-second` });
    out.push({ name: `${n}: total within 3x of the baseline`, ok: r.vsBaseline <= 3, detail: `${r.vsBaseline.toFixed(1)}x wall, ${(r.totalCpu / r.baselineCpu).toFixed(1)}x in cpu time` });
    out.push({ name: `${n}: peak RSS <= 2x the file`, ok: r.peakRssPerFileByte <= 2, detail: `${r.peakRssPerFileByte.toFixed(2)}x (${fmtMb(r.peakRssBytes)} for ${fmtMb(r.fileBytes)})` });
    if (r.events >= 10_000_000) out.push({ name: `${n}: peak RSS under 2 GB`, ok: r.peakRssBytes < 2048 * MB, detail: fmtMb(r.peakRssBytes) });
    out.push({ name: `${n}: exactly the planted races`, ok: r.planted.missing.length === 0 && r.planted.unexpected.length === 0, detail: `${r.planted.expected} planted, ${r.findings} found` });
  }
  for (let k = 1; k < sizes.length; k++) {
    const e = Math.log(sizes[k].total / sizes[k - 1].total) / Math.log(sizes[k].events / sizes[k - 1].events);
    out.push({ name: `scaling ${fmtN(sizes[k - 1].events)} -> ${fmtN(sizes[k].events)} linear (exponent <= 1.1)`, ok: e <= 1.1, detail: e.toFixed(2) });
  }
  return out;
}

async function main(): Promise<void> {
  const { sizes, chromeUpTo, editorAt, out, unloadEvery, tasks } = parseArgs(process.argv.slice(2));
  if (tasks.length > 0) return manyTasks(tasks);
  const chrome = chromeSupported();
  const results: Results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version, loadAverageAtStart: loadavg()[0] },
    seed: SEED,
    plantEvery: PLANT_EVERY,
    unloadEvery,
    sizes: [],
    chrome: [],
    scaling: [],
    targets: [],
  };
  for (const events of sizes) {
    const files = traceFiles(events, chrome && events <= chromeUpTo, unloadEvery);
    if (files.seconds > 0) console.error(`generated ${fmtN(events)} events in ${fmtS(files.seconds)}`);
    const maxOldSpaceMb = events >= 10_000_000 ? 4096 : 2048;
    const repeats = events <= 1_000_000 ? 3 : 1;
    const r = child<SizeResult>('--measure', { path: files.native, format: 'dmtrace', meta: files.meta, maxOldSpaceMb, repeats }, maxOldSpaceMb);
    results.sizes.push(r);
    console.error(table(sizeRows([r])).split('\n')[1]);
    if (files.chrome) {
      results.chrome.push(child<SizeResult>('--measure', { path: files.chrome, format: 'chrome-json', meta: files.meta, maxOldSpaceMb, repeats }, maxOldSpaceMb));
    }
    if (events === editorAt) {
      const workerScript = join(__dirname, 'analysisWorker.js');
      if (existsSync(workerScript)) results.editor = child<EditorResult>('--editor', { path: files.native, workerScript }, 4096);
    }
  }
  for (let k = 1; k < results.sizes.length; k++) {
    const [a, b] = [results.sizes[k - 1], results.sizes[k]];
    const exp = (x: number, y: number) => Math.log(y / x) / Math.log(b.events / a.events);
    results.scaling.push({ from: a.events, to: b.events, total: exp(a.total, b.total), parse: exp(a.parse, b.parse), hb: exp(a.hb, b.hb), rules: exp(a.rules, b.rules) });
  }
  results.targets = targets(results.sizes);
  await measureGraph(results, sizes.filter((n) => n <= 1_000_000));
  results.machine.loadAverageAtEnd = loadavg()[0];

  const m = results.machine;
  console.log(`\ndm-race-lens benchmark: ${m.cpus} cpus (${m.cpuModel}), ${m.memoryGb} GB, node ${m.node}, load average ${m.loadAverageAtStart.toFixed(1)} -> ${(m.loadAverageAtEnd ?? 0).toFixed(1)}`);
  console.log(`trace: seed ${results.seed}, planted block every ${results.plantEvery} events, DMR5 in every ${results.unloadEvery}th block\n`);
  console.log(table(sizeRows([...results.sizes, ...results.chrome])));
  if (!chrome) console.log('(chrome-json: no parser yet, not measured)');
  if (results.scaling.length > 0) {
    console.log('\nscaling exponent log(t2/t1)/log(n2/n1):');
    console.log(table([['sizes', 'total', 'parse', 'hb', 'rules'], ...results.scaling.map((s) => [`${fmtN(s.from)} -> ${fmtN(s.to)}`, s.total.toFixed(2), s.parse.toFixed(2), s.hb.toFixed(2), s.rules.toFixed(2)])]));
  }
  if (results.editor) {
    const e = results.editor;
    const both = (x: Timed) => [fmtS(x.wall), fmtS(x.cpu)];
    console.log(`\neditor path at ${fmtN(e.events)} events, ${e.findings} findings (wall, and cpu of all threads):`);
    console.log(table([
      ['step', 'wall', 'cpu'],
      ['worker reads the saved file -> Problems entries', ...both(e.fileToProblems)],
      ['  ... -> trace rebuilt on the host', ...both(e.fileToTrace)],
      ['worker given the document text -> Problems entries', ...both(e.textToProblems)],
      ['  ... -> trace rebuilt on the host', ...both(e.textToTrace)],
      ['hand-off: columns transferred', ...both(e.handOffTransfer)],
      ['hand-off: columns cloned', ...both(e.handOffClone)],
      ['hand-off: findings cloned', ...both(e.findingsClone)],
      ['entries placed on the host instead', ...both(e.problemsOnHost)],
      ['first hover (builds happens-before)', fmtS(e.firstHover), ''],
      ['hover, median of 200', fmtS(e.hoverMedian), ''],
      ['hover, max of 200', fmtS(e.hoverMax), ''],
    ]));
  }
  console.log('\ntargets:');
  for (const t of results.targets) console.log(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.name}: ${t.detail}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nfigures written to ${join(out, 'latest.json')}`);

  const failed = [...results.sizes, ...results.chrome].filter((r) => r.planted.missing.length > 0 || r.planted.unexpected.length > 0);
  for (const r of failed) {
    console.error(`\nPLANTED RACE CHECK FAILED (${fmtN(r.events)} ${r.format}):`);
    for (const m of r.planted.missing.slice(0, 20)) console.error(`  missing: ${m}`);
    for (const u of r.planted.unexpected.slice(0, 20)) console.error(`  unexpected: ${u}`);
  }
  if (failed.length > 0) process.exit(1);
}

/** Frame times of the graph webview at the given sizes (the graph draws one lane per task, so 10M is left to the analysis). */
async function measureGraph(results: Results, sizes: number[]): Promise<void> {
  const chromium = '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`graph webview: not measured, ${chromium} is not installed (apt-get install -y --no-install-recommends chromium)`);
    return;
  }
  results.graph = await runGraphBench({ root: resolve(__dirname, '..'), sizes, chromium, log: (line) => console.error(line) });
  for (const g of results.graph) {
    results.targets.push({ name: `${fmtN(g.events)}: graph frame time p95 <= 16 ms`, ok: g.all.p95 <= 16, detail: `${g.all.p95.toFixed(1)} ms p95, ${g.all.p50.toFixed(1)} ms median, first frame ${fmtS(g.timeToFirstFrameMs / 1000)}` });
  }
}

/** `--tasks=N,M`: the many-short-lived-tasks trace of each size, each in a child with a 2 GB heap (bench/manyTasks.ts). */
function manyTasks(sizes: number[]): void {
  const dir = join(tmpdir(), 'dm-race-lens-bench');
  mkdirSync(dir, { recursive: true });
  const results: ManyTasksResult[] = [];
  for (const tasks of sizes) {
    const path = join(dir, `handoff-${tasks}.dmtrace`);
    if (!existsSync(path)) writeHandOffTrace(tasks, path);
    results.push(child<ManyTasksResult>('--tasks', { path }, 2048));
  }
  console.log(`\nhappens-before with many short-lived tasks (each hands one spinlock to the next)\n`);
  console.log(table([
    ['tasks', 'events', 'file', 'parse', 'hb', 'rules', 'clocks', 'clock B/ev', 'peak RSS', 'findings'],
    ...results.map((r) => [fmtN(r.tasks), fmtN(r.events), fmtMb(r.fileBytes), fmtS(r.parse), fmtS(r.hb), fmtS(r.rules), fmtMb(r.clockBytes), (r.clockBytes / r.events).toFixed(0), fmtMb(r.peakRssBytes), String(r.findings)]),
  ]));
}

async function entry(): Promise<void> {
  const [mode, job] = process.argv.slice(2);
  if (mode === '--measure') process.stdout.write(JSON.stringify(await measureSize(JSON.parse(job))));
  else if (mode === '--editor') process.stdout.write(JSON.stringify(await measureEditor(JSON.parse(job))));
  else if (mode === '--tasks') process.stdout.write(JSON.stringify(await measureManyTasks((JSON.parse(job) as { path: string }).path)));
  else await main();
}

entry().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(2);
});
