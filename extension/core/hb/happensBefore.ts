// The happens-before relation (README.md, "The trace format in short"), as vector clocks.
//
// Every event keeps only a reference to its task's current clock (clocks.ts);
// a new one is made only where an incoming edge brings something the task did
// not know (the epoch shortcut: a task's own component is its event's `seq`,
// never stored). "a -> b?" is then one clock read.

import type { Diagnostic, Trace } from '../trace/model';
import { pidOf } from '../trace/model';
import { Growable } from '../trace/growable';
import { quote } from '../trace/scan';
import { EDGE_KINDS, collectTraceEdges, type EdgeKind } from './edges';
import { VectorClocks, computeClocks, firstIncoming, type ClockOptions } from './clocks';

export type { EdgeKind } from './edges';

/** A cross-task (or same-task) edge other than program order. */
export interface Edge {
  from: number;
  to: number;
  kind: EdgeKind;
  /** For lock edges the lock, for reads-from the slot, for uevents the disk, for task edges the child's pid, for module edges the module. */
  via: string;
}

/**
 * Everything a built HappensBefore holds, as plain data and int arrays, so the
 * worker that built it can hand it to the extension host (transfer.ts).
 */
export interface HappensBeforeState {
  diagnostics: Diagnostic[];
  /** Every task's events in program order, task after task (`taskStarts[t]` where task t's begin). */
  taskEvents: Int32Array;
  taskStarts: Int32Array;
  clockOf: Int32Array;
  clockPool: Int32Array;
  denseTaskLimit: number | undefined;
  edges: { from: Int32Array; to: Int32Array; kind: Int32Array; via: Int32Array; line: Int32Array; column: Int32Array };
  incomingEdges: Int32Array;
  incomingTo: Int32Array;
  positions: Int32Array | undefined;
}

export class HappensBefore {
  readonly diagnostics: Diagnostic[] = [];
  /** Per task, its events in program order. */
  readonly taskEvents: Int32Array[];
  private readonly taskCount: number;
  /** Per event, its clock in `clocks`. */
  private readonly clockOf: Int32Array;
  private readonly clocks: VectorClocks;
  /** The edges as parallel int columns: grown while collected, then exact typed arrays (sealEdges). */
  private edgeFrom: Int32Array = new Int32Array(0);
  private edgeTo: Int32Array = new Int32Array(0);
  private edgeKind: Int32Array = new Int32Array(0);
  private edgeVia: Int32Array = new Int32Array(0);
  /** Where a declared edge was written (0 for the others), for diagnostics. */
  private edgeLine: Int32Array = new Int32Array(0);
  private edgeColumn: Int32Array = new Int32Array(0);
  private collecting: Growable<Int32Array>[] | undefined = Array.from({ length: 6 }, () => new Growable(Int32Array));
  /**
   * Edge indices sorted by target (stable), and their targets: an event's
   * incoming edges are found by binary search. (Few events have one; an index
   * per event cost 4 bytes an event.)
   */
  private incomingEdges!: Int32Array;
  private incomingTo!: Int32Array;
  /** The position of each event in the topological order, when that is not file order (`!hb` edges pointing backwards). */
  private readonly positions: Int32Array | undefined;
  private identityPositions: Int32Array | undefined;

  private readonly denseTaskLimit: number | undefined;

