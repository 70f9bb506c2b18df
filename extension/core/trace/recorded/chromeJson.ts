// Chrome / Perfetto JSON traces (docs/formats.md), read as a stream.
//
// Events: `X` (complete), `B` (begin) and `i`/`I` (instant) each give one
// event at their `ts`; an `E` only closes its `B` (the vocabulary's events
// are points in time, so a slice is its start). `ph:"M"` `thread_name`
// names tasks `thread_name/tid`. `args.cpu` is the cpu; every other arg is a
// key=value. Flows (`s`, `t`, `f` sharing an `id`, or Perfetto's `bind_id`
// with `flow_out`/`flow_in` on a slice) become `!hb` edges between the slices
// they bind to. Events are put in time order (ties keep file order), and each
// keeps the line where its object starts.

import type { Trace } from '../model';
import type { StreamParser } from '../parser';
import { inRange, rangeProblem } from '../numbers';
import { quote } from '../scan';
import { ByteEvent, ChromeByteEvents } from './chromeByteEvents';
import { JsonEventStream } from './jsonStream';
import { RecordedTrace, type RecordedOptions } from './recordedTrace';

/** One end of a flow, bound to a slice once events are in time order. */
interface FlowPoint {
  id: string;
  phase: 's' | 't' | 'f';
  taskKey: string;
  timeNs: number;
  /** `bp:"e"` on a flow end: bind to the enclosing slice, not the next one. */
  enclosing: boolean;
  /** For `bind_id` on a slice: the arrival order of that slice itself. */
  slice?: number;
  line: number;
  column: number;
  fileOrder: number;
}

const EVENT_PHASES = new Set(['X', 'B', 'i', 'I']);

/** The category of the finding markers of our own Perfetto export: not kernel events, so not read back as events. */
export const FINDING_CATEGORY = 'dm-race-lens.finding';

