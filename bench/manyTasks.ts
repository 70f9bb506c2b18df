// `npm run bench -- --tasks=30000,100000`: happens-before with many short-lived
// tasks. Each task takes one spinlock after the previous task released it, so
// task k knows all k - 1 before it: the shape that made flat clock rows grow as
// tasks x hand-offs (30,000 tasks: 6.95 GB). See docs/happens-before.md.

import { statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import { runRules } from '../extension/core/rules';
import { parseFile } from '../extension/core/node/readFile';

export interface ManyTasksResult {
  tasks: number;
  events: number;
  fileBytes: number;
  /** Seconds. */
  parse: number;
  hb: number;
  rules: number;
  clockBytes: number;
  peakRssBytes: number;
  findings: number;
}

/** `tasks` tasks on 8 cpus, each `spin_lock L` then `spin_unlock L`, one after another. */
export function writeHandOffTrace(tasks: number, path: string): void {
  const lines = ['!lock L spin'];
  for (let k = 0; k < tasks; k++) {
    const time = (2 * k + 1) / 1e6;
    lines.push(`${time.toFixed(6)} cpu${k % 8} worker/${1000 + k} spin_lock lock=L`, `${(time + 1e-6).toFixed(6)} cpu${k % 8} worker/${1000 + k} spin_unlock lock=L`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Parse, happens-before and rules once, in this (fresh) process. */
export async function measureManyTasks(path: string): Promise<ManyTasksResult> {
  let t = performance.now();
  const trace = await parseFile(path);
  const parse = (performance.now() - t) / 1000;
  t = performance.now();
  const hb = new HappensBefore(trace);
  const hbSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const findings = runRules(trace, hb);
  const rules = (performance.now() - t) / 1000;
  return {
    tasks: trace.tasks.length,
    events: trace.length,
    fileBytes: statSync(path).size,
    parse,
    hb: hbSeconds,
    rules,
    clockBytes: hb.clockBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    findings: findings.length,
  };
}
