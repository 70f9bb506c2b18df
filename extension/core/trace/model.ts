// The trace model: events in analysis order (file order, or time order for the
// recorded formats that need it), stored column by column in typed arrays with
// every string interned (stringTable.ts), so a 10M-event trace is a few dozen
// bytes an event, not an object an event. The parsers build it through
// TraceBuilder (builder.ts).

import type { Diagnostic, Omitted } from './diagnostics';
import type { NarrowInts } from './growable';
import { NUMBER_BASE, type StringTable } from './stringTable';

export { IdInts, Key, NUMBER_BASE, StringTable } from './stringTable';
export type { Diagnostic, Severity } from './diagnostics';

export interface TaskInfo {
  /** `comm/pid`, as the native format writes it, with the best comm known for the pid (see TraceBuilder.taskId). */
  name: string;
  /** What identifies the task: the pid (the text after the last `/` of its name). */
  pid: string;
  /** The cpu of the task's first event. */
  firstCpu: number;
}

/** A `!hb A:SEQ -> B:SEQ` edge (or a recorded flow), resolved to events by the happens-before builder. */
export interface DeclaredEdge {
  fromTask: string;
  fromSeq: number;
  toTask: string;
  toSeq: number;
  line: number;
  column: number;
}

/** A `CPU:N [LOST M EVENTS]` gap: events of that cpu are missing at this point of the trace. */
export interface Gap {
  cpu: number;
  lost: number;
  line: number;
  /** Index of the first event after the gap. */
  beforeEvent: number;
}

export interface LockDeclaration {
  lock: string;
  kind: 'spin' | 'mutex';
  line: number;
}

/** `!owner MOD`: the module that owns the mapped devices from this line on (DMR5). */
export interface OwnerDeclaration {
  module: string;
  line: number;
}

/** The owner module when no `!owner` says otherwise. */
export const DEFAULT_OWNER = 'dm_mod';

/** A module name as the kernel keeps it: `rmmod dm-mod` unloads `dm_mod`. */
export function moduleName(name: string): string {
  return name.replaceAll('-', '_');
}

/** The pid of a task name `comm/pid` (the whole name when it has no `/`). */
export function pidOf(taskName: string): string {
  return taskName.slice(taskName.lastIndexOf('/') + 1);
}

/** `!source FILE=PATH`: PATH as written, and where it is written (1-based line; columns of PATH, end exclusive). */
export interface SourceMapping {
  path: string;
  line: number;
  column: number;
  endColumn: number;
}

export type TraceFormat = 'dmtrace' | 'ftrace' | 'trace-cmd' | 'perf-script' | 'bpftrace' | 'chrome-json';

export interface Columns {
  time: Float64Array;
  /** Bytes while every cpu number fits, wider only when one does not (growable.ts, NarrowGrowable). */
  cpu: NarrowInts;
  /** Bytes while a trace has at most 256 tasks. */
  task: NarrowInts;
  name: Int32Array;
  line: Int32Array;
  seq: Int32Array;
  /** The event's arguments are `argStart[e]` up to `argStart[e + 1]` of argKey and argValue. */
  argStart: Int32Array;
  /** Per argument, its key as a key code: an index into argKeys (bytes while a trace has few keys). */
  argKey: NarrowInts;
  /** Per argument, its interned value. */
  argValue: Int32Array;
  /** Per key code, the interned key. */
  argKeys: Int32Array;
  /**
   * Source locations (`@file:line`), only for the events that have one (few or none in most
   * traces): the events in ascending order, and the interned file name and the line of each.
   */
  srcEvent: Int32Array;
  srcFile: Int32Array;
  srcLine: Int32Array;
}

export class Trace {
  /** Nanoseconds. */
  readonly time: Float64Array;
  readonly cpu: NarrowInts;
  /** Index into `tasks`. */
  readonly task: NarrowInts;
  /** Interned event name; vocabulary events have their `Ev` id. */
  readonly name: Int32Array;
  /** 1-based line in the original file (for JSON, the line where the event's object starts). */
  readonly line: Int32Array;
  /** 1-based position of the event in its task's program order. */
  readonly seq: Int32Array;
  /** Arguments: see Columns, and read them with argId, arg and argList. */
  readonly argStart: Int32Array;
  readonly argKey: NarrowInts;
  readonly argValue: Int32Array;
  readonly argKeys: Int32Array;
  /** Per interned key, its key code + 1 (0 or past the end: no argument has that key; a number key: see argId). */
  private readonly keyCodes: Int32Array;
  /** The events with a source location, ascending, and the file and line of each (read them with `source`). */
  readonly srcEvent: Int32Array;
  readonly srcFile: Int32Array;
  readonly srcLine: Int32Array;
  /** Diagnostics the parser counted but did not keep (see diagnostics.ts). */
  diagnosticsOmitted: readonly Omitted[] = [];

