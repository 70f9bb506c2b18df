// Reading speed of every recorded layout against the native format, on the
// same generated events, in one process (so the figures are ratios measured
// under the same load):
//   npm run build && node --expose-gc dist/recordedSpeed.js [events] [format,format...]
//
// The native and Chrome JSON files come from bench/generate.ts; the text
// layouts (ftrace, trace-cmd, perf script, bpftrace) are the native file's
// lines rendered as those recorders print them. Each format is parsed in
// rounds, interleaved with the others, and its least CPU time is kept; the
// analysis (happens-before and rules) is timed once per format.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HappensBefore } from '../extension/core/hb/happensBefore';
import { runRules } from '../extension/core/rules';
import type { TraceFormat } from '../extension/core/trace/model';
import { parseFile } from '../extension/core/node/readFile';
import { generateTrace } from './generate';

const MB = 1024 * 1024;
const ROUNDS = 3;
const TEXT_FORMATS = ['ftrace', 'trace-cmd', 'perf-script', 'bpftrace'] as const;
type TextFormat = (typeof TEXT_FORMATS)[number];

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

/** One native event line (`secs cpuN comm/pid name k=v ... @src`) as `format` prints it. */
function render(format: TextFormat, line: string): string {
  const m = /^(\d+)\.(\d+) cpu(\d+) (\S+)\/(\d+) (\S+)(.*?)(?: @\S+)?$/.exec(line);
  if (!m) throw new Error(`cannot render ${JSON.stringify(line)}`);
  const [, secs, frac, cpuText, comm, pid, name, args] = m;
  const seconds = `${secs}.${frac.slice(0, 6)}`;
  const cpuColumn = `[${cpuText.padStart(3, '0')}]`;
  switch (format) {
    case 'ftrace':
      return `${`${comm}-${pid}`.padStart(22)} ${cpuColumn} ..... ${seconds}: ${name}: (${name}+0x0/0x40 [dm_mod])${args}`;
    case 'trace-cmd':
      return `${`${comm}-${pid}`.padStart(16)}  ${cpuColumn} ${seconds}: ${`${name}:`.padEnd(20)} (${name}+0x0/0x40 [dm_mod])${args}`;
    case 'perf-script':
      return `${comm.padStart(16)} ${pid.padStart(6)} ${cpuColumn} ${seconds}: probe:${name}: (ffffffffc03ceb3f)${args}`;
    case 'bpftrace':
      return `${secs}${frac.padEnd(9, '0')} ${cpuText} ${pid} ${comm} ${name}${args}`;
  }
}

/** Writes the native trace's events in a text layout (directives become `# !` comments). */
function writeText(nativePath: string, format: TextFormat, out: string): void {
  const fd = openSync(out, 'w');
  let buffer = format === 'ftrace' ? '# tracer: nop\n#\n' : format === 'trace-cmd' ? 'cpus=8\n' : format === 'bpftrace' ? 'Attaching 30 probes...\n' : '';
  for (const line of readFileSync(nativePath, 'utf8').split('\n')) {
    if (line === '') continue;
    buffer += line.startsWith('#') ? `${line}\n` : line.startsWith('!') ? `# ${line}\n` : `${render(format, line)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
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
  const dir = join(process.env.TMPDIR ?? '/tmp', `dmrl-recorded-${events}`);
  mkdirSync(dir, { recursive: true });
  const paths: Record<string, string> = { dmtrace: join(dir, 'trace.dmtrace'), 'chrome-json': join(dir, 'trace.json') };
  if (!existsSync(paths['chrome-json'])) generateTrace({ events, seed: 1, plantEvery: 5000 }, paths.dmtrace, { 'chrome-json': paths['chrome-json'] });
  for (const f of TEXT_FORMATS) {
    paths[f] = join(dir, `trace.${f}.txt`);
    if (!existsSync(paths[f])) writeText(paths.dmtrace, f, paths[f]);
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
