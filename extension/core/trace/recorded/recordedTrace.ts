// What every recorded-format parser shares: `# !directive` comments, task
// identity by pid, event-name reduction, argument normalisation, and the
// choice between file order (ftrace, trace-cmd, perf script: the tools already
// merge their per-cpu buffers by time) and time order (bpftrace, Chrome JSON:
// per-cpu buffers or writers may interleave; ties keep file order).

import { DirectiveReader } from '../directives';
import { inRange as isInRange, rangeProblem, type NumberKind } from '../numbers';
import { InputSizing, TraceBuilder, type QueuedColumns } from '../builder';
import type { TaskInfo, Trace, TraceFormat } from '../model';
import { LineError, isBlank, quote } from '../scan';
import { CallMerger, KIND_OF_CALL, Kind, type GapMark } from './callMerger';
import { ByteEvents, type ByteEvent, type ByteLayout, type TimeOf } from './byteEvents';
import { EventNameResolver } from './eventNames';
import { InOrderLane, unpackKind } from './inOrderLane';
import { PendingEvents } from './pendingEvents';
import type { CallSite } from './fields';
import { normalizeValue, parameterName, pidValue, returnArgumentName } from './values';

export interface RecordedOptions {
  /** Extra event-name mappings (`probe=event`), as `# !map` would declare them. */
  map?: Record<string, string>;
  /** The input's size in bytes, when known (a file's): a time-ordered format's queue is sized from it early (InputSizing). */
  totalBytes?: number;
}

/** The comms a recorder prints when it does not know a pid's name (ftrace `<...>`, perf `:-1`). */
const isUnknownComm = (taskName: string): boolean => taskName.startsWith('<...>/') || taskName.startsWith(':-1/');

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
  /** Where the probe sits (entry, return, inside a function), or a function-tracer line (`function`). */
  call?: { kind: CallSite['kind'] | 'function'; fn: string };
  /** A function-tracer line's `func <-parent`, given to the probe of the same call it merges into. */
  context?: string;
  /** A number printed without a key (a syscall exit's return value). */
  bare?: string;
}

/** The queued events of a time-ordered trace in analysis order. */
export interface OrderedEvents {
  /** Arrival numbers (0-based, in file order) sorted by time, ties in file order. */
  readonly order: Int32Array;
  /** Time of each arrival number. */
  readonly time: Float64Array;
  taskKey(arrival: number): string;
}

export class RecordedTrace {
  readonly builder: TraceBuilder;
  readonly directives: DirectiveReader;
  private readonly names: EventNameResolver;
  /** Formats whose events are put in time order (bpftrace, Chrome JSON), as opposed to file order. */
  private readonly timeOrdered: boolean;
  /** A time-ordered format's queue, once it has one (InOrderLane). */
  private pending: PendingEvents | undefined;
  /** While a time-ordered format's events have come in time order, they are placed as read. */
  private lane: InOrderLane | undefined;
  /** Task keys (what identifies a thread: its pid/tid) by number, and their numbers. */
  private readonly keys: string[] = [];
  private readonly keyNumbers = new Map<string, number>();
  /** By key number: the task's name so far (its first event's), and its task id + 1 once it has one. */
  private readonly keyNames: (string | undefined)[] = [];
  private readonly keyTasks: number[] = [];
  /** Names seen after a task's first event showed `<...>`, by key number. */
  private readonly laterNames = new Map<number, string>();
  /** Interned key/value ids of the event being added, reused. */
  private readonly argBuffer: number[] = [];
  /** Gaps of a time-ordered trace, placed once the events are sorted. */
  private readonly pendingGaps: { cpu: number; lost: number; line: number; order: number }[] = [];
  private calls: CallMerger;
  /** The byte path (byteEvents.ts), for the text formats that have one. */
  private readonly bytes: ByteEvents | undefined;
  /** Sizes the queue's columns (time-ordered formats) from the input's size. */
  private readonly sizing: InputSizing | undefined;