  constructor(
    readonly format: TraceFormat,
    readonly strings: StringTable,
    columns: Columns,
    readonly tasks: readonly TaskInfo[],
    readonly diagnostics: Diagnostic[],
    readonly declaredEdges: readonly DeclaredEdge[],
    readonly gaps: readonly Gap[],
    readonly lockDeclarations: readonly LockDeclaration[],
    /** `!source FILE=PATH`: file name as events write it -> PATH (relative to the trace file) and its position. */
    readonly sources: ReadonlyMap<string, SourceMapping>,
    readonly callers: ReadonlyMap<number, string>,
    readonly ownerDeclarations: readonly OwnerDeclaration[] = [],
    /** Events merged from an entry and a return probe (placed at the return's line): the line the call entered at. */
    readonly callEntryLine: ReadonlyMap<number, number> = new Map(),
  ) {
    this.time = columns.time;
    this.cpu = columns.cpu;
    this.task = columns.task;
    this.name = columns.name;
    this.line = columns.line;
    this.seq = columns.seq;
    this.argStart = columns.argStart;
    this.argKey = columns.argKey;
    this.argValue = columns.argValue;
    this.argKeys = columns.argKeys;
    this.keyCodes = keyCodesOf(columns.argKeys);
    this.srcEvent = columns.srcEvent;
    this.srcFile = columns.srcFile;
    this.srcLine = columns.srcLine;
  }

  get length(): number {
    return this.time.length;
  }

  /** The value id of argument `key` (an id from `Key` or `strings.lookup`), or -1. */
  argId(event: number, key: number): number {
    const code = key < this.keyCodes.length ? this.keyCodes[key] - 1 : key >= NUMBER_BASE ? this.argKeys.indexOf(key) : -1;
    if (code < 0) return -1;
    const end = this.argStart[event + 1];
    for (let k = this.argStart[event]; k < end; k++) if (this.argKey[k] === code) return this.argValue[k];
    return -1;
  }

  arg(event: number, key: string): string | undefined {
    const keyId = this.strings.lookup(key);
    if (keyId < 0) return undefined;
    const v = this.argId(event, keyId);
    return v < 0 ? undefined : this.strings.get(v);
  }

  /** All arguments of an event, in the order written. */
  argList(event: number): [string, string][] {
    const out: [string, string][] = [];
    for (let k = this.argStart[event]; k < this.argStart[event + 1]; k++) {
      out.push([this.strings.get(this.argKeys[this.argKey[k]]), this.strings.get(this.argValue[k])]);
    }
    return out;
  }

  eventName(event: number): string {
    return this.strings.get(this.name[event]);
  }

  taskName(event: number): string {
    return this.tasks[this.task[event]].name;
  }

  /** `file:line` of the event's source location, if it has one. */
  source(event: number): { file: string; line: number } | undefined {
    const k = this.locatedFrom(event);
    return this.srcEvent[k] === event ? { file: this.strings.get(this.srcFile[k]), line: this.srcLine[k] } : undefined;
  }

  /**
   * The first index of srcEvent at or after `event`. The editor asks for every event in order
   * (links, source lines): the last answer is kept, so such a scan costs a step per event.
   */
  private locatedFrom(event: number): number {
    const located = this.srcEvent;
    let k = this.locatedCursor;
    if (k < located.length && located[k] < event) k++;
    if ((k < located.length && located[k] < event) || (k > 0 && located[k - 1] >= event)) {
      let lo = 0;
      let hi = located.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (located[mid] < event) lo = mid + 1;
        else hi = mid;
      }
      k = lo;
    }
    this.locatedCursor = k;
    return k;
  }
  private locatedCursor = 0;

  /** The event as one line of native text, without time, cpu and task: `dm_get md=md0 holders=2`. */
  describe(event: number): string {
    let s = this.eventName(event);
    for (const [k, v] of this.argList(event)) s += ` ${k}=${/[\s"\\]/.test(v) || v === '' ? JSON.stringify(v) : v}`;
    return s;
  }

  /** The event written on `line` (the first, if a JSON line holds several), or -1. */
  eventAtLine(line: number): number {
    const lines = this.line;
    if (this.byLine === undefined) this.byLine = isNonDecreasing(lines) ? null : Int32Array.from({ length: this.length }, (_, i) => i).sort((a, b) => lines[a] - lines[b] || a - b);
    const byLine = this.byLine;
    const at = (k: number): number => (byLine ? byLine[k] : k);
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lines[at(mid)] < line) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.length && lines[at(lo)] === line ? at(lo) : -1;
  }
  /**
   * Event indices sorted by line, built on the first line lookup, or null when the events are
   * in line order already (a dm trace: no index, and no sort of a million events at the first hover).
   * Time-sorted formats are not in line order.
   */
  private byLine?: Int32Array | null;

  /** The module that owns the mapped devices at `line`: the last `!owner` at or before it, else dm_mod. */
  ownerAt(line: number): string {
    let owner = DEFAULT_OWNER;
    for (const d of this.ownerDeclarations) if (d.line <= line) owner = d.module;
    return owner;
  }

  /** The kind declared by the last `!lock` for `lock` at or before `line`. */
  declaredLockKind(lock: string, line: number): 'spin' | 'mutex' | undefined {
    let kind: 'spin' | 'mutex' | undefined;
    for (const d of this.lockDeclarations) if (d.lock === lock && d.line <= line) kind = d.kind;
    return kind;
  }
}

/** The inverse of argKeys: per interned key, its code + 1 (number keys left out: argId finds them in argKeys). */
export function keyCodesOf(argKeys: Int32Array): Int32Array {
  let size = 0;
  for (const key of argKeys) if (key < NUMBER_BASE) size = Math.max(size, key + 1);
  const codes = new Int32Array(size);
  argKeys.forEach((key, code) => {
    if (key < NUMBER_BASE) codes[key] = code + 1;
  });
  return codes;
}

function isNonDecreasing(values: Int32Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return false;
  return true;
}