  /** Builds happens-before for `trace`, or (with `built`) takes a state built for this trace as is: nothing is recomputed. */
  constructor(readonly trace: Trace, clockOptions: ClockOptions = {}, built?: HappensBeforeState) {
    const n = trace.length;
    this.taskCount = trace.tasks.length;
    if (built) {
      this.denseTaskLimit = built.denseTaskLimit;
      this.diagnostics = built.diagnostics;
      this.taskEvents = Array.from({ length: this.taskCount }, (_, t) => built.taskEvents.subarray(built.taskStarts[t], built.taskStarts[t + 1]));
      const e = built.edges;
      [this.edgeFrom, this.edgeTo, this.edgeKind, this.edgeVia, this.edgeLine, this.edgeColumn] = [e.from, e.to, e.kind, e.via, e.line, e.column];
      this.collecting = undefined;
      this.incomingEdges = built.incomingEdges;
      this.incomingTo = built.incomingTo;
      this.positions = built.positions;
      this.clockOf = built.clockOf;
      this.clocks = VectorClocks.restore(this.taskCount, built.clockPool, { denseTaskLimit: built.denseTaskLimit });
      return;
    }
    this.denseTaskLimit = clockOptions.denseTaskLimit;
    this.taskEvents = this.groupByTask();
    collectTraceEdges(trace, this.taskEvents, (from, to, kind, via) => this.addEdge(from, to, kind, via));
    this.collectDeclaredEdges();
    this.sealEdges();
    this.indexIncoming();
    // In file order (the usual case) an event's position is its index, and no array says so.
    const order = this.topologicalOrder();
    if (order && !isIdentity(order)) {
      this.positions = new Int32Array(n);
      for (let p = 0; p < n; p++) this.positions[order[p]] = p;
    }
    const edges = { from: this.edgeFrom, incoming: this.incomingEdges, incomingTo: this.incomingTo };
    ({ clockOf: this.clockOf, clocks: this.clocks } = computeClocks(trace, this.positions ? order : undefined, edges, clockOptions));
  }

  /** The state to rebuild this relation elsewhere with `new HappensBefore(trace, {}, state)` (its arrays are shared, not copied). */
  state(): HappensBeforeState {
    const taskStarts = new Int32Array(this.taskCount + 1);
    for (let t = 0; t < this.taskCount; t++) taskStarts[t + 1] = taskStarts[t] + this.taskEvents[t].length;
    const taskEvents = new Int32Array(taskStarts[this.taskCount]);
    this.taskEvents.forEach((events, t) => taskEvents.set(events, taskStarts[t]));
    return {
      diagnostics: this.diagnostics,
      taskEvents,
      taskStarts,
      clockOf: this.clockOf,
      clockPool: this.clocks.storage,
      denseTaskLimit: this.denseTaskLimit,
      edges: { from: this.edgeFrom, to: this.edgeTo, kind: this.edgeKind, via: this.edgeVia, line: this.edgeLine, column: this.edgeColumn },
      incomingEdges: this.incomingEdges,
      incomingTo: this.incomingTo,
      positions: this.positions,
    };
  }

  /** The position of `event` in a topological order (file order unless `!hb` edges point backwards). */
  positionOf(event: number): number {
    return this.positions ? this.positions[event] : event;
  }

  /** Every event's position (see positionOf), as an array made on first use. */
  get position(): Int32Array {
    if (this.positions) return this.positions;
    if (!this.identityPositions) {
      this.identityPositions = new Int32Array(this.trace.length);
      for (let i = 0; i < this.identityPositions.length; i++) this.identityPositions[i] = i;
    }
    return this.identityPositions;
  }

  /** Bytes the vector clocks occupy (their storage plus one reference per event). */
  get clockBytes(): number {
    return this.clocks.bytes + this.clockOf.byteLength;
  }

  /** a -> b: a happens before b (irreflexive). */
  happensBefore(a: number, b: number): boolean {
    if (a === b) return false;
    const ta = this.trace.task[a];
    return this.component(b, ta) >= this.trace.seq[a] && (ta !== this.trace.task[b] || this.trace.seq[a] < this.trace.seq[b]);
  }

  concurrent(a: number, b: number): boolean {
    return a !== b && !this.happensBefore(a, b) && !this.happensBefore(b, a);
  }

  /** The number of `task`'s events that happen before or at `event` (vector clock component). */
  component(event: number, task: number): number {
    if (this.trace.task[event] === task) return this.trace.seq[event];
    return this.clocks.get(this.clockOf[event], task);
  }

  /** The last event of `task` that happens before `event`, or -1. */
  lastBefore(event: number, task: number): number {
    const events = this.taskEvents[task];
    const k = this.trace.task[event] === task ? this.trace.seq[event] - 1 : this.component(event, task);
    return k > 0 ? events[k - 1] : -1;
  }

