// `npm run bench`: how fast and how big, measured on generated traces of 100k,
// 1M and 10M events (`--quick`: 100k only; `--sizes=N,M`: your own), ending
// with the ratio table of issue 13's targets (targets.ts).
//
// Each size runs in its own child process (with --max-old-space-size), so the
// peak RSS is that size's alone (measure.ts): a baseline that only reads the
// file in chunks and splits it into lines, then the parse, happens-before and
// the rules, and the check that exactly the planted races are found. Up to 1M
// events the same trace is also measured as Chrome JSON and in each recorded
// text format (renderFormats.ts), the Chrome JSON file also with the native
// JSON.parse, and the CLI runs as a whole process against a process that only
// reads and splits the file (wholeProcess.ts). Another child measures the
// editor path at 1M events: the extension's worker (dist/analysisWorker.js;
// the saved file's path or the document text in, Problems entries, then
// findings, columns and happens-before out), the hand-off with and without
// transferred columns, time to diagnostics and hover latency. Then the graph webview
// (graphBench.ts). The figures go to tables and to bench/results/latest.json.
// `--tasks=N,M` measures only happens-before with N, M short-lived tasks
// (bench/manyTasks.ts).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import type { Finding } from '../extension/core/rules/finding';
import type { Trace, TraceFormat } from '../extension/core/trace/model';
import { findingProblems } from '../extension/core/report/problems';
import { deserializeTrace, serializeTrace } from '../extension/core/trace/transfer';
import { deserializeHappensBefore, type SerializedHappensBefore } from '../extension/core/hb/transfer';
import { isUpdate, type TraceSource, type WorkerMessage, type WorkerRequest, type WorkerResponse } from '../extension/host/workerProtocol';
import { GENERATOR_VERSION, generateTrace, type GeneratedTrace } from './generate';
import { measureManyTasks, writeHandOffTrace, type ManyTasksResult } from './manyTasks';
import { runGraphBench } from './graphBench';
import { measureJsonParse, measureSize } from './measure';
import { SUFFIX, TEXT_FORMATS } from './renderFormats';
import { printResults, sizeLine } from './report';
import type { EditorResult, JsonParseResult, Results, SizeResult, Timed } from './results';
import { evaluateTargets } from './targets';
import { MB, fmtN, fmtS, fmtMb, table } from './textTable';
import { measureWholeProcess } from './wholeProcess';

const SEED = 20060401;
const PLANT_EVERY = 5000;
/** Default: DMR5 in every 20th block (see GenerateOptions.unloadEvery); `--unload-every=1` is the stress case. */
const DEFAULT_UNLOAD_EVERY = 20;
/** Runs of the CLI and of the floor process each, medians reported. */
const WHOLE_PROCESS_RUNS = 5;

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
async function workerAnalysis(
  worker: Worker, id: number, source: TraceSource, fileName: string,
): Promise<{ problems: Timed; trace: Timed; rebuilt: Trace; hb: SerializedHappensBefore; findings: Finding[] }> {
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
  return { problems, trace: since(), rebuilt, hb: response.hb, findings: response.findings };
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
  // The first hover as the host answers it now (happens-before as the worker sent it, taken over at
  // the hover to count that too), and as it did when it built happens-before itself then.
  let t = performance.now();
  const hb = deserializeHappensBefore(trace, file.hb);
  hover(trace, hb, byEvent, findingLines[0]);
  const firstHover = (performance.now() - t) / 1000;
  t = performance.now();
  hover(trace, new HappensBefore(trace), byEvent, findingLines[0]);
  const firstHoverBuildingHb = (performance.now() - t) / 1000;
  const times: number[] = [];
  for (let k = 0; k < Math.min(200, findingLines.length); k++) {
    const line = findingLines[Math.floor((k * findingLines.length) / Math.min(200, findingLines.length))];
    t = performance.now();
    hover(trace, hb, byEvent, line);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    events: trace.length,
    workerTextToDiagnostics: fromText.problems.wall,
    workerFileToDiagnostics: file.problems.wall,
    firstHover, hoverMedian: times[times.length >> 1], hoverMax: times[times.length - 1],
    detail: {
      findings: findings.length,
      fileToProblems: file.problems, fileToTrace: file.trace, textToProblems: fromText.problems, textToTrace: fromText.trace,
      handOffTransfer, handOffClone, findingsClone, problemsOnHost, firstHoverBuildingHb,
    },
  };
}

// ---------------------------------------------------------------- parent

function parseArgs(argv: string[]): { sizes: number[]; recordedUpTo: number; editorAt: number; out: string; unloadEvery: number; tasks: number[] } {
  const quick = argv.includes('--quick');
  const sizesArg = argv.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [100_000] : [100_000, 1_000_000, 10_000_000];
  const editorAt = quick ? 100_000 : 1_000_000;
  const unloadArg = argv.find((a) => a.startsWith('--unload-every='));
  const unloadEvery = unloadArg ? Number(unloadArg.slice(15)) : DEFAULT_UNLOAD_EVERY;
  const tasksArg = argv.find((a) => a.startsWith('--tasks='));
  const tasks = tasksArg ? tasksArg.slice(8).split(',').map(Number) : [];
  return { sizes, recordedUpTo: 1_000_000, editorAt, out: resolve('bench/results'), unloadEvery, tasks };
}

