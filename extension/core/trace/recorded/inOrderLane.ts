// A time-ordered format (bpftrace) is put in time order before the analysis,
// but its events mostly come in that order already. While they do, each is
// placed as it is read (call merger, then the trace's columns), as a
// file-ordered format's are, instead of being queued, sorted and replayed at
// the end: one copy of the events instead of three. The lane keeps what it
// takes to undo that: when an event comes that precedes events already placed,
// RecordedTrace takes every placed event back into the queue, as if it had
// been queued, and goes on queueing (RecordedTrace.leaveLane).

import { Growable } from '../growable';
import type { Kind } from './callMerger';

/** An event the call merger took while in the lane (it may wait, merge or be dropped there), as the queue would hold it. */
export interface HeldEvent {
  /** Its arrival number (file order among the events). */
  arrival: number;
  timeNs: number;
  cpu: number;
  /** Task key number. */
  key: number;
  name: number;
  line: number;
  args: number[];
  caller: string | undefined;
  kindAndKnown: number;
  fnId: number;
}

/** Function ids packed with an event's kind must fit 27 bits (a number-like function name's id does not: the lane is left). */
const MAX_FN_ID = 2 ** 27 - 2;

export class InOrderLane {
  /** Events taken so far: placed straight or held by the call merger. */
  arrivals = 0;
  /** Set when two task keys got one task (a pid printed two ways): the events no longer tell their key. */
  conflict = false;
  private last = -Infinity;
  /** Per event placed straight, in order: its kind, whether its name is known, its function id + 1 (kind | known << 3 | fnId + 1 << 4). */
  private readonly kinds = new Growable(Int32Array);
  private readonly held: HeldEvent[] = [];
  /** Indices of the trace's events the call merger placed (from held events), in order. */
  private readonly mergerIndices: number[] = [];
  /** Task id -> key number + 1 of the key that has it. */
  private readonly keyOfTask: number[] = [];

  /** May an event of this time and function be placed now (time order kept, nothing to undo that cannot be)? */
  inOrder(timeNs: number, fnId: number): boolean {
    return !this.conflict && timeNs >= this.last && fnId <= MAX_FN_ID;
  }

  /** The event inOrder() allowed is placed or held: its time is the lane's latest. */
  take(timeNs: number): void {
    this.last = timeNs;
    this.arrivals++;
  }

  /** The event taken last went straight to the trace. */
  placed(kind: Kind, known: boolean, fnId: number): void {
    this.kinds.push(kind | (known ? 8 : 0) | ((fnId + 1) << 4));
  }

  /** The event taken last went to the call merger. */
  hold(e: HeldEvent): void {
    this.held.push(e);
  }

  /** The call merger placed an event (a held one, or a merged pair of them) at `index`. */
  mergerPlaced(index: number): void {
    this.mergerIndices.push(index);
  }

  /** A task id was given to a key's first event placed. */
  claim(task: number, key: number): void {
    const owner = this.keyOfTask[task];
    if (owner === undefined) this.keyOfTask[task] = key + 1;
    else if (owner !== key + 1) this.conflict = true;
  }

  expect(events: number): void {
    this.kinds.expect(events);
  }

  /** What the lane kept, for RecordedTrace.leaveLane (the lane is done with afterwards). */
  takeBack(): { held: readonly HeldEvent[]; kinds: Int32Array; mergerIndices: readonly number[]; keyOfTask: readonly number[] } {
    return { held: this.held, kinds: this.kinds.data, mergerIndices: this.mergerIndices, keyOfTask: this.keyOfTask };
  }
}

/** Unpacks InOrderLane's kinds: kind | known << 3, and the function id. */
export function unpackKind(packed: number): { kindAndKnown: number; fnId: number } {
  return { kindAndKnown: packed & 15, fnId: (packed >> 4) - 1 };
}
