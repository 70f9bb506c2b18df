// What belongs to one call becomes one event before it reaches the trace
// model (docs/formats.md):
// - a return probe's event merges into its task's pending entry event of the
//   same function: the entry's arguments plus `ret`, at the return's line
//   (the entry's line is kept as `entryLine`);
// - a function-tracer line (`dm_get <-dm_get_md`) merges into its task's next
//   event when that is a probe of the same call (same function, same event).
// Events wait in a queue, in analysis order, only while such an entry is open;
// an entry that never sees its return is emitted where it stood, so the order
// of the trace is kept. Nothing waits when nothing is open: the common case
// costs one check.

export const enum Kind {
  /** Any event that pairs with nothing. */
  Plain,
  /** A probe at a function's entry: may be followed by that function's return probe. */
  Entry,
  /** A return probe. */
  Return,
  /** A function-tracer line that is an event. */
  Function,
}

/** The kind of a recorded call site (fields.ts CallSite, or a function-tracer line). */
export const KIND_OF_CALL = { entry: Kind.Entry, return: Kind.Return, inside: Kind.Plain, function: Kind.Function } as const;

export interface CallEvent {
  timeNs: number;
  cpu: number;
  taskKey: string;
  /** Interned event name. */
  name: number;
  line: number;
  /** Interned key and value ids, in pairs. */
  args: number[];
  caller: string | undefined;
  kind: Kind;
  /** The function the probe sits in (symbol or address); '' when the line shows none. */
  fn: string;
  /** Is the name one the rules know? (A merged pair takes the known one.) */
  known: boolean;
  /** For a function-tracer line: `func <-parent`, the call context it gives the probe it merges into. */
  context?: string;
  /** For an entry and return merged into one event: the entry's line. */
  entryLine?: number;
}

export interface GapMark {
  cpu: number;
  lost: number;
  line: number;
}

export interface CallSink {
  emit(e: CallEvent): void;
  gap(g: GapMark): void;
  /** `args` with their values normalised for event `name` instead of the one they were read for. */
  renormalize(args: number[], name: number): number[];
}

interface Waiting {
  e: CallEvent | undefined;
  gap: GapMark | undefined;
  open: boolean;
  dead: boolean;
}

/** Events that may wait behind an open entry; past this the oldest entry is given up (emitted without its return). */
const MAX_WAITING = 1 << 14;

export class CallMerger {
  private queue: Waiting[] = [];
  private head = 0;
  /** Open entries by task, oldest first. */
  private readonly entries = new Map<string, Waiting[]>();
  /** The open function-tracer line of each task. */
  private readonly functionLines = new Map<string, Waiting>();
  /** Functions seen with a return probe, and functions whose entries went unanswered: their entries no longer wait. */
  private readonly returning = new Set<string>();
  private readonly noReturn = new Set<string>();

  constructor(private readonly sink: CallSink) {}

  get idle(): boolean {
    return this.head === this.queue.length;
  }

  /** Would an event of this kind and function go straight through (nothing waits, and it will not wait)? */
  passes(kind: Kind, fn: string): boolean {
    if (this.head !== this.queue.length) return false;
    return kind === Kind.Plain || (kind === Kind.Entry && this.noReturn.has(fn) && !this.returning.has(fn));
  }