/** The formats other than native written at a size: all of them up to `recordedUpTo` events. */
const RECORDED: TraceFormat[] = ['chrome-json', ...TEXT_FORMATS];

/** Generates (or reuses) the trace files of one size; returns the paths and the planted races. */
function traceFiles(events: number, withRecorded: boolean, unloadEvery: number): { paths: Partial<Record<TraceFormat, string>>; meta: string; seconds: number } {
  const dir = join(tmpdir(), 'dm-race-lens-bench');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `gen-v${GENERATOR_VERSION}-${events}-${SEED}-${PLANT_EVERY}-${unloadEvery}`);
  const formats: TraceFormat[] = ['dmtrace', ...(withRecorded ? RECORDED : [])];
  const paths = Object.fromEntries(formats.map((f) => [f, base + SUFFIX[f]])) as Partial<Record<TraceFormat, string>>;
  const meta = `${base}.meta.json`;
  if (existsSync(meta) && formats.every((f) => existsSync(paths[f] ?? ''))) return { paths, meta, seconds: 0 };
  const t = performance.now();
  const { dmtrace, ...others } = paths;
  const generated: GeneratedTrace = generateTrace({ events, seed: SEED, plantEvery: PLANT_EVERY, unloadEvery }, dmtrace ?? '', others);
  writeFileSync(meta, JSON.stringify(generated));
  return { paths, meta, seconds: (performance.now() - t) / 1000 };
}

function child<T>(mode: string, job: object, maxOldSpaceMb: number): T {
  const out = execFileSync(process.execPath, ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`, __filename, mode, JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 64 * MB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as T;
}

async function main(): Promise<void> {
  const { sizes, recordedUpTo, editorAt, out, unloadEvery, tasks } = parseArgs(process.argv.slice(2));
  if (tasks.length > 0) return manyTasks(tasks);
  const results: Results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version, loadAverageAtStart: loadavg()[0] },
    seed: SEED,
    plantEvery: PLANT_EVERY,
    unloadEvery,
    sizes: [],
    recorded: [],
    wholeProcess: [],
    jsonParse: [],
    scaling: [],
    targets: [],
  };
  console.error(`load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cpus`);
  for (const events of sizes) {
    const files = traceFiles(events, events <= recordedUpTo, unloadEvery);
    if (files.seconds > 0) console.error(`generated ${fmtN(events)} events in ${fmtS(files.seconds)}`);
    const maxOldSpaceMb = events >= 10_000_000 ? 4096 : 2048;
    const repeats = events <= 1_000_000 ? 3 : 1;
    const measure = (format: TraceFormat): SizeResult => {
      const r = child<SizeResult>('--measure', { path: files.paths[format], format, meta: files.meta, maxOldSpaceMb, repeats }, maxOldSpaceMb);
      console.error(sizeLine(r));
      return r;
    };
    results.sizes.push(measure('dmtrace'));
    if (events > recordedUpTo) continue;
    const native = files.paths.dmtrace ?? '';
    const whole = measureWholeProcess(__dirname, native, events, WHOLE_PROCESS_RUNS);
    results.wholeProcess.push(whole);
    console.error(`${fmtN(events)} whole process: cli ${fmtS(whole.cli.cpu)} cpu, ${fmtMb(whole.cli.peakRssBytes)}; floor ${fmtS(whole.floor.cpu)} cpu`);
    for (const format of RECORDED) results.recorded.push(measure(format));
    results.jsonParse.push(child<JsonParseResult>('--json-parse', { path: files.paths['chrome-json'] }, 4096));
    if (events === editorAt) {
      const workerScript = join(__dirname, 'analysisWorker.js');
      if (existsSync(workerScript)) results.editor = child<EditorResult>('--editor', { path: native, workerScript }, 4096);
    }
  }
  for (let k = 1; k < results.sizes.length; k++) {
    const [a, b] = [results.sizes[k - 1], results.sizes[k]];
    const exp = (x: number, y: number) => Math.log(y / x) / Math.log(b.events / a.events);
    results.scaling.push({ from: a.events, to: b.events, total: exp(a.total, b.total), parse: exp(a.parse, b.parse), hb: exp(a.hb, b.hb), rules: exp(a.rules, b.rules) });
  }
  await measureGraph(results, sizes.filter((n) => n <= 1_000_000));
  results.machine.loadAverageAtEnd = loadavg()[0];
  results.targets = evaluateTargets(results);

  printResults(results, (line) => console.log(line));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nfigures written to ${join(out, 'latest.json')}`);

  const failed = [...results.sizes, ...results.recorded].filter((r) => r.planted.missing.length > 0 || r.planted.unexpected.length > 0);
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
  else if (mode === '--json-parse') process.stdout.write(JSON.stringify(measureJsonParse(JSON.parse(job))));
  else if (mode === '--tasks') process.stdout.write(JSON.stringify(await measureManyTasks((JSON.parse(job) as { path: string }).path)));
  else await main();
}

entry().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(2);
});