export class ChromeJsonParser implements StreamParser {
  private readonly out: RecordedTrace;
  private readonly json: JsonEventStream;
  private readonly flows: FlowPoint[] = [];
  private readonly byteEvents: ChromeByteEvents;
  private added = 0;

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('chrome-json', { ...options, timeOrdered: true });
    this.json = new JsonEventStream({
      element: (text, line, column) => this.element(text, line, column),
      parsed: (value, line, column) => this.parsed(value, line, column),
      shape: (e, bytes, line) => {
        const read = this.byteEvents.read(e, bytes, line);
        if (read === ByteEvent.Added) this.added++;
        return read !== ByteEvent.Declined;
      },
      template: (id) => this.byteEvents.template(id),
      error: (line, column, message, severity) => (severity === 'warning' ? this.out.builder.warning(line, column, message) : this.out.builder.error(line, column, message)),
    });
    this.byteEvents = new ChromeByteEvents(this.out, FINDING_CATEGORY);
  }

  feed(chunk: string): void {
    this.json.feed(chunk);
  }

  feedBytes(chunk: Uint8Array): void {
    this.json.feedBytes(chunk);
  }

  end(): Trace {
    this.json.end();
    this.bindFlows();
    return this.out.finish();
  }

  /** An event object as text (the scanner's careful path). */
  private element(text: string, line: number, column: number): void {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      const at = jsonErrorPosition(text, (err as Error).message, line, column);
      this.out.builder.error(at.line, at.column, `bad JSON in event: ${(err as Error).message}`);
      return;
    }
    this.parsed(e, line, column);
  }

  private parsed(e: Record<string, unknown>, line: number, column: number): void {
    try {
      this.event(e, line, column);
    } catch (err) {
      // whatever an event holds, it costs that event only, never the file
      this.out.builder.error(line, column, `cannot read this event: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private event(e: Record<string, unknown>, line: number, column: number): void {
    const b = this.out.builder;
    const ph = e.ph;
    if (typeof ph !== 'string') {
      b.error(line, column, 'event without a "ph" (phase) string');
      return;
    }
    if (ph === 'M' && e.name === 'dmtrace') return this.directives((e.args as Record<string, unknown> | undefined)?.directives, line, column);
    if (ph === 'E' || ph === 'C' || ph === 'P' || ph === 'b' || ph === 'e' || ph === 'n' || ph === 'O' || ph === 'N' || ph === 'D') return;
    const pid = e.pid;
    const ownTid = e.tid;
    if (!isId(pid) || !isId(ownTid)) {
      const key = isId(pid) ? 'tid' : 'pid';
      b.error(line, column, `${quote(ph)} event whose "${key}" is ${typeOfValue(e[key])}: expected a number or a string`);
      return;
    }
    const tid = ownTid ?? pid;
    if (tid === undefined) {
      if (ph === 'M') return; // process-level metadata names no thread
      b.error(line, column, `${quote(ph)} event without a "tid" or "pid"`);
      return;
    }
    const taskKey = this.taskKey(pid ?? tid, tid);
    const args = (typeof e.args === 'object' && e.args !== null ? e.args : {}) as Record<string, unknown>;
    if (ph === 'M') {
      if (e.name === 'thread_name' && typeof args.name === 'string' && args.name !== '') {
        this.out.nameTask(taskKey, `${args.name}/${String(tid)}`);
        this.byteEvents.forgetTasks();
      }
      return;
    }
    // some converters write numbers as strings; a viewer accepts them, so do we
    const ts = typeof e.ts === 'string' && e.ts.trim() !== '' ? Number(e.ts) : e.ts;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) {
      b.error(line, column, `${quote(ph)} event without a numeric "ts" (microseconds)`);
      return;
    }
    const timeNs = Math.round(ts * 1000);
    if (!inRange('time', timeNs)) {
      b.error(line, column, `${quote(ph)} event: ${rangeProblem('time', timeNs, `${String(e.ts)} µs`)}`);
      return;
    }
    if (ph === 's' || ph === 't' || ph === 'f') {
      if (e.id === undefined && e.bind_id === undefined) {
        b.error(line, column, `flow event ${quote(ph)} without an "id"`);
        return;
      }
      this.flows.push({ id: flowId(e, e.id ?? e.bind_id), phase: ph, taskKey, timeNs, enclosing: e.bp === 'e', line, column, fileOrder: this.flows.length });
      return;
    }
    if (!EVENT_PHASES.has(ph)) return; // other phases (samples, memory dumps, ...) carry no vocabulary event
    if (e.cat === FINDING_CATEGORY) return; // a finding marker of our own Perfetto export, not a kernel event
    if (typeof e.name !== 'string' || e.name === '') {
      b.error(line, column, `${quote(ph)} event without a "name"`);
      return;
    }
    const cpuValue = typeof args.cpu === 'string' && /^\d+$/.test(args.cpu) ? Number(args.cpu) : args.cpu;
    const cpu = typeof cpuValue === 'number' && Number.isInteger(cpuValue) && cpuValue >= 0 ? cpuValue : 0;
    if (!inRange('cpu', cpu)) {
      b.error(line, column, `${quote(ph)} event: args.${rangeProblem('cpu', cpu, String(cpuValue))}`);
      return;
    }
    const pairs: [string, string][] = [];
    for (const k in args) if (k !== 'cpu' && Object.prototype.hasOwnProperty.call(args, k)) pairs.push([k, valueText(args[k])]);
    const order = this.added++;
    if (e.bind_id !== undefined && (e.flow_out === true || e.flow_in === true)) {
      const id = flowId(e, e.bind_id);
      const point = { id, taskKey, timeNs, enclosing: true, slice: order, line, column };
      if (e.flow_in === true) this.flows.push({ ...point, phase: 'f', fileOrder: this.flows.length });
      if (e.flow_out === true) this.flows.push({ ...point, phase: 's', fileOrder: this.flows.length });
    }
    this.out.add({ timeNs, cpu, taskKey, taskName: `thread/${String(tid)}`, name: e.name, args: pairs, line });
  }

  /** `pid:tid`, made once per thread (a trace has millions of events and a few hundred threads). */
  private taskKey(pid: number | string, tid: number | string): string {
    let byTid = this.taskKeys.get(pid);
    if (!byTid) this.taskKeys.set(pid, (byTid = new Map()));
    let key = byTid.get(tid);
    if (key === undefined) byTid.set(tid, (key = `${String(pid)}:${String(tid)}`));
    return key;
  }
  private readonly taskKeys = new Map<number | string, Map<number | string, string>>();

  /**
   * `{"ph":"M","name":"dmtrace","args":{"directives":["!alias 0x...=md0", ...]}}`:
   * the JSON counterpart of the text formats' `# !directive` comments (viewers
   * ignore metadata they do not know). Applies from that event on, in file order.
   */
  private directives(list: unknown, line: number, column: number): void {
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'string')) {
      this.out.builder.error(line, column, 'dmtrace metadata needs args.directives: an array of directive strings ("!alias VALUE=NAME", ...)');
      return;
    }
    for (const d of list as string[]) this.out.directive(d, 0, line, { column });
    this.byteEvents.forget();
    this.json.forgetTemplates();
  }

  /** Turns each flow's consecutive points (s -> t ... -> f) into declared edges. */
  private bindFlows(): void {
    if (this.flows.length === 0) return;
    const sorted = this.out.ordered();
    // per task: its events' times in program order, and each event's 1-based position there
    const byTask = new Map<string, { times: number[] }>();
    const seqOfArrival = new Int32Array(sorted.order.length);
    for (const arrival of sorted.order) {
      const key = sorted.taskKey(arrival);
      let t = byTask.get(key);
      if (!t) byTask.set(key, (t = { times: [] }));
      t.times.push(sorted.time[arrival]);
      seqOfArrival[arrival] = t.times.length;
    }
    const bind = (f: FlowPoint): number => {
      if (f.slice !== undefined) return seqOfArrival[f.slice] ?? 0;
      const t = byTask.get(f.taskKey);
      if (!t) return 0;
      const atOrBefore = lastAtOrBefore(t.times, f.timeNs);
      if (f.phase === 'f' && !f.enclosing) {
        // by default a flow ends at the next slice that begins at or after it
        const next = atOrBefore >= 0 && t.times[atOrBefore] === f.timeNs ? firstAt(t.times, atOrBefore) : atOrBefore + 1;
        if (next < t.times.length) return next + 1;
      }
      return atOrBefore >= 0 ? atOrBefore + 1 : t.times.length > 0 ? 1 : 0;
    };
    const groups = new Map<string, FlowPoint[]>();
    for (const f of this.flows) {
      const g = groups.get(f.id);
      if (g) g.push(f);
      else groups.set(f.id, [f]);
    }
    const b = this.out.builder;
    for (const [id, points] of groups) {
      // a flow starts at its s and ends at its f whatever their times say; steps go in time order between
      points.sort((x, y) => rank(x) - rank(y) || x.timeNs - y.timeNs || x.fileOrder - y.fileOrder);
      if (points.length < 2) {
        b.warning(points[0].line, points[0].column, `flow ${quote(String(id))} has only one end: no happens-before edge`);
        continue;
      }
      for (let k = 0; k + 1 < points.length; k++) {
        const from = points[k];
        const to = points[k + 1];
        const fromSeq = bind(from);
        const toSeq = bind(to);
        const fromTask = this.out.taskName(from.taskKey);
        const toTask = this.out.taskName(to.taskKey);
        if (!fromSeq || !toSeq || !fromTask || !toTask) {
          const missing = !fromSeq || !fromTask ? from : to;
          b.warning(missing.line, missing.column, `flow ${quote(String(id))}: its thread has no slice to bind to, no happens-before edge`);
          continue;
        }
        if (fromTask === toTask && fromSeq === toSeq) continue;
        b.declaredEdges.push({ fromTask, fromSeq, toTask, toSeq, line: from.line, column: from.column });
      }
    }
  }
}

