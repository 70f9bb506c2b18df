// The native pipeline as a user runs it: `node dist/cli.js analyze --format
// json FILE` as a child process, against a child that only reads and splits the
// same file (the floor), both through dist/benchProcess.js, which reports the
// child's own CPU time and peak RSS; and a child that only starts Node, what
// both pay before their first line. They alternate, so load on the machine
// falls on all alike; the medians are reported.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProcessFigures, WholeProcessResult } from './results';

/** One run of dist/benchProcess.js with `args`; stdout (the CLI's report) is discarded. */
function runProcess(distDir: string, args: string[]): ProcessFigures & { status: number } {
  const out = join(tmpdir(), `dm-race-lens-bench-rusage-${process.pid}.json`);
  rmSync(out, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(distDir, 'benchProcess.js'), out, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const wall = (performance.now() - t) / 1000;
  if (r.error) throw r.error;
  const usage = JSON.parse(readFileSync(out, 'utf8')) as { cpu: number; peakRssBytes: number };
  rmSync(out, { force: true });
  return { wall, cpu: usage.cpu, peakRssBytes: usage.peakRssBytes, status: r.status ?? -1 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function medians(runs: ProcessFigures[]): ProcessFigures {
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), peakRssBytes: median(runs.map((r) => r.peakRssBytes)) };
}

export function measureWholeProcess(distDir: string, path: string, events: number, runs: number): WholeProcessResult {
  const floor: ProcessFigures[] = [];
  const cli: ProcessFigures[] = [];
  const start: ProcessFigures[] = [];
  let cliStatus = 0;
  for (let k = 0; k < runs; k++) {
    start.push(runProcess(distDir, ['start']));
    floor.push(runProcess(distDir, ['floor', path]));
    const c = runProcess(distDir, ['run', join(distDir, 'cli.js'), 'analyze', '--format', 'json', path]);
    if (c.status !== 0 && c.status !== 1) throw new Error(`dist/cli.js analyze exited with status ${c.status} on ${path}`);
    cliStatus = c.status;
    cli.push(c);
  }
  return { events, fileBytes: statSync(path).size, runs, floor: medians(floor), cli: medians(cli), start: medians(start), cliStatus };
}
