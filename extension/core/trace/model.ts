// The trace model: events in analysis order (file order, or time order for the
// recorded formats that need it), stored column by column in typed arrays with
// every string interned, so a 10M-event trace is a few hundred bytes an event,
// not an object an event.

import { CappedDiagnostics, type Diagnostic, type Omitted } from './diagnostics';
import { Growable } from './growable';
import { splitIncarnations } from './incarnations';
import { VOCABULARY } from './vocabulary';

/** Argument keys the rules read; interned right after the vocabulary so their ids are fixed. */
const KEYS = [
  'md', 'lock', 'ptr', 'ret', 'minor', 'idr', 'holders', 'gfp', 'disk', 'action',
  'mod', 'count', 'flag', 'field', 'obj', 'old',
] as const;
type KeyName = (typeof KEYS)[number];
export const Key = Object.fromEntries(KEYS.map((k, i) => [k, VOCABULARY.length + i])) as { readonly [K in KeyName]: number };

/**
 * Interned strings. The parsers intern a token straight from the line it sits
 * in (`internRange`): an open-addressing hash table over the characters, so a
 * token that is already known costs no substring and no Map hashing. That is
 * most of the parse time of a big trace.
 */
export class StringTable {
  private readonly strings: string[] = [];
  /**
   * Open addressing with linear probing: slot k is the pair (hash, id + 1) at
   * 2k, 2k + 1 (id + 1 = 0: empty), so a probe reads one place in memory. The
   * slot count is a power of two, at most half full.
   */
  private slots = new Int32Array(2 * 2048);
  private mask = 2047;

  constructor() {
    for (const s of VOCABULARY) this.intern(s);
    for (const s of KEYS) this.intern(s);
  }

  intern(s: string): number {
    return this.internRange(s, 0, s.length);
  }

  /** The id of `text.slice(start, end)`, interning it if new. */
  internRange(text: string, start: number, end: number): number {
    const h = hashRange(text, start, end);
    const len = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) return this.add(start === 0 && end === text.length ? text : text.slice(start, end), h, slot);
      if (this.slots[2 * slot] === h) {
        const s = this.strings[id];
        if (s.length === len && sameChars(s, text, start)) return id;
      }
    }
  }

  /**
   * The id of the ASCII text in bytes[start, end), interning it if new; -1 (and
   * nothing interned) when a byte is not ASCII: the caller decodes such text itself.
   */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c > 127) return -1;
      h = Math.imul(h ^ c, 0x01000193);
    }
    return this.internHashedBytes(bytes, start, end, h);
  }

  /**
   * internBytes for a caller that has already hashed the token while scanning
   * it (`h` as `hashBytes` gives it) and checked that it is ASCII.
   */
  internHashedBytes(bytes: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) return this.add(asciiString(bytes, start, end), h, slot, true);
      if (this.slots[2 * slot] === h) {
        const s = this.strings[id];
        if (s.length === len && sameBytes(s, bytes, start)) return id;
      }
    }
  }

  /** The id of `s`, or -1 when no event of the trace uses it. */
  lookup(s: string): number {
    const h = hashRange(s, 0, s.length);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) return -1;
      if (this.slots[2 * slot] === h && this.strings[id] === s) return id;
    }
  }

  get(id: number): string {
    return this.strings[id];
  }

  get size(): number {
    return this.strings.length;
  }

  private add(s: string, h: number, slot: number, fresh = false): number {
    const id = this.strings.length;
    // A substring can keep the whole chunk it was cut from alive; a flat copy cannot.
    this.strings.push(fresh || s.length <= 12 ? s : flatCopy(s));
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id + 1;
    if (this.strings.length * 2 > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let k = 0; k < old.length; k += 2) {
      if (old[k + 1] === 0) continue;
      let slot = old[k] & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[k];
      slots[2 * slot + 1] = old[k + 1];
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Does `text` hold `s` at `start`? (A plain loop: startsWith costs more on sliced strings.) */
function sameChars(s: string, text: string, start: number): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

function sameBytes(s: string, bytes: Uint8Array, start: number): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== bytes[start + k]) return false;
  return true;
}

/** Scratch for asciiString: a plain array, so no typed-array view is made per new string. */
const codes: number[] = [];

/** ASCII bytes as a (flat) string; the same hash as hashRange gives for it. */
function asciiString(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 256) {
    codes.length = end - start;
    for (let i = start; i < end; i++) codes[i - start] = bytes[i];
    return String.fromCharCode.apply(null, codes);
  }
  let s = '';
  for (let i = start; i < end; i += 4096) s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return s;
}

/** The hash StringTable uses (FNV-1a over code units): its start value, and one step. */
export const HASH_START = 0x811c9dc5;
export const hashStep = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);

