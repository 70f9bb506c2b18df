// Which format a trace is in, from its first lines: comment-free event lines
// have distinctive shapes (`cpuN comm/pid` native, `comm-pid [cpu]` ftrace,
// `comm tid [cpu] secs: group:event:` perf, three numbers bpftrace, `{`/`[`
// JSON) and the tools' headers settle the rest (`# tracer:`, `cpus=N`,
// `Attaching N probes...`). The file name is only a fallback.

import type { TraceFormat } from '../model';

const NATIVE = /^\S+\s+cpu\d+\s+\S+\/\d+\s+\S/;
const FTRACE = /^.+?-\d+\s+(?:\([^)]*\)\s+)?\[\d+\]\s+(?:\S+\s+)?\d+\.\d+:/;
const PERF = /^.*?\S\s+\d+(?:\/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s+\S+:/;
const BPFTRACE = /^\d+\s+\d+\s+\d+\s+\S/;
const LOST = /^CPU:\d+ \[LOST/;
const LINES_TO_CHECK = 50;

export function detectFromContent(head: string): TraceFormat | undefined {
  let traceCmdHeader = false;
  let ftraceHeader = false;
  let checked = 0;
  let start = 0;
  while (start < head.length && checked < LINES_TO_CHECK) {
    let end = head.indexOf('\n', start);
    if (end < 0) end = head.length;
    const line = head.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('{') || t.startsWith('[')) return checked === 0 ? 'chrome-json' : undefined;
    if (t.startsWith('#')) {
      if (/^#\s*tracer:/.test(t)) ftraceHeader = true;
      continue;
    }
    if (t.startsWith('!')) return 'dmtrace';
    checked++;
    if (/^cpus=\d+$/.test(t) || /^version = \d+$/.test(t)) {
      traceCmdHeader = true;
      continue;
    }
    if (/^Attach(ing|ed) \d+ probes?/.test(t)) return 'bpftrace';
    if (NATIVE.test(t)) return 'dmtrace';
    if (FTRACE.test(t) || LOST.test(t)) return traceCmdHeader ? 'trace-cmd' : 'ftrace';
    if (PERF.test(t)) return 'perf-script';
    if (BPFTRACE.test(t)) return 'bpftrace';
  }
  if (traceCmdHeader) return 'trace-cmd';
  if (ftraceHeader) return 'ftrace';
  return undefined;
}

export function detectFromFileName(fileName: string): TraceFormat | undefined {
  const name = fileName.toLowerCase().replace(/^.*[\\/]/, '');
  if (name.endsWith('.dmtrace')) return 'dmtrace';
  if (name.endsWith('.json') || name.endsWith('.json.txt')) return 'chrome-json';
  if (name.includes('trace-cmd') || name.includes('tracecmd')) return 'trace-cmd';
  if (name.includes('ftrace') || name.includes('trace_pipe')) return 'ftrace';
  if (name.includes('perf')) return 'perf-script';
  if (name.includes('bpftrace') || name.endsWith('.bt.txt') || name.endsWith('.bt.out')) return 'bpftrace';
  return undefined;
}
