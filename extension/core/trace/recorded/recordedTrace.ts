// What every recorded-format parser shares: `# !directive` comments, task
// identity by pid, event-name reduction, argument normalisation, and the
// choice between file order (ftrace, trace-cmd, perf script: the tools already
// merge their per-cpu buffers by time) and time order (bpftrace, Chrome JSON:
// per-cpu buffers or writers may interleave; ties keep file order).

import { DirectiveReader } from '../directives';
import { TraceBuilder, type Trace, type TraceFormat } from '../model';
import { LineError, isBlank } from '../scan';
import { EventNameResolver } from './eventNames';
import { normalizeValue, parameterName } from './values';

export interface RecordedOptions {
  /** Extra event-name mappings (`probe=event`), as `# !map` would declare them. */
  map?: Record<string, string>;
}

/** One event as a recorder printed it, before names and values are resolved. */
export interface RecordedEvent {
  timeNs: number;
  cpu: number;
  /** What identifies the thread (its pid/tid), whatever its comm says on this line. */
  taskKey: string;
  /** `comm/pid`, used when this is the task's first event. */
  taskName: string;
  /** The event name as printed (`probe:dm_get`, `p_dm_get_0`). */
  name: string;
  /** The probed function, when the line shows one (`(dm_get+0x0/0x30 [dm_mod])`). */
  symbol?: string;
  args: [string, string][];
  line: number;
  /** Call context (`func <-parent`) for hovers. */
  caller?: string;
}

interface PendingEvent {
  timeNs: number;
  cpu: number;
  taskKey: string;
  taskName: string;
  name: number;
  args: number[];
  line: number;
  caller?: string;
  order: number;
}

export class RecordedTrace {
  readonly builder: TraceBuilder;
  readonly directives: DirectiveReader;
  private readonly names: EventNameResolver;
  private readonly taskNames = new Map<string, string>();
  private readonly pending: PendingEvent[] | undefined;
  /** Gaps of a time-ordered trace, placed once the events are sorted. */
  private readonly pendingGaps: { cpu: number; lost: number; line: number; order: number }[] = [];

  constructor(format: TraceFormat, options: RecordedOptions & { timeOrdered: boolean }) {
    this.builder = new TraceBuilder(format);
    this.directives = new DirectiveReader(this.builder, options.map);
    this.names = new EventNameResolver(this.directives);
    this.pending = options.timeOrdered ? [] : undefined;
  }

  /**
   * Handles a line whose first non-blank character is `#`: a `# !directive`
   * is read (a malformed one is a diagnostic), anything else is a comment.
   * Returns false when the line is not a comment.
   */
  comment(text: string, lineNo: number): boolean {
    let p = 0;
    while (p < text.length && isBlank(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) !== 35 /* # */) return false;
    p++;
    while (p < text.length && isBlank(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) === 33 /* ! */ && p + 1 < text.length && !isBlank(text.charCodeAt(p + 1))) this.directive(text, p, lineNo);
    return true;
  }

  /**
   * Reads the directive whose `!` is at p. `at` is given when the text is not
   * a line of the file (a directive inside a JSON string): problems are then
   * reported at that position.
   */
  directive(text: string, p: number, lineNo: number, at?: { column: number }): void {
    try {
      this.directives.read(text, p, lineNo);
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      if (at) this.builder.error(lineNo, at.column, `${e.message} (in "${text}")`);
      else this.builder.error(lineNo, e.column, e.message, e.endColumn);
    }
    this.names.forget();
  }

