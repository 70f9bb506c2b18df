// Collects a trace while a parser reads: events into growing columns, tasks,
// directives and diagnostics; `finish()` settles them into a Trace.

import { CappedDiagnostics, type Diagnostic } from './diagnostics';
import { Growable, NarrowGrowable } from './growable';
import { splitIncarnations } from './incarnations';
import {
  Trace, pidOf,
  type Columns, type DeclaredEdge, type Gap, type LockDeclaration, type OwnerDeclaration, type SourceMapping, type TaskInfo, type TraceFormat,
} from './model';
import { NUMBER_BASE, StringTable } from './stringTable';

/** A comm the recorder did not know (ftrace's `<...>`, perf's `:-1`): any other comm of the pid is better. */
function unknownComm(taskName: string): boolean {
  const slash = taskName.lastIndexOf('/');
  if (slash < 0) return false;
  const comm = taskName.slice(0, slash);
  return comm === '<...>' || comm === ':-1' || comm === '';
}

/** Queued events column by column, by arrival number (RecordedTrace's time-order queue): TraceBuilder.addQueued. */
export interface QueuedColumns {
  readonly time: Float64Array;
  readonly cpu: Int32Array;
  /** Task key numbers. */
  readonly task: Int32Array;
  readonly name: Int32Array;
  readonly line: Int32Array;
  /** End of each event's argument ids in `args` (key and value ids in pairs); an event's start is its predecessor's end. */
  readonly argEnd: Int32Array;
  readonly args: Int32Array;
}

/** The events TraceBuilder.takeBackEvents() took back: the trace's columns (model.ts, Columns) and call contexts. */
export interface PlacedEvents {
  readonly time: Float64Array;
  readonly cpu: ArrayLike<number>;
  /** Task ids (as the builder gave them). */
  readonly task: ArrayLike<number>;
  readonly name: Int32Array;
  readonly line: Int32Array;
  readonly argStart: Int32Array;
  readonly argKey: ArrayLike<number>;
  readonly argValue: Int32Array;
  /** The interned key of each key code. */
  readonly argKeys: readonly number[];
  readonly callers: ReadonlyMap<number, string>;
}

/**
 * Collects events and trace-level facts while a parser reads; `finish()` gives the Trace.
 * Every parser (native and recorded) builds through this one class.
 */
export class TraceBuilder {
  readonly strings = new StringTable({ numbers: true });
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
  /** Event columns, grown together (one capacity check an event); the argument and source columns grow on their own. */
  // (not readonly: takeBackEvents() starts them again)
  private time = new Growable(Float64Array);
  private cpu = new NarrowGrowable();
  private task = new NarrowGrowable();
  private name = new Growable(Int32Array);
  private line = new Growable(Int32Array);
  private seq = new Growable(Int32Array);
  /** Source locations, only for the events that have one (model.ts, Columns). */
  private readonly srcEvent = new Growable(Int32Array);
  private readonly srcFile = new Growable(Int32Array);
  private readonly srcLine = new Growable(Int32Array);
  /** Arguments (model.ts, Columns): per argument its key's code and its value; per key code, the key. */
  private argStart = new Growable(Int32Array);
  private argKey = new NarrowGrowable();
  private argValue = new Growable(Int32Array);
  private readonly argKeys: number[] = [];
  /** Per interned key, its code + 1 (0: not a key yet); keys past it (numbers: a hostile trace's) in numberKeyCodes. */
  private keyCodes = new Int32Array(256);
  private readonly numberKeyCodes = new Map<number, number>();
  private count = 0;
  private capacity = 0;
  private columns: Columns | undefined;

  constructor(readonly format: TraceFormat) {
    this.argStart.push(0);
  }

  get eventCount(): number {
    return this.count;
  }

  /** The arguments of all events so far. */
  get argumentCount(): number {
    return this.argValue.length;
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
    if (cpu >>> 0 > this.cpu.limit) this.cpu.widenFor(cpu);
    this.cpu.store.data[i] = cpu;
    if (task >>> 0 > this.task.limit) this.task.widenFor(task);
    this.task.store.data[i] = task;
    this.name.data[i] = name;
    this.line.data[i] = line;
    this.seq.data[i] = ++this.taskCounts[task];
    if (srcFile >= 0) {
      this.srcEvent.push(i);
      this.srcFile.push(srcFile);
      this.srcLine.push(srcLine);
    }
    const args0 = this.argValue.length;
    const end = args0 + argCount;
    const keyStore = this.argKey.store;
    this.argValue.reserve(end);
    keyStore.reserve(end);
    const values = this.argValue.data;
    let keys = keyStore.data;
    let keyCodes = this.keyCodes;
    for (let k = 0; k < argCount; k++) {
      const key = args[2 * k];
      let code = key < keyCodes.length ? keyCodes[key] - 1 : -1;
      if (code < 0) {
        // a new key: it may grow keyCodes and widen the key column
        code = this.newKey(key);
        keyCodes = this.keyCodes;
        keys = this.argKey.store.data;
      }
      keys[args0 + k] = code;
      values[args0 + k] = args[2 * k + 1];
    }
    this.argValue.length = end;
    this.argKey.store.length = end;
    this.argStart.push(end);
    this.count = i + 1;
    return i;
  }

