// `analyze --format perfetto`: the analysis as a Chrome / Perfetto JSON trace
// that ui.perfetto.dev (or chrome://tracing) opens. Each task is a thread,
// each event a slice, every happens-before edge other than program order a
// flow arrow, and every finding an instant on a track of its own. Reading the
// file back with the chrome-json parser gives the same findings: flows come
// back as `!hb` edges, lock kinds and `!owner` as a `dmtrace` metadata event.

import type { Analysis } from '../analyze';
import type { Trace } from '../trace/model';
import { FINDING_CATEGORY } from '../trace/recorded/chromeJson';
import { eventClass } from '../trace/vocabulary';
import { LazyArray, chunked, jsonPieces } from './jsonText';

type ChromeEvent = Record<string, unknown>;

/** The longest a slice is drawn (µs): events are points in time, the slice only makes them visible. */
const MAX_SLICE_US = 100;
/** Slice length of a task's last event (µs). */
const LAST_SLICE_US = 1;

export interface PerfettoTrace {
  displayTimeUnit: string;
  traceEvents: ChromeEvent[];
  metadata: Record<string, unknown>;
}

/** The export as one object (the editor's command, tests); see writePerfetto for traces of millions of events. */
export function toPerfetto(analysis: Analysis): PerfettoTrace {
  return { displayTimeUnit: 'ns', traceEvents: [...perfettoEvents(analysis)], metadata: metadata(analysis) };
}

/** toPerfetto as pretty-printed JSON in pieces (several traces of the CLI go out as an array of these). */
export function perfettoPieces(analysis: Analysis, indent = ''): Generator<string> {
  return jsonPieces({ displayTimeUnit: 'ns', traceEvents: new LazyArray(() => perfettoEvents(analysis)), metadata: metadata(analysis) }, indent);
}

/**
 * The same export written as text in pieces of about 64 KB, one event per
 * line: a trace of millions of events never becomes one object or one string
 * (a JavaScript string stops at about 512 M characters).
 */
export function writePerfetto(analysis: Analysis, write: (text: string) => void): void {
  for (const chunk of chunked(compactPerfettoPieces(analysis))) write(chunk);
}

/** The compact layout of writePerfetto, in pieces. */
export function* compactPerfettoPieces(analysis: Analysis): Generator<string> {
  yield '{"displayTimeUnit":"ns","traceEvents":[\n';
  let first = true;
  for (const e of perfettoEvents(analysis)) {
    yield (first ? '' : ',\n') + JSON.stringify(e);
    first = false;
  }
  yield `\n],"metadata":${JSON.stringify(metadata(analysis))}}\n`;
}

function metadata({ trace }: Analysis): Record<string, unknown> {
  return { generator: 'dm-race-lens', format: trace.format, events: trace.length };
}

