// The time-order queue of a recorded format whose events may come out of time
// order (bpftrace once it leaves its in-order lane, Chrome JSON): events held
// column by column until the file has been read, then sorted and replayed
// (RecordedTrace.finish).

import { Growable } from '../growable';

/**
 * Events of a time-ordered format, held column by column until the file has
 * been read (a 1 GB JSON trace has millions): names and values already interned.
 */
export class PendingEvents {
  // per event (arrival number), grown together: one capacity check an event
  readonly time = new Growable(Float64Array);
  readonly cpu = new Growable(Int32Array);
  /** Task key number (RecordedTrace.keyOf). */
  readonly task = new Growable(Int32Array);
  readonly name = new Growable(Int32Array);
  readonly line = new Growable(Int32Array);
  readonly argEnd = new Growable(Int32Array);
  /** Kind, plus 8 when the name is known. */
  readonly kind = new Growable(Int32Array);
  /** Interned function of the probe, or -1. */
  readonly fn = new Growable(Int32Array);
  readonly args = new Growable(Int32Array);
  readonly callers = new Map<number, string>();
  private count = 0;
  private capacity = 0;

  get length(): number {
    return this.count;
  }

  /** Queues an event but its time (setTime: a double passed to a small method stays unboxed); returns its arrival number. */
  add(cpu: number, task: number, name: number, line: number, kindAndKnown: number, fn: number, args: ArrayLike<number>, argValues: number): number {
    const i = this.count;
    if (i === this.capacity) this.grow(i + 1);
    this.cpu.data[i] = cpu;
    this.task.data[i] = task;
    this.name.data[i] = name;
    this.line.data[i] = line;
    this.kind.data[i] = kindAndKnown;
    this.fn.data[i] = fn;
    const from = this.args.length;
    const end = from + argValues;
    this.args.reserve(end);
    const data = this.args.data;
    for (let k = 0; k < argValues; k++) data[from + k] = args[k];
    this.args.length = end;
    this.argEnd.data[i] = end;
    this.count = i + 1;
    return i;
  }

  setTime(i: number, timeNs: number): void {
    this.time.data[i] = timeNs;
  }

  /** Sizes the columns at once for about `events` events with `argValues` argument ids in all (Growable.expect). */
  expect(events: number, argValues: number): void {
    for (const c of this.eventColumns()) c.expect(events);
    this.args.expect(argValues);
    this.settleCapacity();
  }

  private grow(n: number): void {
    for (const c of this.eventColumns()) c.reserve(n);
    this.settleCapacity();
  }

  /** The columns with one value per event, grown together (capacity: the room all of them have). */
  private eventColumns() {
    return [this.time, this.cpu, this.task, this.name, this.line, this.argEnd, this.kind, this.fn];
  }

  private settleCapacity(): void {
    this.capacity = Math.min(...this.eventColumns().map((c) => c.data.length));
  }
}