/** FNV-1a over the UTF-16 code units of text[start, end). */
function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** A copy of `s` that shares no storage with the string it was sliced from (portable: the webview bundles the core too). */
function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

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

/** A comm the recorder did not know (ftrace's `<...>`, perf's `:-1`): any other comm of the pid is better. */
function unknownComm(taskName: string): boolean {
  const slash = taskName.lastIndexOf('/');
  if (slash < 0) return false;
  const comm = taskName.slice(0, slash);
  return comm === '<...>' || comm === ':-1' || comm === '';
}

/** `!source FILE=PATH`: PATH as written, and where it is written (1-based line; columns of PATH, end exclusive). */
export interface SourceMapping {
  path: string;
  line: number;
  column: number;
  endColumn: number;
}

export type TraceFormat = 'dmtrace' | 'ftrace' | 'trace-cmd' | 'perf-script' | 'bpftrace' | 'chrome-json';

/**
 * Collects events and trace-level facts while a parser reads; `finish()` gives the Trace.
 * Every parser (native and recorded) builds through this one class.
 */
export class TraceBuilder {
  readonly strings = new StringTable();
  /** Input diagnostics, capped (see diagnostics.ts). */
  private readonly capped = new CappedDiagnostics();
  readonly declaredEdges: DeclaredEdge[] = [];
  readonly gaps: Gap[] = [];
  readonly lockDeclarations: LockDeclaration[] = [];
  readonly ownerDeclarations: OwnerDeclaration[] = [];
  readonly sources = new Map<string, SourceMapping>();
  /** Call context of events in formats that have it (ftrace function tracer `func <-parent`). */
  readonly callers = new Map<number, string>();
  /** Events merged from an entry and a return probe (at the return's line): the entry's line. */
  readonly callEntryLine = new Map<number, number>();
  /** Task ids by name as written (a cache) and by pid (what identifies a task; for pid 0, the name). */
  private readonly taskIds = new Map<string, number>();
  private readonly taskByKey = new Map<string, number>();
  private readonly tasks: TaskInfo[] = [];
  private readonly taskCounts: number[] = [];
  /** Event columns, grown together (one capacity check an event); args and argStart grow on their own. */
  private readonly time = new Growable(Float64Array);
  private readonly cpu = new Growable(Int32Array);
  private readonly task = new Growable(Int32Array);
  private readonly name = new Growable(Int32Array);
  private readonly line = new Growable(Int32Array);
  private readonly seq = new Growable(Int32Array);
  private readonly srcFile = new Growable(Int32Array);
  private readonly srcLine = new Growable(Int32Array);
  private readonly argStart = new Growable(Int32Array);
  private readonly args = new Growable(Int32Array);
  private count = 0;
  private capacity = 0;
  private columns: Columns | undefined;

  constructor(readonly format: TraceFormat) {
    this.argStart.push(0);
  }

  get eventCount(): number {
    return this.count;
  }

  /**
   * The task of `comm/pid`. The pid identifies the task; the comm is only its
   * name, so the same pid under another comm (after an exec, or `<...>`/`:-1`
   * when the recorder did not know it) is the same task. The task keeps the
   * first comm known for it; an unknown one gives way to the first known one.
   * pid 0 is the idle task of each cpu (`swapper/N`): each name is its own task.
   */
  taskId(name: string, cpu: number): number {
    let id = this.taskIds.get(name);
    if (id !== undefined) return id;
    const pid = pidOf(name);
    const key = pid === '0' ? name : pid;
    id = this.taskByKey.get(key);
    if (id === undefined) {
      id = this.tasks.length;
      this.taskByKey.set(key, id);
      this.tasks.push({ name, pid, firstCpu: cpu });
      this.taskCounts.push(0);
    } else if (unknownComm(this.tasks[id].name) && !unknownComm(name)) {
      this.tasks[id].name = name;
    }
    this.taskIds.set(name, id);
    return id;
  }

  /**
   * Appends one event. `args` holds interned key and value ids in pairs.
   * `srcFile` is an interned file name or -1. Returns the event's index.
   */
  addEvent(timeNs: number, cpu: number, task: number, name: number, line: number, args: ArrayLike<number>, argCount: number, srcFile = -1, srcLine = 0): number {
    const i = this.count;
    if (i === this.capacity) this.growEvents(i + 1);
    this.time.data[i] = timeNs;
    this.cpu.data[i] = cpu;
    this.task.data[i] = task;
    this.name.data[i] = name;
    this.line.data[i] = line;
    this.seq.data[i] = ++this.taskCounts[task];
    this.srcFile.data[i] = srcFile;
    this.srcLine.data[i] = srcLine;
    const args0 = this.args.length;
    this.args.reserve(args0 + argCount * 2);
    const argData = this.args.data;
    for (let k = 0; k < argCount * 2; k++) argData[args0 + k] = args[k];
    this.args.length = args0 + argCount * 2;
    this.argStart.push(this.args.length);
    this.count = i + 1;
    return i;
  }