/** Each Chrome trace event of the export, in file order. */
function* perfettoEvents(analysis: Analysis): Generator<ChromeEvent> {
  const { trace, hb, findings } = analysis;
  const tids = threadIds(trace);
  const { start, duration } = sliceTimes(trace, hb.taskEvents);

  const directives = [...trace.lockDeclarations.map((d) => `!lock ${d.lock} ${d.kind}`), ...trace.ownerDeclarations.map((d) => `!owner ${d.module}`)];
  if (directives.length > 0) yield { ph: 'M', name: 'dmtrace', pid: 0, tid: 0, args: { directives } };
  for (let t = 0; t < trace.tasks.length; t++) {
    const task = trace.tasks[t];
    const slash = task.name.lastIndexOf('/');
    const comm = slash > 0 ? task.name.slice(0, slash) : task.name;
    yield { ph: 'M', name: 'process_name', pid: tids[t], tid: tids[t], args: { name: task.name } };
    yield { ph: 'M', name: 'thread_name', pid: tids[t], tid: tids[t], args: { name: comm } };
  }

  for (let i = 0; i < trace.length; i++) {
    const tid = tids[trace.task[i]];
    const args: Record<string, unknown> = { cpu: trace.cpu[i] };
    for (const [k, v] of trace.argList(i)) if (k !== 'cpu') args[k] = v;
    args.line = trace.line[i];
    const caller = trace.callers.get(i);
    if (caller !== undefined) args.caller = caller;
    yield { name: trace.eventName(i), cat: eventClass(trace.eventName(i)), ph: 'X', ts: start[i], dur: duration[i], pid: tid, tid, args };
  }

  // a flow starts and ends just inside its slices (half a nanosecond in, or mid-slice if shorter):
  // a viewer then binds it to exactly that slice, and it never ends before it starts
  const inside = (e: number) => start[e] + Math.min(duration[e] / 2, 0.0005);
  let flowId = 0;
  for (let to = 0; to < trace.length; to++) {
    for (const edge of hb.incoming(to)) {
      const id = ++flowId;
      const from = edge.from;
      const name = `${edge.kind} ${edge.via}`.trim();
      yield { ph: 's', id, cat: 'happens-before', name, ts: inside(from), pid: tids[trace.task[from]], tid: tids[trace.task[from]] };
      yield { ph: 'f', bp: 'e', id, cat: 'happens-before', name, ts: inside(to), pid: tids[trace.task[to]], tid: tids[trace.task[to]] };
    }
  }

  if (findings.length > 0) {
    let track = 1;
    for (const tid of tids) if (tid >= track) track = tid + 1;
    yield { ph: 'M', name: 'process_name', pid: track, tid: track, args: { name: 'dm-race-lens findings' } };
    yield { ph: 'M', name: 'thread_name', pid: track, tid: track, args: { name: 'findings' } };
    for (const f of findings) {
      yield {
        ph: 'i',
        s: 't',
        name: `${f.rule} ${f.name}`,
        cat: FINDING_CATEGORY,
        ts: start[f.primary],
        pid: track,
        tid: track,
        args: {
          severity: f.severity,
          md: f.md,
          message: f.message,
          line: trace.line[f.primary],
          task: trace.taskName(f.primary),
          related: [...new Set(f.related.map((e) => trace.line[e]))].sort((a, b) => a - b),
          consequence: f.consequence,
          fixedBy: f.fixedBy.join(' + '),
          ...(f.uncertain ? { uncertain: true } : {}),
        },
      };
    }
  }

}

/** A thread id per task: its pid when that is a unique number, else a fresh one. */
function threadIds(trace: Trace): number[] {
  const used = new Set<number>();
  const ids = trace.tasks.map((task) => {
    const pid = Number(task.name.slice(task.name.lastIndexOf('/') + 1));
    if (Number.isInteger(pid) && pid > 0 && !used.has(pid)) {
      used.add(pid);
      return pid;
    }
    return -1;
  });
  let next = 1;
  for (const pid of used) if (pid >= next) next = pid + 1;
  return ids.map((id) => (id > 0 ? id : next++));
}

/**
 * Start (µs) and length of each event's slice. Within a task, times are made
 * strictly increasing (a tie moves on by a nanosecond) so program order is
 * what a viewer shows; a slice lasts until the task's next event, capped.
 */
function sliceTimes(trace: Trace, taskEvents: readonly Int32Array[]): { start: Float64Array; duration: Float64Array } {
  const start = new Float64Array(trace.length);
  const duration = new Float64Array(trace.length);
  for (const events of taskEvents) {
    let previousNs = -Infinity;
    const ns = new Float64Array(events.length);
    events.forEach((e, k) => {
      ns[k] = Math.max(trace.time[e], previousNs + 1);
      previousNs = ns[k];
    });
    events.forEach((e, k) => {
      start[e] = ns[k] / 1000;
      duration[e] = k + 1 < events.length ? Math.min((ns[k + 1] - ns[k]) / 1000, MAX_SLICE_US) : LAST_SLICE_US;
    });
  }
  return { start, duration };
}
