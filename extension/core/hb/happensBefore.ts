// The happens-before relation (README.md, "The trace format in short"), as vector clocks.
//
// Every event keeps only a reference to its task's current clock (clocks.ts);
// a new one is made only where an incoming edge brings something the task did
// not know (the epoch shortcut: a task's own component is its event's `seq`,
// never stored). "a -> b?" is then one clock read.

import type { Diagnostic, Trace } from '../trace/model';
import { pidOf } from '../trace/model';
import { quote } from '../trace/scan';
import { eventLists } from '../eventLists';
import { EDGE_KINDS, collectTraceEdges, slotOf, type EdgeKind } from './edges';
import { EdgeCollector, firstIncoming, sortByTarget, type EdgeColumns } from './edgeList';
import { ClockRuns, VectorClocks, computeClocks, type ClockOptions, type ClockPool } from './clocks';

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
 * Everything a built HappensBefore holds, as plain data and typed arrays, so the
 * worker that built it can hand it to the extension host (transfer.ts).
 */
export interface HappensBeforeState {
  diagnostics: Diagnostic[];
  /** Every task's events in program order, task after task (`taskStarts[t]` where task t's begin). */
  taskEvents: Int32Array;
  taskStarts: Int32Array;
  clockPool: ClockPool;
  clockRuns: { clocks: Int32Array; blockRun: Int32Array; step: Uint8Array };
  denseTaskLimit: number | undefined;
  edges: EdgeColumns;
  /** Where each `!hb` edge was written: the edges from `declaredStart` on are those. */
  declared: { start: number; line: Int32Array; column: Int32Array };
  incomingOrder: Int32Array | undefined;
  positions: Int32Array | undefined;
}

export class HappensBefore {
  readonly diagnostics: Diagnostic[] = [];
  /** Per task, its events in program order (views on `taskOrder`). */
  readonly taskEvents: Int32Array[];
  /** Every task's events in program order, task after task; task t's from `taskStarts[t]`. */
  private readonly taskOrder: Int32Array;
  private readonly taskStarts: Int32Array;
  private readonly taskCount: number;
  /** The clock of each event, by its place in `taskOrder`. */
  private readonly runs: ClockRuns;
  private readonly clocks: VectorClocks;
  private edges: EdgeColumns;
  /** The `!hb` edges are the last ones, from `declared.start`; where each was written, for diagnostics. */
  private declared: { start: number; line: Int32Array; column: Int32Array };
  /**
   * The edge indices by target (stable), when the edges are not already in
   * that order: an event's incoming edges are found by binary search. (Few
   * events have one; an index per event cost 4 bytes an event.)
   */
  private incomingOrder: Int32Array | undefined;
  /** The position of each event in the topological order, when that is not file order (`!hb` edges pointing backwards). */
  private readonly positions: Int32Array | undefined;
  private identityPositions: Int32Array | undefined;

  private readonly denseTaskLimit: number | undefined;

  /** Builds happens-before for `trace`, or (with `built`) takes a state built for this trace as is: nothing is recomputed. */
  constructor(readonly trace: Trace, clockOptions: ClockOptions = {}, built?: HappensBeforeState) {
    this.taskCount = trace.tasks.length;
    if (built) {
      this.denseTaskLimit = built.denseTaskLimit;
      this.diagnostics = built.diagnostics;
      this.taskOrder = built.taskEvents;
      this.taskStarts = built.taskStarts;
      this.taskEvents = this.taskViews();
      this.edges = built.edges;
      this.declared = built.declared;
      this.incomingOrder = built.incomingOrder;
      this.positions = built.positions;
      const r = built.clockRuns;
      this.runs = new ClockRuns(r.clocks, r.blockRun, r.step);
      this.clocks = VectorClocks.restore(this.taskCount, built.clockPool, { denseTaskLimit: built.denseTaskLimit });
      return;
    }
    this.denseTaskLimit = clockOptions.denseTaskLimit;
    const lists = eventLists(trace);
    this.taskOrder = lists.taskOrder;
    this.taskStarts = lists.taskStarts;
    this.taskEvents = this.taskViews();
    // An event of the list makes at most one edge, or hands on at most one it was given (hb/edges.ts); each `!hb` one.
    const collector = new EdgeCollector(lists.edgeEvents.length + trace.declaredEdges.length);
    collectTraceEdges(trace, this.taskEvents, lists.edgeEvents, collector);
    this.declared = this.collectDeclaredEdges(collector);
    this.edges = collector.finish();
    this.incomingOrder = collector.inTargetOrder ? undefined : sortByTarget(this.edges.to);
    // In file order (the usual case) an event's position is its index, and no array says so.
    const order = collector.forward ? undefined : this.topologicalOrder();
    if (order && !isIdentity(order)) {
      this.positions = new Int32Array(trace.length);
      for (let p = 0; p < trace.length; p++) this.positions[order[p]] = p;
    }
    const edges = { from: this.edges.from, to: this.edges.to, byTarget: this.incomingOrder };
    ({ runs: this.runs, clocks: this.clocks } = computeClocks(trace, this.positions ? order : undefined, edges, this.taskStarts, clockOptions));
  }