  private growEvents(n: number): void {
    for (const c of [this.time, this.cpu, this.task, this.name, this.line, this.seq, this.srcFile, this.srcLine]) c.reserve(n);
    this.capacity = this.time.data.length;
  }

  error(line: number, column: number, message: string, endColumn?: number): void {
    this.capped.add({ line, column, endColumn, message, severity: 'error' });
  }

  warning(line: number, column: number, message: string, endColumn?: number): void {
    this.capped.add({ line, column, endColumn, message, severity: 'warning' });
  }

  /** The diagnostics kept so far (at most MAX_PER_KIND of each severity), in the order reported. */
  get diagnostics(): readonly Diagnostic[] {
    return this.capped.list;
  }

  /** The Trace; the builder's columns are handed over (a parse ends once, later calls give the same columns). */
  finish(): Trace {
    if (!this.columns) {
      const exact = <T extends Int32Array | Float64Array>(c: Growable<T>, length: number): T => {
        c.length = length;
        return c.finish();
      };
      const n = this.count;
      this.columns = {
        time: exact(this.time, n),
        cpu: exact(this.cpu, n),
        task: exact(this.task, n),
        name: exact(this.name, n),
        line: exact(this.line, n),
        seq: exact(this.seq, n),
        argStart: exact(this.argStart, this.argStart.length),
        args: exact(this.args, this.args.length),
        srcFile: exact(this.srcFile, n),
        srcLine: exact(this.srcLine, n),
      };
      splitIncarnations(this.strings, this.columns);
    }
    const trace = new Trace(this.format, this.strings, this.columns, this.tasks, [...this.capped.list], this.declaredEdges, this.gaps, this.lockDeclarations, this.sources, this.callers, this.ownerDeclarations, this.callEntryLine);
    trace.diagnosticsOmitted = this.capped.omitted();
    return trace;
  }
}

export interface Columns {
  time: Float64Array;
  cpu: Int32Array;
  task: Int32Array;
  name: Int32Array;
  line: Int32Array;
  seq: Int32Array;
  argStart: Int32Array;
  args: Int32Array;
  srcFile: Int32Array;
  srcLine: Int32Array;
}

export class Trace {
  /** Nanoseconds. */
  readonly time: Float64Array;
  readonly cpu: Int32Array;
  /** Index into `tasks`. */
  readonly task: Int32Array;
  /** Interned event name; vocabulary events have their `Ev` id. */
  readonly name: Int32Array;
  /** 1-based line in the original file (for JSON, the line where the event's object starts). */
  readonly line: Int32Array;
  /** 1-based position of the event in its task's program order. */
  readonly seq: Int32Array;
  readonly argStart: Int32Array;
  readonly args: Int32Array;
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
    this.args = columns.args;
    this.srcFile = columns.srcFile;
    this.srcLine = columns.srcLine;
  }

  get length(): number {
    return this.time.length;
  }

  /** The value id of argument `key` (an id from `Key` or `strings.lookup`), or -1. */
  argId(event: number, key: number): number {
    const end = this.argStart[event + 1];
    for (let k = this.argStart[event]; k < end; k += 2) if (this.args[k] === key) return this.args[k + 1];
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
    for (let k = this.argStart[event]; k < this.argStart[event + 1]; k += 2) {
      out.push([this.strings.get(this.args[k]), this.strings.get(this.args[k + 1])]);
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
    const f = this.srcFile[event];
    return f < 0 ? undefined : { file: this.strings.get(f), line: this.srcLine[event] };
  }

  /** The event as one line of native text, without time, cpu and task: `dm_get md=md0 holders=2`. */
  describe(event: number): string {
    let s = this.eventName(event);
    for (const [k, v] of this.argList(event)) s += ` ${k}=${/[\s"\\]/.test(v) || v === '' ? JSON.stringify(v) : v}`;
    return s;
  }

  /** The event written on `line` (the first, if a JSON line holds several), or -1. */
  eventAtLine(line: number): number {
    const byLine = (this.byLine ??= Int32Array.from({ length: this.length }, (_, i) => i).sort((a, b) => this.line[a] - this.line[b] || a - b));
    let lo = 0;
    let hi = byLine.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.line[byLine[mid]] < line) lo = mid + 1;
      else hi = mid;
    }
    return lo < byLine.length && this.line[byLine[lo]] === line ? byLine[lo] : -1;
  }
  /** Event indices sorted by line: built on the first line lookup (time-sorted formats are not in line order). */
  private byLine?: Int32Array;

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