  /** The first event of `task` that `event` happens before, or -1. */
  firstAfter(event: number, task: number): number {
    const events = this.taskEvents[task];
    if (this.trace.task[event] === task) return this.trace.seq[event] < events.length ? events[this.trace.seq[event]] : -1;
    const t = this.trace.task[event];
    const s = this.trace.seq[event];
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.component(events[mid], t) >= s) hi = mid;
      else lo = mid + 1;
    }
    return lo < events.length ? events[lo] : -1;
  }

  /** The events of `task` concurrent with `event` (inclusive range of event indices), or undefined when none is. */
  concurrentRange(event: number, task: number): { from: number; to: number } | undefined {
    if (this.trace.task[event] === task) return undefined;
    const events = this.taskEvents[task];
    const before = this.component(event, task);
    const after = this.firstAfter(event, task);
    const lastIdx = after < 0 ? events.length - 1 : this.trace.seq[after] - 2;
    return before <= lastIdx ? { from: events[before], to: events[lastIdx] } : undefined;
  }

  /** The edges (other than program order) that end at `event`. */
  incoming(event: number): Edge[] {
    const out: Edge[] = [];
    for (let k = firstIncoming(this.incomingTo, event); k < this.incomingTo.length && this.incomingTo[k] === event; k++) out.push(this.edge(this.incomingEdges[k]));
    return out;
  }

  get edgeCount(): number {
    return this.edgeFrom.length;
  }

  edge(k: number): Edge {
    return { from: this.edgeFrom[k], to: this.edgeTo[k], kind: EDGE_KINDS[this.edgeKind[k]], via: this.trace.strings.get(this.edgeVia[k]) };
  }

  private groupByTask(): Int32Array[] {
    const { trace } = this;
    const counts = new Int32Array(this.taskCount);
    for (let i = 0; i < trace.length; i++) counts[trace.task[i]]++;
    const lists = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(this.taskCount);
    for (let i = 0; i < trace.length; i++) lists[trace.task[i]][fill[trace.task[i]]++] = i;
    return lists;
  }

  private addEdge(from: number, to: number, kind: EdgeKind, via: number, line = 0, column = 0): void {
    const [f, t, k, v, l, c] = this.collecting as Growable<Int32Array>[];
    f.push(from);
    t.push(to);
    k.push(EDGE_KINDS.indexOf(kind));
    v.push(via);
    l.push(line);
    c.push(column);
  }

  /** All edges are collected: their columns become exact typed arrays. */
  private sealEdges(): void {
    const [f, t, k, v, l, c] = (this.collecting as Growable<Int32Array>[]).map((g) => g.finish());
    [this.edgeFrom, this.edgeTo, this.edgeKind, this.edgeVia, this.edgeLine, this.edgeColumn] = [f, t, k, v, l, c];
    this.collecting = undefined;
  }

  /**
   * `!hb` directives (and recorded flows): resolved from task and seq to events.
   * A task is named by its pid, whatever comm the directive writes. An edge from
   * an event to itself is reported and dropped here, so it never looks like a cycle.
   */
  private collectDeclaredEdges(): void {
    const { trace } = this;
    const taskByName = new Map(trace.tasks.map((t, i) => [t.name, i]));
    const taskByPid = new Map(trace.tasks.map((t, i) => [t.pid, i]));
    const resolve = (name: string, seq: number, line: number, column: number): number => {
      const task = taskByName.get(name) ?? taskByPid.get(pidOf(name));
      if (task === undefined) {
        this.diagnostics.push({ line, column, message: `!hb names task ${quote(name)}, which has no event in the trace`, severity: 'error' });
        return -1;
      }
      if (seq < 1 || seq > this.taskEvents[task].length) {
        this.diagnostics.push({ line, column, message: `!hb: task ${quote(name)} has ${this.taskEvents[task].length} events, not ${seq}`, severity: 'error' });
        return -1;
      }
      return this.taskEvents[task][seq - 1];
    };
    const via = trace.strings.intern('!hb');
    for (const d of trace.declaredEdges) {
      const from = resolve(d.fromTask, d.fromSeq, d.line, d.column);
      const to = resolve(d.toTask, d.toSeq, d.line, d.column);
      if (from >= 0 && from === to) {
        this.diagnostics.push({ line: d.line, column: d.column, message: '!hb edge from an event to itself orders nothing; ignored', severity: 'error' });
      } else if (from >= 0 && to >= 0) {
        this.addEdge(from, to, 'declared', via, d.line, d.column);
      }
    }
  }

  /** Sorts the edges by target (a stable sort; they are collected almost in target order, so usually there is nothing to move). */
  private indexIncoming(): void {
    const to = this.edgeTo;
    const m = to.length;
    const incoming = new Int32Array(m);
    for (let k = 0; k < m; k++) incoming[k] = k;
    let sorted = true;
    for (let k = 1; k < m && sorted; k++) sorted = to[k - 1] <= to[k];
    if (!sorted) incoming.sort((a, b) => to[a] - to[b] || a - b);
    this.incomingEdges = incoming;
    this.incomingTo = Int32Array.from(incoming, (k) => to[k]);
  }

  /**
   * Analysis order is a topological order unless a declared edge points backwards;
   * then Kahn's algorithm finds one, and declared edges on a cycle are reported and dropped.
   */
  private topologicalOrder(): Int32Array | undefined {
    const n = this.trace.length;
    if (this.edgeFrom.every((from, k) => from < this.edgeTo[k])) return undefined;
    for (;;) {
      const order = this.kahn();
      if (order.length === n) return order;
      // Events left over sit on a cycle. Edges that point forward in the file cannot close one,
      // so drop the backward declared edges into those events and try again.
      const placed = new Uint8Array(n);
      for (const e of order) placed[e] = 1;
      let progress = false;
      this.edgeFrom.forEach((_, k) => {
        if (this.edgeFrom[k] > this.edgeTo[k] && !placed[this.edgeTo[k]]) {
          const message = '!hb edge closes a cycle in happens-before; ignored';
          this.diagnostics.push({ line: this.edgeLine[k], column: this.edgeColumn[k], message, severity: 'error' });
          this.edgeVia[k] = -1;
          progress = true;
        }
      });
      if (!progress) return undefined;
      this.dropRemovedEdges();
    }
  }

  private kahn(): Int32Array {
    const { trace } = this;
    const n = trace.length;
    const indegree = new Int32Array(n);
    for (let i = 0; i < n; i++) indegree[i] = trace.seq[i] > 1 ? 1 : 0;
    for (const to of this.edgeTo) indegree[to]++;
    const outgoing: number[][] = Array.from({ length: n }, () => []);
    this.edgeFrom.forEach((from, k) => outgoing[from].push(this.edgeTo[k]));
    const order = new Int32Array(n);
    let count = 0;
    const ready: number[] = [];
    for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
    for (let head = 0; head < ready.length; head++) {
      const e = ready[head];
      order[count++] = e;
      const next = trace.seq[e] < this.taskEvents[trace.task[e]].length ? this.taskEvents[trace.task[e]][trace.seq[e]] : -1;
      for (const to of next >= 0 ? [next, ...outgoing[e]] : outgoing[e]) if (--indegree[to] === 0) ready.push(to);
    }
    return order.subarray(0, count);
  }

  private dropRemovedEdges(): void {
    const kept: number[] = [];
    for (let k = 0; k < this.edgeVia.length; k++) if (this.edgeVia[k] >= 0) kept.push(k);
    const keep = (column: Int32Array) => Int32Array.from(kept, (k) => column[k]);
    [this.edgeFrom, this.edgeTo, this.edgeKind, this.edgeVia, this.edgeLine, this.edgeColumn] = [
      keep(this.edgeFrom), keep(this.edgeTo), keep(this.edgeKind), keep(this.edgeVia), keep(this.edgeLine), keep(this.edgeColumn),
    ];
    this.indexIncoming();
  }
}

function isIdentity(order: Int32Array): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}
