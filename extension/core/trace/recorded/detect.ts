// Which format a trace is in, from its first lines: comment-free event lines
// have distinctive shapes (`cpuN comm/pid` native, `comm-pid [cpu]` ftrace,
// `comm tid [cpu] secs: group:event:` perf, three numbers bpftrace, `{`/`[`
// JSON) and the tools' headers settle the rest (`# tracer:`, `cpus=N`,
// `Attaching N probes...`). The file name is only a fallback.
//
// Every check reads a bounded prefix of each line and scans it in linear
// time (the parsers' own recognizers), so a pathological first line costs
// no more than an ordinary one.

import type { TraceFormat } from '../model';
import { isFtraceLine } from './ftrace';
import { isPerfScriptLine } from './perfScript';

const NATIVE = /^\S+[ \t]+cpu\d+[ \t]+[^\s/]+\/\d+[ \t]+\S/;
const BPFTRACE = /^\d+[ \t]+\d+[ \t]+\d+[ \t]+\S/;
/** ftrace's `CPU:N [LOST M EVENTS]`, trace-cmd's `CPU:N [M EVENTS DROPPED]`. */
const GAP = /^CPU:\d+ \[/;
const LINES_TO_CHECK = 50;
/** Every layout shows its shape within this many characters of a line's start. */
const PREFIX = 512;

export function detectFromContent(head: string): TraceFormat | undefined {
  let traceCmdHeader = false;
  let ftraceHeader = false;
  let checked = 0;
  let start = 0;
  while (start < head.length && checked < LINES_TO_CHECK) {
    let end = head.indexOf('\n', start);
    if (end < 0) end = head.length;
    const t = head.slice(start, Math.min(end, start + PREFIX)).trim();
    start = end + 1;
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
    // before ftrace: `:-1 -1/-1 [005] ...` also has a `-1 [005]` an ftrace reading would take for comm-pid
    if (isPerfScriptLine(t)) return 'perf-script';
    if (isFtraceLine(t) || GAP.test(t)) return traceCmdHeader ? 'trace-cmd' : 'ftrace';
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