/** A flow's identity: its id within its category (ids of different categories never match). */
function flowId(e: Record<string, unknown>, id: unknown): string {
  const cat = typeof e.cat === 'string' ? e.cat : '';
  return `${cat}\u0000${typeof id === 'object' ? JSON.stringify(id) : String(id)}`.replace(/^\u0000/, '');
}

/** A flow starts, steps, then ends. */
function rank(f: FlowPoint): number {
  return f.phase === 's' ? 0 : f.phase === 't' ? 1 : 2;
}

function lastAtOrBefore(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The first index with the same time as index k (times are sorted). */
function firstAt(times: number[], k: number): number {
  while (k > 0 && times[k - 1] === times[k]) k--;
  return k;
}

/** A pid or tid as the Trace Event Format allows it: a number or a string (or absent). */
function isId(v: unknown): v is number | string | undefined {
  return v === undefined || typeof v === 'number' || typeof v === 'string';
}

function typeOfValue(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Maps JSON.parse's "at position N" inside an event's text to a line and column of the file. */
function jsonErrorPosition(text: string, message: string, line: number, column: number): { line: number; column: number } {
  const m = /position (\d+)/.exec(message);
  if (!m) return { line, column };
  const pos = Math.min(Number(m[1]), text.length);
  let l = line;
  let c = column;
  for (let i = 0; i < pos; i++) {
    if (text.charCodeAt(i) === 10) {
      l++;
      c = 1;
    } else c++;
  }
  return { line: l, column: c };
}