  /**
   * Appends queued events (a time-ordered format's, RecordedTrace) in analysis order: for each
   * i in [from, to), the event of arrival order[i], its task `taskOfKey[key] - 1`. What addEvent
   * does per event, in one loop: a million events are placed in a fraction of the calls' time.
   */
  addQueued(q: QueuedColumns, order: Int32Array, from: number, to: number, taskOfKey: ArrayLike<number>): void {
    const first = this.count;
    const n = first + to - from;
    if (n > this.capacity) this.growEvents(n);
    const time = this.time.data;
    const name = this.name.data;
    const line = this.line.data;
    const seq = this.seq.data;
    const taskCounts = this.taskCounts;
    const qTime = q.time;
    const qCpu = q.cpu;
    const qTask = q.task;
    const qName = q.name;
    const qLine = q.line;
    const argEnd = q.argEnd;
    const qArgs = q.args;
    let cpus = this.cpu.store.data;
    let tasks = this.task.store.data;
    let keyCodes = this.keyCodes;
    let args0 = this.argValue.length;
    this.argStart.reserve(n + 1);
    const argStart = this.argStart.data;
    for (let i = from, e = first; i < to; i++, e++) {
      const a = order[i];
      time[e] = qTime[a];
      const cpu = qCpu[a];
      if (cpu >>> 0 > this.cpu.limit) {
        this.cpu.widenFor(cpu);
        cpus = this.cpu.store.data;
      }
      cpus[e] = cpu;
      const task = taskOfKey[qTask[a]] - 1;
      if (task >>> 0 > this.task.limit) {
        this.task.widenFor(task);
        tasks = this.task.store.data;
      }
      tasks[e] = task;
      name[e] = qName[a];
      line[e] = qLine[a];
      seq[e] = ++taskCounts[task];
      const from2 = a === 0 ? 0 : argEnd[a - 1];
      const argCount = (argEnd[a] - from2) >> 1;
      const end = args0 + argCount;
      if (end > this.argValue.data.length || end > this.argKey.store.data.length) {
        this.argValue.reserve(end);
        this.argKey.store.reserve(end);
      }
      const values = this.argValue.data;
      let keys = this.argKey.store.data;
      for (let k = 0; k < argCount; k++) {
        const key = qArgs[from2 + 2 * k];
        let code = key < keyCodes.length ? keyCodes[key] - 1 : -1;
        if (code < 0) {
          code = this.newKey(key);
          keyCodes = this.keyCodes;
          keys = this.argKey.store.data;
        }
        keys[args0 + k] = code;
        values[args0 + k] = qArgs[from2 + 2 * k + 1];
      }
      args0 = end;
      argStart[e + 1] = end;
    }
    this.argValue.length = args0;
    this.argKey.store.length = args0;
    this.argStart.length = n + 1;
    this.count = n;
  }

  /**
   * Takes back every event added so far, with what was made for them (tasks, argument key codes,
   * call contexts, entry lines, gaps): the builder is as before its first event, and the events are
   * returned column by column (RecordedTrace's in-order lane, when an event turns out to precede
   * events already added). Not for traces with source locations.
   */
  takeBackEvents(): PlacedEvents {
    const n = this.count;
    const exact = <T extends Int32Array | Float64Array | Uint16Array | Uint8Array>(c: Growable<T>): T => {
      c.length = n;
      return c.finish();
    };
    const placed: PlacedEvents = {
      time: exact(this.time),
      cpu: exact(this.cpu.store),
      task: exact(this.task.store),
      name: exact(this.name),
      line: exact(this.line),
      argStart: this.argStart.finish(),
      argKey: this.argKey.store.finish(),
      argValue: this.argValue.finish(),
      argKeys: [...this.argKeys],
      callers: new Map(this.callers),
    };
    this.time = new Growable(Float64Array);
    this.cpu = new NarrowGrowable();
    this.task = new NarrowGrowable();
    this.name = new Growable(Int32Array);
    this.line = new Growable(Int32Array);
    this.seq.finish();
    this.seq = new Growable(Int32Array);
    this.argStart = new Growable(Int32Array);
    this.argStart.push(0);
    this.argKey = new NarrowGrowable();
    this.argValue = new Growable(Int32Array);
    this.argKeys.length = 0;
    this.keyCodes = new Int32Array(256);
    this.numberKeyCodes.clear();
    this.taskIds.clear();
    this.taskByKey.clear();
    this.tasks.length = 0;
    this.taskCounts.length = 0;
    this.callers.clear();
    this.callEntryLine.clear();
    this.gaps.length = 0;
    this.count = 0;
    this.capacity = 0;
    return placed;
  }

