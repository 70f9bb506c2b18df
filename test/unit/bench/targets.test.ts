// The ratio table of `npm run bench` (bench/targets.ts): each target of issue
// 13 is read at the right size, from figures of the same run, and its ok/miss
// flips exactly at the limit.

import { strict as assert } from 'node:assert';
import type { TraceFormat } from '../../../extension/core/trace/model';
import type { EditorResult, Results, SizeResult, WholeProcessResult } from '../../../bench/results';
import { LIMITS, evaluateTargets, targetTableRows } from '../../../bench/targets';
import { printResults } from '../../../bench/report';
import type { GraphBenchResult } from '../../../bench/graphBench';

const MB = 1024 * 1024;

function size(events: number, format: TraceFormat, mbPerCpuSecond: number, more: Partial<SizeResult> = {}): SizeResult {
  const fileBytes = events * 70;
  return {
    events, format, fileBytes, repeats: 1, baseline: 0.1, parse: 1, hb: 0.1, rules: 0.1, total: 1.2, baselineCpu: 0.1,
    totalCpu: fileBytes / MB / mbPerCpuSecond, mbPerCpuSecond, mbPerSecond: 50, eventsPerSecond: 1e6, vsBaseline: 12,
    peakRssBytes: fileBytes * 1.5, retainedBytes: 0, retainedBytesPerEvent: 0, peakRssPerFileByte: 1.5, tasks: 33, clockBytes: 0,
    edges: 0, findings: 6, planted: { expected: 6, found: 6, missing: [], unexpected: [] }, maxOldSpaceMb: 2048, ...more,
  };
}

function whole(events: number, cliCpu: number, floorCpu: number, rssPerFile: number): WholeProcessResult {
  const fileBytes = events * 70;
  return {
    events, fileBytes, runs: 5, cliStatus: 1,
    floor: { wall: floorCpu, cpu: floorCpu, peakRssBytes: 50 * MB },
    cli: { wall: cliCpu, cpu: cliCpu, peakRssBytes: fileBytes * rssPerFile },
    start: { wall: 0.05, cpu: 0.05, peakRssBytes: 40 * MB },
  };
}

const editor: EditorResult = { events: 1e6, workerTextToDiagnostics: 2.9, workerFileToDiagnostics: 1.5, firstHover: 0.04, hoverMedian: 0.0001, hoverMax: 0.001 };

function graph(events: number, p95: number, firstFrameMs: number): GraphBenchResult {
  const frames = { frames: 100, p50: 5, p95, max: 30, mean: 6 };
  return { events, tasks: 33, edges: 1, races: 6, analyzeSeconds: 1, buildGraphSeconds: 0.1, messageBytes: 1, timeToFirstFrameMs: firstFrameMs, firstFrameCpuMs: firstFrameMs, cpu: frames, zoom: frames, pan: frames, all: frames, loadAverage: 1 };
}

/** A run that meets every target exactly at its limit, at 100k, 1M and 10M. */
function atLimits(): Pick<Results, 'sizes' | 'recorded' | 'wholeProcess' | 'jsonParse' | 'editor' | 'graph'> {
  const native = 200;
  return {
    sizes: [size(1e5, 'dmtrace', 50), size(1e6, 'dmtrace', native), size(1e7, 'dmtrace', native, { peakRssPerFileByte: LIMITS.rssPerFile })],
    recorded: [
      size(1e6, 'chrome-json', LIMITS.chromeMbPerCpuSecond),
      ...(['ftrace', 'trace-cmd', 'perf-script', 'bpftrace'] as const).map((f) => size(1e6, f, native * LIMITS.textVsNative)),
    ],
    wholeProcess: [whole(1e5, 10, 1, 30), whole(1e6, 3, 1, LIMITS.rssPerFile)],
    jsonParse: [{ events: 1e6, fileBytes: 1e6 * 70, cpu: 1, wall: 1, mbPerCpuSecond: LIMITS.chromeMbPerCpuSecond / LIMITS.chromeVsJsonParse }],
    editor: { ...editor, workerTextToDiagnostics: LIMITS.editorDiagnosticsSeconds, firstHover: LIMITS.hoverSeconds },
    graph: [graph(1e5, 40, 2000), graph(1e6, LIMITS.graphP95Ms, 999)],
  };
}

const row = (rows: ReturnType<typeof evaluateTargets>, start: string) => {
  const found = rows.find((r) => r.target.startsWith(start));
  assert.ok(found, `no row "${start}"`);
  return found;
};