  /** Resolves names and values now (directives apply from their line on) and adds or queues the event. */
  add(e: RecordedEvent): void {
    const strings = this.builder.strings;
    const resolved = this.names.resolve(e.name, e.symbol);
    const name = strings.intern(resolved);
    const base = this.names.baseName(e.name);
    const args: number[] = [];
    for (const [rawKey, rawValue] of e.args) {
      const named = parameterName(base, rawKey, resolved);
      // an unnamed `argN` takes the parameter's name unless the probe also printed that name
      const key = named !== undefined && !e.args.some(([k]) => k === named) ? named : rawKey;
      const aliased = this.directives.alias(rawValue);
      const value = aliased !== rawValue ? aliased : this.directives.alias(normalizeValue(name, key, rawValue));
      args.push(strings.intern(key), strings.intern(value));
    }
    let taskName = this.taskNames.get(e.taskKey);
    if (taskName === undefined) {
      taskName = e.taskName;
      this.taskNames.set(e.taskKey, taskName);
    }
    const p: PendingEvent = { timeNs: e.timeNs, cpu: e.cpu, taskKey: e.taskKey, taskName, name, args, line: e.line, caller: e.caller, order: 0 };
    if (this.pending) {
      p.order = this.pending.length;
      this.pending.push(p);
    } else {
      this.emit(p);
    }
  }

  /**
   * Records lost events at this point of the file (`CPU:N [LOST M EVENTS]`,
   * bpftrace's `Lost N events`): a warning, and a gap the rules consult.
   * `cpu` is -1 when the recorder does not say which cpu lost them.
   */
  gap(cpu: number, lost: number | undefined, lineNo: number, column: number, endColumn: number): void {
    const b = this.builder;
    const where = cpu >= 0 ? `cpu${cpu}` : 'the recorder';
    b.warning(lineNo, column, `${where} lost ${lost ?? 'an unknown number of'} events here: findings whose window spans this gap are uncertain`, endColumn);
    if (this.pending) this.pendingGaps.push({ cpu, lost: lost ?? 0, line: lineNo, order: this.pending.length });
    else b.gaps.push({ cpu, lost: lost ?? 0, line: lineNo, beforeEvent: b.eventCount });
  }

  /** The task name a key has been given so far (its first event's), if any. */
  taskName(taskKey: string): string | undefined {
    return this.taskNames.get(taskKey);
  }

  /** Names a task whatever its events said (Chrome `thread_name` metadata, which may come after them). */
  nameTask(taskKey: string, name: string): void {
    this.taskNames.set(taskKey, name);
  }

  /** For time-ordered formats: the queued events in analysis order, each with the index it will get. */
  ordered(): readonly PendingEvent[] {
    if (!this.pending) return [];
    this.pending.sort((a, b) => a.timeNs - b.timeNs || a.order - b.order);
    return this.pending;
  }

  finish(): Trace {
    if (this.pending) {
      const sorted = this.ordered();
      // a gap sits before the event that followed it in the file, wherever time order puts that event
      const indexOfOrder = new Int32Array(sorted.length + 1);
      sorted.forEach((p, i) => (indexOfOrder[p.order] = i));
      indexOfOrder[sorted.length] = sorted.length;
      for (const g of this.pendingGaps) this.builder.gaps.push({ cpu: g.cpu, lost: g.lost, line: g.line, beforeEvent: indexOfOrder[g.order] });
      for (const p of sorted) this.emit(p);
      this.pending.length = 0;
    }
    return this.builder.finish();
  }

  private emit(p: PendingEvent): void {
    const b = this.builder;
    const task = b.taskId(this.taskNames.get(p.taskKey) ?? p.taskName, p.cpu);
    const index = b.addEvent(p.timeNs, p.cpu, task, p.name, p.line, p.args, p.args.length / 2);
    if (p.caller !== undefined) b.callers.set(index, p.caller);
  }
}

/** `8123.456789` (seconds, any number of decimals) to nanoseconds, or NaN. */
export function secondsToNs(text: string, start = 0, end = text.length): number {
  let whole = 0;
  let p = start;
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    p++;
  }
  if (p === start || p >= end - 1 || text.charCodeAt(p) !== 46 /* . */) return NaN;
  let frac = 0;
  let scale = 1e8;
  for (p++; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c < 48 || c > 57) return NaN;
    if (scale >= 1) frac += (c - 48) * scale;
    scale /= 10;
  }
  return whole * 1e9 + Math.round(frac);
}