  /**
   * Sets the time of event `i`. The native parser adds an event with time 0
   * and sets its time here: a small method is inlined, so the time stays a
   * raw double, where passing it to addEvent (too big to inline) would box it
   * into a heap number per event (16 MB of garbage per million events).
   */
  setTime(i: number, timeNs: number): void {
    this.time.data[i] = timeNs;
  }

  /** Sizes the columns at once for about `events` events with `args` arguments in all (see Growable.expect). */
  expectEvents(events: number, args: number): void {
    for (const c of this.eventColumns()) c.expect(events);
    this.argStart.expect(events + 1);
    this.argKey.store.expect(args);
    this.argValue.expect(args);
    this.settleCapacity();
  }

  private growEvents(n: number): void {
    for (const c of this.eventColumns()) c.reserve(n);
    this.settleCapacity();
  }

  /** The columns with one value per event, grown together (capacity: the room all of them have). */
  private eventColumns() {
    return [this.time, this.cpu.store, this.task.store, this.name, this.line, this.seq];
  }

  private settleCapacity(): void {
    this.capacity = Math.min(...this.eventColumns().map((c) => c.data.length));
  }

  /** The code of a key not in keyCodes: a new key gets the next code (widening the key column if the code needs it). */
  private newKey(key: number): number {
    if (key >= NUMBER_BASE) {
      const known = this.numberKeyCodes.get(key);
      if (known !== undefined) return known;
    } else if (key >= this.keyCodes.length) {
      const wider = new Int32Array(Math.max(key + 1, this.keyCodes.length * 2));
      wider.set(this.keyCodes);
      this.keyCodes = wider;
    }
    const code = this.argKeys.length;
    this.argKeys.push(key);
    if (key >= NUMBER_BASE) this.numberKeyCodes.set(key, code);
    else this.keyCodes[key] = code + 1;
    if (code > this.argKey.limit) this.argKey.widenFor(code);
    return code;
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
      const exact = <T extends Int32Array | Float64Array | Uint16Array | Uint8Array>(c: Growable<T>, length: number): T => {
        c.length = length;
        return c.finish();
      };
      const n = this.count;
      this.columns = {
        time: exact(this.time, n),
        cpu: exact(this.cpu.store, n),
        task: exact(this.task.store, n),
        name: exact(this.name, n),
        line: exact(this.line, n),
        seq: exact(this.seq, n),
        argStart: this.argStart.finish(),
        argKey: this.argKey.store.finish(),
        argValue: this.argValue.finish(),
        argKeys: Int32Array.from(this.argKeys),
        srcEvent: this.srcEvent.finish(),
        srcFile: this.srcFile.finish(),
        srcLine: this.srcLine.finish(),
      };
      splitIncarnations(this.strings, this.columns);
    }
    const trace = new Trace(this.format, this.strings, this.columns, this.tasks, [...this.capped.list], this.declaredEdges, this.gaps, this.lockDeclarations, this.sources, this.callers, this.ownerDeclarations, this.callEntryLine);
    trace.diagnosticsOmitted = this.capped.omitted();
    return trace;
  }
}

/** Bytes and events parsed before columns are sized from the input's size, and the margin they are given. */
const SIZE_AFTER_BYTES = 1 << 18;
const SIZE_AFTER_EVENTS = 1024;
const SIZE_MARGIN = 1.25;

/**
 * When a parser may size its columns for the whole input (Growable.expect): once the first
 * SIZE_AFTER_BYTES are parsed, from the events and arguments per byte so far, with a margin;
 * they then grow no more and are not copied at the end. FIRST_EVENTS and FIRST_ARGS size them for the first part.
 */
export class InputSizing {
  private bytesParsed = 0;

  constructor(private totalBytes: number) {}

  /** Room for the first part: plain arrays from the start, so code optimised before sizing sees the same array kind after. */
  static readonly FIRST_EVENTS = SIZE_AFTER_BYTES / 16;
  static readonly FIRST_ARGS = SIZE_AFTER_BYTES / 8;

  /**
   * Called before parsing `bytes` more with `events` parsed so far: the factor by which the
   * counts so far are scaled to size the columns (once), else 0.
   */
  scale(bytes: number, events: number): number {
    if (this.totalBytes === 0) return 0;
    // (an input that starts with a long comment is sized once some events tell its density)
    if (this.bytesParsed < SIZE_AFTER_BYTES || events < SIZE_AFTER_EVENTS) {
      this.bytesParsed += bytes;
      return 0;
    }
    const scale = (this.totalBytes / this.bytesParsed) * SIZE_MARGIN;
    this.totalBytes = 0;
    return scale > 4 * SIZE_MARGIN ? scale : 0;
  }
}
