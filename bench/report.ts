// What `npm run bench` prints: the figures per size and format, the scaling,
// the editor path, and at the end the ratio table (targets.ts).

import type { Results, SizeResult } from './results';
import { targetTableRows } from './targets';
import { fmtMb, fmtN, fmtS, table } from './textTable';

function sizeRows(results: SizeResult[]): string[][] {
  const head = ['events', 'format', 'file', 'baseline', 'parse', 'hb', 'rules', 'total', 'MB/s', 'events/s', 'x base', 'cpu total', 'MB/cpu-s', 'peak RSS', 'RSS/file', 'held B/ev', 'planted'];
  return [head, ...results.map((r) => [
    fmtN(r.events), r.format, fmtMb(r.fileBytes), fmtS(r.baseline), fmtS(r.parse), fmtS(r.hb), fmtS(r.rules), fmtS(r.total),
    r.mbPerSecond.toFixed(0), `${(r.eventsPerSecond / 1e6).toFixed(2)}M`, r.vsBaseline.toFixed(1), fmtS(r.totalCpu), r.mbPerCpuSecond.toFixed(0), fmtMb(r.peakRssBytes),
    r.peakRssPerFileByte.toFixed(2), r.retainedBytesPerEvent.toFixed(0),
    r.planted.missing.length === 0 && r.planted.unexpected.length === 0 ? `${r.planted.expected} ok` : `FAIL -${r.planted.missing.length} +${r.planted.unexpected.length}`,
  ])];
}

/** One line of the size table, for progress while the benchmark runs. */
export function sizeLine(r: SizeResult): string {
  return table(sizeRows([r]), [0, 1]).split('\n')[1];
}

export function printResults(results: Results, log: (line: string) => void): void {
  const m = results.machine;
  log(`\ndm-race-lens benchmark: ${m.cpus} cpus (${m.cpuModel}), ${m.memoryGb} GB, node ${m.node}`);
  log(`trace: seed ${results.seed}, planted block every ${results.plantEvery} events, DMR5 in every ${results.unloadEvery}th block\n`);
  log(table(sizeRows([...results.sizes, ...results.recorded]), [0, 1]));
  if (results.scaling.length > 0) {
    log('\nscaling exponent log(t2/t1)/log(n2/n1):');
    log(table([['sizes', 'total', 'parse', 'hb', 'rules'], ...results.scaling.map((s) => [`${fmtN(s.from)} -> ${fmtN(s.to)}`, s.total.toFixed(2), s.parse.toFixed(2), s.hb.toFixed(2), s.rules.toFixed(2)])]));
  }
  if (results.wholeProcess.length > 0) {
    log('\nwhole process, median of the runs (dist/cli.js analyze --format json, and a process that only reads and splits the file):');
    log(table([
      ['events', 'file', 'runs', 'floor wall', 'floor cpu', 'floor RSS', 'cli wall', 'cli cpu', 'cli RSS', 'cpu x floor', 'RSS/file'],
      ...results.wholeProcess.map((w) => [fmtN(w.events), fmtMb(w.fileBytes), String(w.runs), fmtS(w.floor.wall), fmtS(w.floor.cpu), fmtMb(w.floor.peakRssBytes), fmtS(w.cli.wall), fmtS(w.cli.cpu), fmtMb(w.cli.peakRssBytes), (w.cli.cpu / w.floor.cpu).toFixed(2), (w.cli.peakRssBytes / w.fileBytes).toFixed(2)]),
    ]));
    log('\nwhere their cpu goes: Node\'s start (a process that only starts), the floor\'s reading and splitting, and the CLI\'s');
    log('pipeline as warm code runs it (parse, happens-before, rules in-process, best pass, from the table above); the rest');
    log('of the CLI is loading the bundle, compiling (V8\'s optimising compiler, on its own threads), code not yet optimised, the report:');
    log(table([
      ['events', 'node start', 'floor: read+split', 'cli: pipeline warm', 'cli: the rest', 'cli cpu', 'start + pipeline warm, x floor'],
      ...results.wholeProcess.map((w) => {
        const warm = results.sizes.find((s) => s.events === w.events && s.format === 'dmtrace')?.totalCpu ?? NaN;
        return [fmtN(w.events), fmtS(w.start.cpu), fmtS(w.floor.cpu - w.start.cpu), fmtS(warm), fmtS(w.cli.cpu - w.start.cpu - warm), fmtS(w.cli.cpu), ((w.start.cpu + warm) / w.floor.cpu).toFixed(2)];
      }),
    ]));
  }
  for (const j of results.jsonParse) log(`\nJSON.parse of the whole Chrome JSON file (${fmtMb(j.fileBytes)}, read, decoded, parsed at once; best of 3): ${fmtS(j.cpu)} cpu, ${j.mbPerCpuSecond.toFixed(0)} MB/cpu-s`);
  if (results.editor) {
    const e = results.editor;
    const d = e.detail;
    const both = (x: { wall: number; cpu: number }) => [fmtS(x.wall), fmtS(x.cpu)];
    log(`\neditor path at ${fmtN(e.events)} events${d ? `, ${d.findings} findings` : ''} (wall, and cpu of all threads):`);
    log(table([
      ['step', 'wall', 'cpu'],
      ...(d
        ? [
            ['worker reads the saved file -> Problems entries', ...both(d.fileToProblems)],
            ['  ... -> trace rebuilt on the host', ...both(d.fileToTrace)],
            ['worker given the document text -> Problems entries', ...both(d.textToProblems)],
            ['  ... -> trace rebuilt on the host', ...both(d.textToTrace)],
            ['hand-off: columns transferred', ...both(d.handOffTransfer)],
            ['hand-off: columns cloned', ...both(d.handOffClone)],
            ['hand-off: findings cloned', ...both(d.findingsClone)],
            ['entries placed on the host instead', ...both(d.problemsOnHost)],
          ]
        : [
            ['worker (document text) -> diagnostics', fmtS(e.workerTextToDiagnostics), ''],
            ['worker (saved file) -> diagnostics', fmtS(e.workerFileToDiagnostics), ''],
          ]),
      ['first hover (happens-before from the worker)', fmtS(e.firstHover), ''],
      ...(d?.firstHoverBuildingHb !== undefined ? [['  ... building happens-before on the host instead', fmtS(d.firstHoverBuildingHb), '']] : []),
      ['hover, median of 200', fmtS(e.hoverMedian), ''],
      ['hover, max of 200', fmtS(e.hoverMax), ''],
    ]));
  }
  log(`\ntargets of issue 13 (load average ${m.loadAverageAtStart.toFixed(1)} at start, ${(m.loadAverageAtEnd ?? 0).toFixed(1)} at end, on ${m.cpus} cpus):`);
  log(table(targetTableRows(results.targets), [0, 2]));
}