  /** The state to rebuild this relation elsewhere with `new HappensBefore(trace, {}, state)` (its arrays are shared, not copied). */
  state(): HappensBeforeState {
    return {
      diagnostics: this.diagnostics,
      taskEvents: this.taskOrder,
      taskStarts: this.taskStarts,
      clockPool: this.clocks.storage,
      clockRuns: { clocks: this.runs.clocks, blockRun: this.runs.blockRun, step: this.runs.step },
      denseTaskLimit: this.denseTaskLimit,
      edges: this.edges,
      declared: this.declared,
      incomingOrder: this.incomingOrder,
      positions: this.positions,
    };
  }

  /** Whether analysis order differs from file order (`!hb` edges point backwards): see positionOf. */
  get reordered(): boolean {
    return this.positions !== undefined;
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

  /** Bytes the vector clocks occupy (their storage plus the runs that say which clock each event has). */
  get clockBytes(): number {
    return this.clocks.bytes + this.runs.bytes;
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
    const own = this.trace.task[event];
    if (own === task) return this.trace.seq[event];
    return this.clocks.get(this.runs.clock(this.taskStarts[own] + this.trace.seq[event] - 1), task);
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
    this.forEachEdgeInto(event, (k) => out.push(this.edge(k)));
    return out;
  }

  /** The events the edges of `kind` that end at `event` come from, in the order of `incoming`. */
  sourcesInto(event: number, kind: EdgeKind): number[] {
    const wanted = EDGE_KINDS.indexOf(kind);
    const out: number[] = [];
    const { from, kind: kinds } = this.edges;
    this.forEachEdgeInto(event, (k) => {
      if (kinds[k] === wanted) out.push(from[k]);
    });
    return out;
  }

  /** Calls `visit` with the index of each edge that ends at `event`, in the order they were collected. */
  private forEachEdgeInto(event: number, visit: (edge: number) => void): void {
    const { to } = this.edges;
    const byTarget = this.incomingOrder;
    for (let k = firstIncoming(to, byTarget, event); k < to.length; k++) {
      const edge = byTarget ? byTarget[k] : k;
      if (to[edge] !== event) break;
      visit(edge);
    }
  }

  get edgeCount(): number {
    return this.edges.from.length;
  }

  edge(k: number): Edge {
    const { from, to, kind, via } = this.edges;
    return { from: from[k], to: to[k], kind: EDGE_KINDS[kind[k]], via: via[k] >= 0 ? this.trace.strings.get(via[k]) : slotOf(this.trace, to[k]) };
  }

  private taskViews(): Int32Array[] {
    return Array.from({ length: this.taskCount }, (_, t) => this.taskOrder.subarray(this.taskStarts[t], this.taskStarts[t + 1]));
  }

  /**
   * `!hb` directives (and recorded flows): resolved from task and seq to events.
   * A task is named by its pid, whatever comm the directive writes. An edge from
   * an event to itself is reported and dropped here, so it never looks like a cycle.
   */
  private collectDeclaredEdges(edges: EdgeCollector): { start: number; line: Int32Array; column: Int32Array } {
    const { trace } = this;
    const start = edges.count;
    const lines: number[] = [];
    const columns: number[] = [];
    if (trace.declaredEdges.length === 0) return { start, line: new Int32Array(0), column: new Int32Array(0) };
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
    const declared = EDGE_KINDS.indexOf('declared');
    for (const d of trace.declaredEdges) {
      const from = resolve(d.fromTask, d.fromSeq, d.line, d.column);
      const to = resolve(d.toTask, d.toSeq, d.line, d.column);
      if (from >= 0 && from === to) {
        this.diagnostics.push({ line: d.line, column: d.column, message: '!hb edge from an event to itself orders nothing; ignored', severity: 'error' });
      } else if (from >= 0 && to >= 0) {
        edges.add(from, to, declared, via);
        lines.push(d.line);
        columns.push(d.column);
      }
    }
    return { start, line: Int32Array.from(lines), column: Int32Array.from(columns) };
  }

  /**
   * Analysis order is a topological order; when a declared edge points backwards
   * (the only case this is called in) Kahn's algorithm finds one, and declared edges on a
   * cycle are reported and dropped (undefined: file order is one after all).
   */
  private topologicalOrder(): Int32Array | undefined {
    const n = this.trace.length;
    for (;;) {
      const order = this.kahn();
      if (order.length === n) return order;
      // Events left over sit on a cycle. Edges that point forward in the file cannot close one,
      // so drop the backward declared edges into those events and try again (the trace's own point forward).
      const placed = new Uint8Array(n);
      for (const e of order) placed[e] = 1;
      const { from, to } = this.edges;
      const kept: number[] = [];
      for (let k = 0; k < from.length; k++) {
        if (k >= this.declared.start && from[k] > to[k] && !placed[to[k]]) {
          const d = k - this.declared.start;
          this.diagnostics.push({ line: this.declared.line[d], column: this.declared.column[d], message: '!hb edge closes a cycle in happens-before; ignored', severity: 'error' });
        } else {
          kept.push(k);
        }
      }
      if (kept.length === from.length) return undefined;
      this.keepEdges(kept);
    }
  }

  private kahn(): Int32Array {
    const { trace } = this;
    const n = trace.length;
    const { from, to } = this.edges;
    const indegree = new Int32Array(n);
    for (let i = 0; i < n; i++) indegree[i] = trace.seq[i] > 1 ? 1 : 0;
    for (const t of to) indegree[t]++;
    const outgoing: number[][] = Array.from({ length: n }, () => []);
    from.forEach((f, k) => outgoing[f].push(to[k]));
    const order = new Int32Array(n);
    let count = 0;
    const ready: number[] = [];
    for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
    for (let head = 0; head < ready.length; head++) {
      const e = ready[head];
      order[count++] = e;
      const next = trace.seq[e] < this.taskEvents[trace.task[e]].length ? this.taskEvents[trace.task[e]][trace.seq[e]] : -1;
      for (const t of next >= 0 ? [next, ...outgoing[e]] : outgoing[e]) if (--indegree[t] === 0) ready.push(t);
    }
    return order.subarray(0, count);
  }

  /** Keeps only the edges `kept` (ascending), and their declared positions. */
  private keepEdges(kept: number[]): void {
    const { from, to, kind, via } = this.edges;
    const { start, line, column } = this.declared;
    this.edges = { from: Int32Array.from(kept, (k) => from[k]), to: Int32Array.from(kept, (k) => to[k]), kind: Uint8Array.from(kept, (k) => kind[k]), via: Int32Array.from(kept, (k) => via[k]) };
    const declared = kept.filter((k) => k >= start);
    this.declared = { start: kept.length - declared.length, line: Int32Array.from(declared, (k) => line[k - start]), column: Int32Array.from(declared, (k) => column[k - start]) };
    this.incomingOrder = sortByTarget(this.edges.to);
  }
}

function isIdentity(order: Int32Array): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}