  /** `bytes`: the layout of a format read from bytes when it can be (ftrace, trace-cmd, perf script, bpftrace). */
  constructor(format: TraceFormat, options: RecordedOptions & { timeOrdered: boolean; bytes?: ByteLayout }) {
    this.builder = new TraceBuilder(format);
    this.directives = new DirectiveReader(this.builder, options.map);
    this.names = new EventNameResolver(this.directives);
    this.timeOrdered = options.timeOrdered;
    if (this.timeOrdered) this.lane = new InOrderLane();
    // a time-ordered format only: sizing the builder of a file-ordered format (events added as read) raised its peak RSS by 15-20 MB at 1M events
    if (options.totalBytes && this.timeOrdered) {
      this.sizing = new InputSizing(options.totalBytes);
      this.expect(InputSizing.FIRST_EVENTS, InputSizing.FIRST_ARGS);
    }
    if (options.bytes) this.bytes = new ByteEvents(this, this.names, this.directives, options.bytes, options.timeOrdered);
    this.calls = this.newCallMerger();
  }

  private newCallMerger(): CallMerger {
    return new CallMerger({
      emit: (e) => {
        const index = this.emit(e, e.cpu, this.keyOf(e.taskKey), e.name, e.line, e.args, e.args.length, e.caller);
        if (e.entryLine !== undefined) this.builder.callEntryLine.set(index, e.entryLine);
        this.lane?.mergerPlaced(index);
      },
      gap: (g) => this.builder.gaps.push({ cpu: g.cpu, lost: g.lost, line: g.line, beforeEvent: this.builder.eventCount }),
      renormalize: (args, name) => this.renormalize(args, name),
    });
  }

