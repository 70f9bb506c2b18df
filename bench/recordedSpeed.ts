// Reading speed of every recorded layout against the native format, on the
// same generated events (renderFormats.ts), in one process, so the figures are
// ratios measured under the same load:
//   npm run build && node --expose-gc dist/recordedSpeed.js [events] [format,format...]
// Each format is parsed in rounds, interleaved with the others, and its least
// CPU time is kept; the analysis (happens-before and rules) is timed once per
// format. `npm run bench` measures the same formats whole, one process each.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import { runRules } from '../extension/core/rules';
import type { TraceFormat } from '../extension/core/trace/model';
import { parseFile } from '../extension/core/node/readFile';
import { GENERATOR_VERSION, generateTrace } from './generate';
import { SUFFIX, TEXT_FORMATS } from './renderFormats';

const MB = 1024 * 1024;
const ROUNDS = 3;

interface Row {
  format: TraceFormat;
  bytes: number;
  parseCpu: number;
  analysisCpu: number;
  events: number;
  findings: number;
}

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function measure(path: string, format: TraceFormat, analyse: boolean): Promise<Omit<Row, 'bytes'>> {
  gc();
  const start = cpu();
  const trace = await parseFile(path, { format });
  const parseCpu = cpu() - start;
  if (!analyse) return { format, parseCpu, analysisCpu: NaN, events: trace.length, findings: NaN };
  const t = cpu();
  const findings = runRules(trace, new HappensBefore(trace));
  return { format, parseCpu, analysisCpu: cpu() - t, events: trace.length, findings: findings.length };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 1_000_000);
  const dir = join(tmpdir(), `dmrl-recorded-v${GENERATOR_VERSION}-${events}`);
  mkdirSync(dir, { recursive: true });
  const paths = {} as Record<TraceFormat, string>;
  for (const f of ['dmtrace', 'chrome-json', ...TEXT_FORMATS] as TraceFormat[]) paths[f] = join(dir, `trace${SUFFIX[f]}`);
  if (!Object.values(paths).every((p) => existsSync(p))) {
    const { dmtrace, ...others } = paths;
    generateTrace({ events, seed: 1, plantEvery: 5000 }, dmtrace, others);
  }
  const only = process.argv[3]?.split(',');
  const formats = (Object.keys(paths) as TraceFormat[]).filter((f) => f === 'dmtrace' || !only || only.includes(f));
  const rows = new Map<TraceFormat, Row>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const format of formats) {
      const r = await measure(paths[format], format, round === 0);
      const best = rows.get(format);
      if (!best) rows.set(format, { ...r, bytes: statSync(paths[format]).size });
      else best.parseCpu = Math.min(best.parseCpu, r.parseCpu);
    }
  }
  const native = rows.get('dmtrace')!;
  const nativeRate = native.bytes / MB / native.parseCpu;
  console.log(`${events} events, best of ${ROUNDS} interleaved rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('format        MB     parse CPU-s  MB/CPU-s  vs native  parse+analysis MB/CPU-s  events   findings');
  for (const r of rows.values()) {
    const rate = r.bytes / MB / r.parseCpu;
    const total = r.bytes / MB / (r.parseCpu + r.analysisCpu);
    console.log(
      `${r.format.padEnd(12)} ${(r.bytes / MB).toFixed(1).padStart(6)} ${r.parseCpu.toFixed(2).padStart(10)} ${rate.toFixed(0).padStart(9)} ${(rate / nativeRate).toFixed(2).padStart(9)} ${total.toFixed(0).padStart(14)} ${String(r.events).padStart(17)} ${String(r.findings).padStart(8)}`,
    );
  }
}

void main();