describe('benchmark ratio table (bench/targets.ts)', () => {
  it('has one row per target of issue 13, each met at its limit and read at 1M (10M for the 10M row)', () => {
    const rows = evaluateTargets(atLimits());
    assert.equal(rows.length, 14);
    for (const r of rows) assert.equal(r.ok, true, `${r.target}: ${r.value}`);
    for (const r of rows.slice(0, 12)) assert.equal(r.at, '1M', r.target);
    assert.equal(row(rows, '10M events').at, '10M');
    assert.match(row(rows, 'native, whole process: CPU').value, /^3\.00x cpu/);
  });

  it('misses each target just past its limit', () => {
    const r = atLimits();
    r.wholeProcess[1] = whole(1e6, 3.01, 1, 2.01);
    r.recorded = r.recorded.map((x) => ({ ...x, mbPerCpuSecond: x.mbPerCpuSecond * 0.99 }));
    r.sizes[2] = { ...r.sizes[2], peakRssPerFileByte: 2.01 };
    r.editor = { ...editor, workerTextToDiagnostics: 3.01, firstHover: 0.051 };
    r.graph = [graph(1e6, 16.1, 1000)];
    const rows = evaluateTargets(r);
    for (const x of rows.slice(0, 13)) assert.equal(x.ok, false, `${x.target}: ${x.value}`);
    assert.equal(rows[13].ok, true, 'the planted races are still right');
  });

  it('compares a text format with the native format of the same size, and Chrome JSON with JSON.parse of the same file', () => {
    const r = atLimits();
    r.recorded.push(size(1e5, 'ftrace', 50 * LIMITS.textVsNative * 0.9));
    r.sizes = r.sizes.filter((s) => s.events !== 1e6);
    r.recorded = r.recorded.filter((s) => s.events !== 1e6 || s.format === 'chrome-json');
    const rows = evaluateTargets(r);
    const ftrace = row(rows, 'ftrace');
    assert.equal(ftrace.at, '100k', 'without 1M, the largest size below it');
    assert.equal(ftrace.ok, false);
    assert.match(ftrace.value, /^0\.45 /);
    assert.equal(row(rows, 'trace-cmd').ok, undefined, 'no trace-cmd measured at 100k');
    r.jsonParse = [{ ...r.jsonParse[0], fileBytes: 1 }];
    assert.equal(row(evaluateTargets(r), 'Chrome JSON >= 0').ok, undefined, 'JSON.parse of another file is no yardstick');
  });

  it('counts the first hover (it builds happens-before) among the hovers', () => {
    const r = atLimits();
    r.editor = { ...editor, firstHover: 0.3, hoverMax: 0.001 };
    assert.equal(row(evaluateTargets(r), 'editor: every hover').ok, false);
  });

  it('says n/a for what was not measured and names every wrong planted race trace', () => {
    const r = atLimits();
    r.editor = undefined;
    r.graph = undefined;
    r.sizes = r.sizes.slice(0, 2);
    r.recorded[1] = { ...r.recorded[1], planted: { expected: 6, found: 7, missing: ['DMR1 error line 9 race0_dmr1'], unexpected: ['x', 'y'] } };
    const rows = evaluateTargets(r);
    const table = targetTableRows(rows);
    const mark = (start: string) => table.find((t) => t[0].startsWith(start))?.[3];
    assert.equal(mark('editor: diagnostics'), 'n/a');
    assert.equal(mark('graph: p95'), 'n/a');
    assert.equal(mark('10M events'), 'n/a');
    assert.equal(mark('planted races'), 'MISS');
    assert.equal(row(rows, 'planted races').value, 'FAIL: 1M ftrace -1 +2');
    assert.equal(mark('native, whole process: CPU'), 'ok');
  });
});

describe('benchmark report: where the whole processes\' CPU goes (bench/report.ts)', () => {
  it('splits the CLI into Node\'s start, the warm pipeline of the same size and the rest, against the floor', () => {
    const r = atLimits();
    // 1M: floor 1 s, CLI 3 s, Node's start 0.05 s; the native 1M row's warm pipeline is 70 MB / 200 MB per cpu-s
    const warm = (1e6 * 70) / MB / 200;
    const lines: string[] = [];
    printResults({
      ...r, date: '', seed: 1, plantEvery: 1, unloadEvery: 1, scaling: [], targets: [],
      machine: { cpus: 2, cpuModel: 'x', memoryGb: 1, node: 'v20', loadAverageAtStart: 0 },
    }, (l) => lines.push(...l.split('\n')));
    const head = lines.findIndex((l) => l.startsWith('events  node start'));
    assert.ok(head > 0, 'no breakdown table');
    const cells = lines[head + 2].split(/\s{2,}/);
    assert.deepEqual(cells, ['1M', '50 ms', '950 ms', `${(warm * 1000).toFixed(0)} ms`, `${(3 - 0.05 - warm).toFixed(2)} s`, '3.00 s', (0.05 + warm).toFixed(2)]);
  });
});