  /** Sizes the columns of a time-ordered format for about `events` events with `argValues` argument ids (key and value) in all. */
  private expect(events: number, argValues: number): void {
    this.expected = { events, argValues };
    if (this.lane) {
      this.builder.expectEvents(events, argValues >> 1);
      this.lane.expect(events);
    } else {
      this.pending!.expect(events, argValues);
    }
  }
  private expected: { events: number; argValues: number } | undefined;

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
      if (at) this.builder.error(lineNo, at.column, `${e.message} (in ${quote(text)})`);
      else this.builder.error(lineNo, e.column, e.message, e.endColumn);
    }
    this.names.forget();
    this.bytes?.forget();
  }

  /**
   * Checks a number read from text[from, to) of line `lineNo` (numbers.ts):
   * out of range, it is an error at that token and the caller drops the line.
   */
  inRange(kind: NumberKind, value: number, text: string, from: number, to: number, lineNo: number): boolean {
    if (isInRange(kind, value)) return true;
    const problem = rangeProblem(kind, value, text.slice(from, to));
    if (problem) this.builder.error(lineNo, from + 1, problem, to + 1);
    return problem === undefined;
  }

  /**
   * Called by a time-ordered parser before it reads `bytes` more of its input: once enough is
   * read, the queue's columns are sized for the whole input (InputSizing).
   */
  sizeFor(bytes: number): void {
    if (this.sizing === undefined) return;
    const count = this.arrivals;
    const scale = this.sizing.scale(bytes, count);
    if (scale === 0) return;
    const args = this.pending ? this.pending.args.length : 2 * this.builder.argumentCount;
    this.expect(Math.ceil(count * scale), Math.ceil(args * scale));
  }

  /** Sets the call context of the last event added (file-ordered formats: their events are added as read). */
  setLastCaller(caller: string): void {
    if (this.lane) this.leaveLane();
    const count = this.pending ? this.pending.length : this.builder.eventCount;
    if (this.pending) {
      if (count > 0) this.pending.callers.set(count - 1, caller);
    } else if (!this.calls.setLastCaller(caller) && count > 0) {
      this.builder.callers.set(count - 1, caller);
    }
  }

  /** Is `name` an event the rules know (vocabulary, kernel spelling or mapped)? */
  knowsEvent(name: string): boolean {
    return this.names.knows(name);
  }

  /** The number of a task key (numbers are this trace's own, in order of first use). */
  keyOf(taskKey: string): number {
    let key = this.keyNumbers.get(taskKey);
    if (key === undefined) {
      key = this.keys.length;
      this.keys.push(taskKey);
      this.keyNumbers.set(taskKey, key);
      this.keyNames.push(undefined);
      this.keyTasks.push(0);
    }
    return key;
  }

  /** Resolves names and values now (directives apply from their line on) and adds or queues the event. */
  add(e: RecordedEvent): void {
    const strings = this.builder.strings;
    let resolved = this.names.resolve(e.name, e.symbol);
    const base = this.names.baseName(e.name);
    let rawArgs = e.args;
    // a syscall exit prints its return value alone (`sys_exit_wait4: 0x1194`)
    if (e.bare !== undefined && base.startsWith('sys_exit_') && !rawArgs.some(([k]) => k === 'ret')) rawArgs = [...rawArgs, ['ret', e.bare]];
    // wait4 that reaped a child (ret = its pid) orders the child's life before the parent's next step
    if (base === 'sys_exit_wait4' && Number(pidValue(rawArgs.find(([k]) => k === 'ret')?.[1] ?? '0')) > 0) resolved = 'task_wait';
    const name = strings.intern(resolved);
    const isReturn = e.call?.kind === 'return';
    const args = this.argBuffer;
    args.length = 0;
    for (const [rawKey, rawValue] of rawArgs) {
      const key = this.argumentName(rawKey, rawArgs, base, resolved, isReturn);
      let value = this.argumentValue(name, key, rawValue);
      if ((resolved === 'task_fork' && key === 'child') || (resolved === 'task_wait' && key === 'ret')) value = pidValue(value);
      args.push(strings.intern(key), strings.intern(value));
    }
    const key = this.keyOf(e.taskKey);
    this.noteTaskName(key, e.taskName);
    const fnId = this.timeOrdered && e.call ? strings.intern(e.call.fn) : -1;
    const kind = e.call ? KIND_OF_CALL[e.call.kind] : Kind.Plain;
    this.addInterned(e, e.cpu, key, name, e.line, args, args.length, e.caller, kind, e.call?.fn ?? '', fnId, this.names.isKnown(resolved), e.context);
  }

  /**
   * The byte path: can this event (its fields found by a format's byte reader)
   * be added without the text path? Nothing changes yet; on true, `ev.key` is
   * the task key's number and addBytes() adds it. On false, the caller hands
   * the line to its text path.
   */
  acceptBytes(ev: ByteEvent): boolean {
    return this.bytes!.accept(ev);
  }

  /** Adds the event acceptBytes() took: the trace is as add() would have made it. */
  addBytes(ev: ByteEvent): void {
    this.bytes!.add(ev);
  }

  /** Does the event's name (ev.nameStart, ev.nameEnd) reduce to an event the rules know? */
  knowsName(ev: ByteEvent): boolean {
    return this.bytes!.knowsName(ev);
  }

  /** Does the printed name in bytes[start, end) (each byte 1-127) reduce to an event the rules know? */
  knowsBytes(b: Uint8Array, start: number, end: number): boolean {
    return this.bytes!.knows(b, start, end);
  }

  /** Has the task of this key a name that is not `<...>` (its name settled)? */
  hasKnownName(key: number): boolean {
    const name = this.keyNames[key];
    return name !== undefined && !isUnknownComm(name);
  }

  /** The value of argument `key` of event `name` as the rules see it: an `!alias` name, or the value normalised (values.ts). */
  argumentValue(name: number, key: string, rawValue: string): string {
    const aliased = this.directives.alias(rawValue);
    return aliased !== rawValue ? aliased : this.directives.alias(normalizeValue(name, key, rawValue));
  }

  /** The name a task key's event shows: the first one names the task; a known name after `<...>` is kept for finish(). */
  noteTaskName(key: number, taskName: string): void {
    const known = this.keyNames[key];
    if (known === undefined) this.keyNames[key] = taskName;
    else if (isUnknownComm(known) && !isUnknownComm(taskName)) this.laterNames.set(key, taskName);
  }

  /**
   * Adds (file order) or queues (time order) an event whose name and argument
   * ids (the first `argValues` of `args`) are interned; `fn` is the function of
   * its call ('' for none), `fnId` its interned id (-1 for none; only
   * time-ordered traces need it). The time is read from `at` (TimeOf).
   */
  addInterned(at: TimeOf, cpu: number, key: number, name: number, line: number, args: ArrayLike<number>, argValues: number, caller: string | undefined, kind: Kind, fn: string, fnId: number, known: boolean, context: string | undefined): void {
    const lane = this.lane;
    if (lane) {
      if (lane.inOrder(at.timeNs, fnId)) {
        const passes = this.calls.passes(kind, fn);
        // the key's task, now, for an event placed straight (a held one gets it when the merger places it)
        if (passes && this.keyTasks[key] === 0) this.taskOf(key, cpu);
        if (!lane.conflict) {
          lane.take(at.timeNs);
          if (passes) {
            this.emit(at, cpu, key, name, line, args, argValues, caller);
            lane.placed(kind, known, fnId);
            return;
          }
          // as the queue's replay pushes it (a time-ordered format's events carry no function-tracer context)
          const held = Array.prototype.slice.call(args, 0, argValues) as number[];
          lane.hold({ arrival: lane.arrivals - 1, timeNs: at.timeNs, cpu, key, name, line, args: held, caller, kindAndKnown: kind | (known ? 8 : 0), fnId });
          this.calls.push({ timeNs: at.timeNs, cpu, taskKey: this.keys[key], name, line, args: held, caller, kind, fn, known });
          return;
        }
      }
      this.leaveLane();
    }
    const q = this.pending;
    if (!q) {
      if (this.calls.passes(kind, fn)) {
        this.emit(at, cpu, key, name, line, args, argValues, caller);
        return;
      }
      this.calls.push({ timeNs: at.timeNs, cpu, taskKey: this.keys[key], name, line, args: Array.prototype.slice.call(args, 0, argValues) as number[], caller, kind, fn, known, context });
      return;
    }
    if (caller !== undefined) q.callers.set(q.length, caller);
    q.setTime(q.add(cpu, key, name, line, kind | (known ? 8 : 0), fnId, args, argValues), at.timeNs);
  }

  // Chrome JSON's byte path (chromeByteEvents.ts) resolves the names and values of plain events itself,
  // with caches of its own, and queues them here as add() would, without a string per event.

  /** The resolver add() uses for event names (its answers change only when a directive is read). */
  get eventNames(): EventNameResolver {
    return this.names;
  }

  /** What add() does with an event's task (key and name), for a time-ordered format: returns the task's queue slot. */
  queueTask(taskKey: string, taskName: string): number {
    if (this.lane) this.leaveLane();
    const key = this.keyOf(taskKey);
    this.noteTaskName(key, taskName);
    return key;
  }

  /**
   * Queues a plain event (no call site, caller or bare value) as add() does,
   * its name and argument ids already resolved; the caller sets its time with
   * queueTime. Returns the event's arrival number.
   */
  queueResolved(cpu: number, task: number, name: number, known: boolean, line: number, args: ArrayLike<number>, argValues: number): number {
    if (this.lane) this.leaveLane();
    return (this.pending as PendingEvents).add(cpu, task, name, line, Kind.Plain | (known ? 8 : 0), -1, args, argValues);
  }

  /** Sets the time of the queued event `arrival` (a small method: the time stays a raw double). */
  queueTime(arrival: number, timeNs: number): void {
    (this.pending as PendingEvents).setTime(arrival, timeNs);
  }

  /**
   * A return probe's `$retval` is its `ret` (values.ts); an entry's unnamed
   * `argN` takes the parameter's name unless the probe also printed that name;
   * `sched_process_fork`'s `child_pid` is the `child` of `task_fork`.
   */
  private argumentName(rawKey: string, rawArgs: [string, string][], base: string, resolved: string, isReturn: boolean): string {
    if (isReturn) return returnArgumentName(rawKey, rawArgs.length);
    if (resolved === 'task_fork' && rawKey === 'child_pid') return 'child';
    const named = parameterName(base, rawKey, resolved);
    return named !== undefined && !rawArgs.some(([k]) => k === named) ? named : rawKey;
  }

  /** Values read for one event, normalised again for another (a return merged into an entry of another name). */
  private renormalize(args: number[], name: number): number[] {
    const strings = this.builder.strings;
    const out: number[] = [];
    for (let k = 0; k < args.length; k += 2) {
      const key = strings.get(args[k]);
      out.push(args[k], strings.intern(this.directives.alias(normalizeValue(name, key, strings.get(args[k + 1])))));
    }
    return out;
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
    if (this.timeOrdered) this.pendingGaps.push({ cpu, lost: lost ?? 0, line: lineNo, order: this.arrivals });
    if (!this.pending) this.calls.gap({ cpu, lost: lost ?? 0, line: lineNo });
  }

  /** The task name a key has been given so far (its first event's), if any. */
  taskName(taskKey: string): string | undefined {
    const key = this.keyNumbers.get(taskKey);
    return key === undefined ? undefined : this.keyNames[key];
  }

  /** Names a task whatever its events said (Chrome `thread_name` metadata, which may come after them). */
  nameTask(taskKey: string, name: string): void {
    if (this.lane) this.leaveLane();
    this.keyNames[this.keyOf(taskKey)] = name;
  }

  /** For time-ordered formats: the queued events in analysis order (empty for file-ordered ones). */
  ordered(): OrderedEvents {
    if (this.lane) this.leaveLane();
    const q = this.pending;
    if (!q) return { order: new Int32Array(0), time: new Float64Array(0), taskKey: () => '' };
    if (!this.sorted || this.sorted.length !== q.length) {
      const time = q.time.data;
      const order = new Int32Array(q.length);
      let inOrder = true;
      for (let i = 0; i < order.length; i++) {
        order[i] = i;
        if (i > 0 && time[i] < time[i - 1]) inOrder = false;
      }
      // a trace already in time order (one writer, most Chrome exports) needs no sort
      this.sorted = inOrder ? order : order.sort((a, b) => time[a] - time[b] || a - b);
    }
    const task = q.task.data;
    return { order: this.sorted, time: q.time.data, taskKey: (arrival) => this.keys[task[arrival]] };
  }
  private sorted?: Int32Array;

  finish(): Trace {
    this.lane = undefined;
    if (this.pending) this.replay(this.pending);
    this.calls.finish();
    const trace = this.builder.finish();
    this.nameUnknownComms(trace);
    return trace;
  }

  /** Events of a time-ordered format so far (in the lane or the queue). */
  private get arrivals(): number {
    return this.lane ? this.lane.arrivals : this.pending ? this.pending.length : 0;
  }

  /**
   * An event came that precedes events already placed (or a step the lane does not take, such as
   * naming a task after its events): every event placed so far is taken back into the queue, in
   * file order, as if it had been queued, and the call merger starts again; from here on events
   * are queued and sorted at finish().
   */
  private leaveLane(): void {
    const lane = this.lane!;
    this.lane = undefined;
    const q = (this.pending = new PendingEvents());
    const sized = this.expected;
    q.expect(Math.max(sized?.events ?? 0, lane.arrivals + 1), Math.max(sized?.argValues ?? 0, 2 * this.builder.argumentCount + 2));
    const placed = this.builder.takeBackEvents();
    this.keyTasks.fill(0);
    const { held, kinds, mergerIndices, keyOfTask } = lane.takeBack();
    // (not argBuffer: it may hold the arguments of the event that made the lane be left)
    const args: number[] = [];
    let e = 0;
    let nextHeld = 0;
    let nextMerged = 0;
    let pass = 0;
    for (let arrival = 0; arrival < lane.arrivals; arrival++) {
      const h = held[nextHeld];
      if (h !== undefined && h.arrival === arrival) {
        nextHeld++;
        if (h.caller !== undefined) q.callers.set(arrival, h.caller);
        q.setTime(q.add(h.cpu, h.key, h.name, h.line, h.kindAndKnown, h.fnId, h.args, h.args.length), h.timeNs);
        continue;
      }
      // the next event placed straight (events the merger placed are held ones)
      for (; nextMerged < mergerIndices.length && mergerIndices[nextMerged] === e; nextMerged++) e++;
      args.length = 0;
      for (let k = placed.argStart[e]; k < placed.argStart[e + 1]; k++) args.push(placed.argKeys[placed.argKey[k]], placed.argValue[k]);
      const caller = placed.callers.get(e);
      if (caller !== undefined) q.callers.set(arrival, caller);
      const { kindAndKnown, fnId } = unpackKind(kinds[pass++]);
      q.setTime(q.add(placed.cpu[e], keyOfTask[placed.task[e]] - 1, placed.name[e], placed.line[e], kindAndKnown, fnId, args, args.length), placed.time[e]);
      e++;
    }
    this.calls = this.newCallMerger();
  }

  /** Hands the queued events, in time order, to the call merger and the builder. */
  private replay(q: PendingEvents): void {
    const { order } = this.ordered();
    const n = order.length;
    // a gap sits before the event that followed it in the file, wherever time order puts that event
    let gaps: (GapMark & { at: number })[] = [];
    if (this.pendingGaps.length > 0) {
      const indexOfArrival = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) indexOfArrival[order[i]] = i;
      indexOfArrival[n] = n;
      gaps = this.pendingGaps.map((g) => ({ ...g, at: indexOfArrival[g.order] })).sort((x, y) => x.at - y.at);
    }
    let nextGap = 0;
    const b = this.builder;
    // merged events are fewer than the queued ones, and have no more arguments: the columns never grow
    b.expectEvents(n, q.args.length >> 1);
    // the columns' arrays, read once (nothing is queued while they are replayed)
    const columns: QueuedColumns = { time: q.time.data, cpu: q.cpu.data, task: q.task.data, name: q.name.data, line: q.line.data, argEnd: q.argEnd.data, args: q.args.data };
    const { time, cpu, task, name, line, argEnd, args } = columns;
    const kind = q.kind.data;
    const fn = q.fn.data;
    const callers = q.callers.size === 0 ? undefined : q.callers;
    const strings = b.strings;
    const keyTasks = this.keyTasks;
    /** Function names by id: strings.get() is a Map lookup per call. */
    const fnNames: string[] = [];
    const fnName = (id: number) => (id < 0 ? '' : (fnNames[id] ??= strings.get(id)));
    /** Does an entry of the function (by id) go straight through the merger? Valid until the merger takes an event. */
    let entryPasses: boolean[] = [];
    for (let i = 0; i < n; ) {
      for (; nextGap < gaps.length && gaps[nextGap].at <= i; nextGap++) this.calls.gap(gaps[nextGap]);
      const stop = nextGap < gaps.length ? gaps[nextGap].at : n;
      // a run of events that go straight through (the merger idle, nothing waits): placed in one loop
      let j = i;
      if (this.calls.idle) {
        for (; j < stop; j++) {
          const a = order[j];
          const k = kind[a] & 7;
          if (k !== Kind.Plain) {
            if (k !== Kind.Entry) break;
            const f = fn[a];
            let passes = entryPasses[f];
            if (passes === undefined) entryPasses[f] = passes = this.calls.passes(Kind.Entry, fnName(f));
            if (!passes) break;
          }
          if (keyTasks[task[a]] === 0) this.taskOf(task[a], cpu[a]);
        }
      }
      if (j > i) {
        const first = b.eventCount;
        b.addQueued(columns, order, i, j, keyTasks);
        if (callers) {
          for (let m = i; m < j; m++) {
            const caller = callers.get(order[m]);
            if (caller !== undefined) b.callers.set(first + m - i, caller);
          }
        }
        i = j;
        continue;
      }
      // an event the merger holds or pairs, or one behind such an event (the merger is not idle)
      const a = order[i++];
      const from = a === 0 ? 0 : argEnd[a - 1];
      const to = argEnd[a];
      const k = kind[a];
      const f = fnName(fn[a]);
      this.calls.push({
        timeNs: time[a],
        cpu: cpu[a],
        taskKey: this.keys[task[a]],
        name: name[a],
        line: line[a],
        args: copyOf(args, from, to),
        caller: callers?.get(a),
        kind: k & 7,
        fn: f,
        known: (k & 8) !== 0,
      });
      entryPasses = [];
    }
    for (; nextGap < gaps.length; nextGap++) this.calls.gap(gaps[nextGap]);
  }

  /**
   * ftrace prints `<...>` for a pid whose comm fell out of its cache; when a
   * later line of the same pid shows the comm, the task takes that name (the
   * name `!hb` and the views use), unless another task already has it.
   */
  private nameUnknownComms(trace: Trace): void {
    if (this.laterNames.size === 0) return;
    const taken = new Set(trace.tasks.map((t) => t.name));
    for (const [key, name] of this.laterNames) {
      const id = this.keyTasks[key] - 1;
      if (id < 0 || taken.has(name)) continue;
      (trace.tasks[id] as TaskInfo).name = name;
      taken.add(name);
    }
  }

  /**
   * The task id of a key, given at its first event placed (on `cpu`). A key's name is settled by its
   * first event (Chrome's thread_name comes before the first event is placed, at finish).
   */
  private taskOf(key: number, cpu: number): number {
    const known = this.keyTasks[key];
    if (known > 0) return known - 1;
    const task = this.builder.taskId(this.keyNames[key] ?? this.keys[key], cpu);
    this.keyTasks[key] = task + 1;
    this.lane?.claim(task, key);
    return task;
  }

  /** Adds the event to the trace; returns its index. */
  private emit(at: TimeOf, cpu: number, key: number, name: number, line: number, args: ArrayLike<number>, argValues: number, caller: string | undefined): number {
    const b = this.builder;
    const task = this.keyTasks[key] > 0 ? this.keyTasks[key] - 1 : this.taskOf(key, cpu);
    const index = b.addEvent(0, cpu, task, name, line, args, argValues / 2);
    b.setTime(index, at.timeNs);
    if (caller !== undefined) b.callers.set(index, caller);
    return index;
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

/** data[from, to) as an array (Array.from of a subarray costs far more). */
function copyOf(data: Int32Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let j = from; j < to; j++) out[j - from] = data[j];
  return out;
}