  push(e: CallEvent): void {
    const fl = this.functionLines.get(e.taskKey);
    if (fl) {
      this.close(fl);
      if (e.kind !== Kind.Return && e.kind !== Kind.Function && e.fn === fl.e!.fn && e.name === fl.e!.name) {
        fl.dead = true;
        e.caller ??= fl.e!.context;
      }
    }
    if (e.kind === Kind.Return) {
      this.returning.add(e.fn);
      const entry = this.takeEntry(e.taskKey, e.fn);
      if (entry) {
        entry.dead = true;
        e = this.merge(entry.e!, e);
      }
      e.kind = Kind.Plain;
    } else if (e.kind === Kind.Entry && this.noReturn.has(e.fn) && !this.returning.has(e.fn)) {
      e.kind = Kind.Plain;
    }
    const open = e.kind === Kind.Entry || e.kind === Kind.Function;
    if (!open && this.idle) {
      this.sink.emit(e);
      return;
    }
    const item: Waiting = { e, gap: undefined, open, dead: false };
    if (e.kind === Kind.Entry) {
      let list = this.entries.get(e.taskKey);
      if (!list) this.entries.set(e.taskKey, (list = []));
      // a second entry of the function while the first still waits: the first had no return
      for (const other of [...list]) if (other.e!.fn === e.fn) this.close(other);
      list.push(item);
    } else if (e.kind === Kind.Function) {
      this.functionLines.set(e.taskKey, item);
    }
    this.queue.push(item);
    if (this.queue.length - this.head > MAX_WAITING) this.close(this.queue[this.head]);
    this.flush();
  }

  gap(g: GapMark): void {
    if (this.idle) this.sink.gap(g);
    else this.queue.push({ e: undefined, gap: g, open: false, dead: false });
  }

  /** Sets the call context of the last event pushed, if it still waits; false when it was emitted. */
  setLastCaller(caller: string): boolean {
    for (let k = this.queue.length - 1; k >= this.head; k--) {
      const e = this.queue[k].e;
      if (e && !this.queue[k].dead) {
        e.caller = caller;
        return true;
      }
    }
    return false;
  }

  /** The end of the trace: every open entry is an event of its own. */
  finish(): void {
    for (let k = this.head; k < this.queue.length; k++) if (this.queue[k].open) this.close(this.queue[k]);
    this.flush();
  }

  private close(item: Waiting): void {
    if (!item.open) return;
    item.open = false;
    const e = item.e!;
    if (e.kind === Kind.Function) {
      if (this.functionLines.get(e.taskKey) === item) this.functionLines.delete(e.taskKey);
      return;
    }
    if (!this.returning.has(e.fn)) this.noReturn.add(e.fn);
    const list = this.entries.get(e.taskKey);
    const at = list ? list.indexOf(item) : -1;
    if (at >= 0) list!.splice(at, 1);
  }

  private takeEntry(taskKey: string, fn: string): Waiting | undefined {
    const list = this.entries.get(taskKey);
    if (!list) return undefined;
    for (let k = list.length - 1; k >= 0; k--) {
      if (list[k].e!.fn !== fn) continue;
      const item = list[k];
      list.splice(k, 1);
      item.open = false;
      return item;
    }
    return undefined;
  }

  /** The entry's arguments plus the return's (its `ret` replaces any the entry had), at the return's place. */
  private merge(entry: CallEvent, ret: CallEvent): CallEvent {
    const name = entry.known || !ret.known ? entry.name : ret.name;
    const entryArgs = name === entry.name ? entry.args : this.sink.renormalize(entry.args, name);
    const retArgs = name === ret.name ? ret.args : this.sink.renormalize(ret.args, name);
    const args: number[] = [];
    for (let k = 0; k < entryArgs.length; k += 2) {
      let replaced = false;
      for (let r = 0; r < retArgs.length; r += 2) if (retArgs[r] === entryArgs[k]) replaced = true;
      if (!replaced) args.push(entryArgs[k], entryArgs[k + 1]);
    }
    for (const v of retArgs) args.push(v); // not push(...retArgs): a line may carry more arguments than a call takes
    return { ...ret, name, args, caller: ret.caller ?? entry.caller, known: entry.known || ret.known, entryLine: entry.line };
  }

  private flush(): void {
    const q = this.queue;
    while (this.head < q.length && !q[this.head].open) {
      const item = q[this.head++];
      if (item.dead) continue;
      if (item.e) this.sink.emit(item.e);
      else this.sink.gap(item.gap!);
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }
}
