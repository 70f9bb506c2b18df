// Each generated event as one line of each trace format the project reads:
// the native format, Chrome JSON and the recorded text formats (ftrace,
// trace-cmd report, perf script, bpftrace printf). Every rendering holds the
// same events in the same order, one line per event after its header, with
// the same times (nanoseconds: `perf script --ns` and `trace-cmd report -t`
// print them; ftrace's parser reads any number of decimals), so the benchmark
// compares the formats on the same work. test/unit/bench/formats.test.ts checks
// that each rendering parses to the native trace's events.

import type { TraceFormat } from '../extension/core/trace/model';
import type { GenEvent } from './traceGenerator';

export interface TaskName {
  comm: string;
  pid: number;
}

export interface Rendering {
  /** The lines before the first event. */
  header(tasks: readonly TaskName[]): string[];
  /** One event, with its newline. */
  line(tasks: readonly TaskName[], e: GenEvent, timeNs: number, cpu: number): string;
  /** Written after the last event. */
  footer?: string;
}

const TITLE = '# dm-race-lens benchmark trace (bench/generate.ts): background per the fixed protocol, planted races in racer/* blocks';
/** The lock kinds, as directives (comments in the recorded formats, which read them there too). */
const DIRECTIVES = ['!lock _minor_lock spin', '!lock _hash_lock mutex'];

const needsQuotes = (v: string) => /[\s"\\]/.test(v) || v === '';

function argText(args: GenEvent['args']): string {
  let s = '';
  for (const [k, v] of args) s += typeof v === 'string' && needsQuotes(v) ? ` ${k}=${JSON.stringify(v)}` : ` ${k}=${v}`;
  return s;
}

function formatSeconds(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const frac = String(ns - s * 1e9).padStart(9, '0');
  return `${s}.${frac}`;
}

const cpuColumn = (cpu: number) => `[${String(cpu).padStart(3, '0')}]`;

/** The kernel's own tracepoints (a group of their own, no location); every other event is a probe. */
function tracepointGroup(name: string): string | undefined {
  const prefix = name.slice(0, name.indexOf('_'));
  return prefix === 'sched' || prefix === 'irq' || prefix === 'block' || prefix === 'workqueue' ? prefix : undefined;
}

/** ftrace and trace-cmd print a probe's location, `(func+off/size [mod])`, before its arguments. */
const ftraceLocation = (name: string) => (tracepointGroup(name) ? '' : ` (${name}+0x0/0x40 [dm_mod])`);

export const RENDERINGS: Record<TraceFormat, Rendering> = {
  dmtrace: {
    header: () => [TITLE, ...DIRECTIVES],
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      return `${formatSeconds(timeNs)} cpu${cpu} ${t.comm}/${t.pid} ${e.name}${argText(e.args)}${e.src ? ` @${e.src}` : ''}\n`;
    },
  },
  'chrome-json': {
    // The thread_name metadata comes first; the first event line after it starts with a comma like the rest.
    header(tasks) {
      const meta = tasks.map((t) => JSON.stringify({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.pid, args: { name: t.comm } }));
      return ['{"traceEvents":[', ...meta.map((m, k) => (k < meta.length - 1 ? `${m},` : m))];
    },
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      const args: Record<string, string | number> = { cpu };
      for (const [k, v] of e.args) args[k] = v;
      return `,{"name":${JSON.stringify(e.name)},"ph":"i","s":"t","ts":${(timeNs / 1000).toFixed(3)},"pid":${t.pid},"tid":${t.pid},"args":${JSON.stringify(args)}}\n`;
    },
    footer: ']}\n',
  },
  ftrace: {
    header: () => ['# tracer: nop', '#', TITLE, ...DIRECTIVES.map((d) => `# ${d}`)],
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      return `${`${t.comm}-${t.pid}`.padStart(22)} ${cpuColumn(cpu)} ..... ${formatSeconds(timeNs)}: ${e.name}:${ftraceLocation(e.name)}${argText(e.args)}\n`;
    },
  },
  'trace-cmd': {
    header: () => ['cpus=8', TITLE, ...DIRECTIVES.map((d) => `# ${d}`)],
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      return `${`${t.comm}-${t.pid}`.padStart(20)}  ${cpuColumn(cpu)} ${formatSeconds(timeNs)}: ${`${e.name}:`.padEnd(20)}${ftraceLocation(e.name)}${argText(e.args)}\n`;
    },
  },
  'perf-script': {
    header: () => [TITLE, ...DIRECTIVES.map((d) => `# ${d}`)],
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      return `${t.comm.padStart(16)} ${String(t.pid).padStart(6)} ${cpuColumn(cpu)} ${formatSeconds(timeNs)}: ${tracepointGroup(e.name) ?? 'probe'}:${e.name}:${tracepointGroup(e.name) ? '' : ' (ffffffffc03ceb3f)'}${argText(e.args)}\n`;
    },
  },
  bpftrace: {
    header: () => ['Attaching 24 probes...', TITLE, ...DIRECTIVES.map((d) => `# ${d}`)],
    line(tasks, e, timeNs, cpu) {
      const t = tasks[e.task];
      return `${timeNs} ${cpu} ${t.pid} ${t.comm} ${e.name}${argText(e.args)}\n`;
    },
  },
};

/** The recorded text formats, in the order the benchmark measures them. */
export const TEXT_FORMATS = ['ftrace', 'trace-cmd', 'perf-script', 'bpftrace'] as const satisfies readonly TraceFormat[];

/** File name suffix of each rendering (the content decides the format; the name helps a reader). */
export const SUFFIX: Record<TraceFormat, string> = {
  dmtrace: '.dmtrace',
  'chrome-json': '.json',
  ftrace: '.ftrace.txt',
  'trace-cmd': '.trace-cmd.txt',
  'perf-script': '.perf-script.txt',
  bpftrace: '.bpftrace.txt',
};
