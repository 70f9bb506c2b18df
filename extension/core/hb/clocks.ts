// The vector clocks of happens-before: one per event, in shared storage.
//
// A clock is a persistent trie over task ids: interior nodes of 16 child
// offsets, leaves of 16 components. A join copies only the paths to the
// components it raises and reuses every subtree one side already dominates,
// so a task that learns one new fact costs one path (levels x 16 ints), not a
// row of `tasks` ints. Up to DENSE_TASK_LIMIT tasks the trie is a single leaf
// as wide as the task count: a flat row, one read per component.
//
// Node 0 is all zeros and stands for the zero subtree at every level (its
// entries, read as child offsets, point back at itself): the clock that knows
// nothing is 0, and a component of an unknown task reads 0 with no branch.
//
// Only nodes made while computing the current event's clock are written in
// place; every earlier node is shared and never changes.
//
// Flat rows hold components only, so while no task has more than 65,535
// events they are 16-bit (half the bytes); trie nodes hold offsets and stay 32-bit.

import type { Trace } from '../trace/model';
import { Growable, type NarrowInts } from '../trace/growable';
import { firstIncoming } from './edgeList';

const FANOUT_BITS = 4;
const FANOUT = 1 << FANOUT_BITS;
const MASK = FANOUT - 1;

/** Up to this many tasks a clock is one flat row (see the top of this file). */
export const DENSE_TASK_LIMIT = 64;

/** The most address space a flat-row store reserves up front (see VectorClocks.constructor). */
const PREALLOCATION_BYTES = 1 << 30;

export interface ClockOptions {
  /** Flat rows up to this many tasks, tries above (tests lower it to exercise the tries on small traces). */
  denseTaskLimit?: number;
}

/** Clock storage: 16-bit flat rows, or 32-bit (wider rows, and trie nodes). */
export type ClockPool = Int32Array | Uint16Array;

/** The largest component 16-bit rows hold. */
const NARROW_LIMIT = 0xffff;

export class VectorClocks {
  /** Interior levels above the leaves (0: a clock is one flat row). */
  readonly levels: number;
  private readonly leafWidth: number;
  /** `task & leafMask` is the task's index in its leaf. */
  private readonly leafMask: number;
  private readonly topShift: number;
  private pool: ClockPool;
  private used: number;
  private readonly growable: Growable<Int32Array> | Growable<Uint16Array> | undefined;
  /** Nodes at or above this offset belong to the clock being computed and may be written in place. */
  private mark = 0;
  /** Per interior level, the children of the node being merged. */
  private readonly scratch: Int32Array[];

  /**
   * `joins` bounds the joins that may make a node (the cross-task edges). With
   * flat rows each makes at most one row, so the pool is allocated at that bound
   * when it fits: a large zero-filled array is only address space until written
   * (fresh zero pages), which spares the copy a growing array makes at the end.
   * Tries, and flat rows beyond the bound's budget, grow instead. `largest`
   * bounds every component (the most events a task has).
   */
  constructor(readonly taskCount: number, joins: number, options: ClockOptions = {}, largest = Infinity) {
    const dense = taskCount <= (options.denseTaskLimit ?? DENSE_TASK_LIMIT);
    const narrow = dense && largest <= NARROW_LIMIT;
    let levels = 0;
    if (!dense) while (FANOUT ** (levels + 1) < taskCount) levels++;
    this.levels = levels;
    this.leafWidth = dense ? Math.max(taskCount, 1) : FANOUT;
    this.leafMask = dense ? 0x7fffffff : MASK;
    this.topShift = levels * FANOUT_BITS;
    this.scratch = Array.from({ length: levels + 1 }, () => new Int32Array(FANOUT));
    const bound = (joins + 1) * this.leafWidth;
    if (dense && bound * 4 <= PREALLOCATION_BYTES) {
      this.pool = narrow ? new Uint16Array(bound) : new Int32Array(bound);
      this.growable = undefined;
    } else {
      this.growable = narrow ? new Growable(Uint16Array) : new Growable(Int32Array);
      this.growable.reserve(this.leafWidth);
      this.pool = this.growable.data;
    }
    this.used = this.leafWidth; // node 0, all zeros
  }

  /** Clocks computed elsewhere (their `storage` after finish()), for reading only. */
  static restore(taskCount: number, storage: ClockPool, options: ClockOptions = {}): VectorClocks {
    const clocks = new VectorClocks(taskCount, 0, options, storage instanceof Uint16Array ? 0 : Infinity);
    clocks.pool = storage;
    clocks.used = storage.length;
    return clocks;
  }

  /** The nodes, once computation is over (see restore). */
  get storage(): ClockPool {
    return this.pool;
  }

  /** The number of `task`'s events that `clock` knows. */
  get(clock: number, task: number): number {
    const pool = this.pool;
    let node = clock;
    for (let shift = this.topShift; shift > 0; shift -= FANOUT_BITS) node = pool[node + ((task >>> shift) & MASK)];
    return pool[node + (task & this.leafMask)];
  }

  /** Bytes of clock storage in use. */
  get bytes(): number {
    return this.used * this.pool.BYTES_PER_ELEMENT;
  }

  /** Starts the clock of a new event: nodes made from here on are its own until the next call. */
  begin(): void {
    this.mark = this.used;
  }

  /**
   * `clock` joined with `src` (the clock of an event of `srcTask`, which knows
   * `srcSeq` of that task's events itself): the same clock when it knows all of
   * that already. Components of `own` (the task whose clock this is) are not
   * compared: a task's own component is its event's seq, never read from here.
   */
  join(clock: number, src: number, srcTask: number, srcSeq: number, own: number): number {
    return this.raised(this.merge(clock, src, this.topShift, 0, own), srcTask, srcSeq);
  }

  /** `clock` with `task`'s component at least `value` (the same clock when it already is). */
  raised(clock: number, task: number, value: number): number {
    return this.raise(clock, this.topShift, task, value);
  }

  /** Computation is over: the pool shrinks to what is used. */
  finish(): void {
    if (this.growable) {
      this.growable.length = this.used;
      this.pool = this.growable.finish();
    } else {
      // Preallocated: the untouched tail was never committed, so a view costs no memory.
      this.pool = this.pool.subarray(0, this.used);
    }
  }

  /** The pointwise max of two nodes at `shift` covering tasks from `base`, reusing either when it dominates. */
  private merge(x: number, y: number, shift: number, base: number, own: number): number {
    if (x === y || y === 0) return x;
    if (x === 0) return y;
    if (shift === 0) return this.mergeLeaves(x, y, base, own);
    const kids = this.scratch[shift / FANOUT_BITS];
    const childShift = shift - FANOUT_BITS;
    let isX = true;
    let isY = true;
    for (let i = 0; i < FANOUT; i++) {
      const a = this.pool[x + i];
      const b = this.pool[y + i];
      const c = this.merge(a, b, childShift, base + (i << shift), own);
      kids[i] = c;
      if (c !== a) isX = false;
      if (c !== b) isY = false;
    }
    if (isX) return x;
    if (isY) return y;
    const out = this.alloc(FANOUT);
    (this.pool as Int32Array).set(kids, out);
    return out;
  }

  /**
   * The pointwise max of leaves `x` and `y` (their entries from task `base`), reusing either when it
   * knows all the other does (`own`'s entry is not compared). The max is written where a new leaf goes
   * while the entries are compared, and that leaf is given back when one side is reused: one pass, and
   * no branch on the entries, which no processor predicts.
   */
  private mergeLeaves(x: number, y: number, base: number, own: number): number {
    const w = this.leafWidth;
    const out = this.alloc(w);
    const p = this.pool;
    const skip = own - base;
    let misses: number;
    if (skip >= 0 && skip < w) {
      misses = maxOf(p, x, y, out, 0, skip) | maxOf(p, x, y, out, skip + 1, w);
      p[out + skip] = Math.max(p[x + skip], p[y + skip]);
    } else {
      misses = maxOf(p, x, y, out, 0, w);
    }
    if ((misses & X_MISSES) === 0 || (misses & Y_MISSES) === 0) {
      this.used = out;
      return (misses & X_MISSES) === 0 ? x : y;
    }
    return out;
  }

  /** `node` with `task`'s component at least `value`: copies the path unless it is already so, or the node is fresh. */
  private raise(node: number, shift: number, task: number, value: number): number {
    if (shift === 0) {
      const i = task & this.leafMask;
      if (this.pool[node + i] >= value) return node;
      const out = node >= this.mark ? node : this.copy(node, this.leafWidth);
      this.pool[out + i] = value;
      return out;
    }
    const slot = (task >>> shift) & MASK;
    const child = this.pool[node + slot];
    const c = this.raise(child, shift - FANOUT_BITS, task, value);
    if (c === child) return node;
    const out = node >= this.mark ? node : this.copy(node, FANOUT);
    this.pool[out + slot] = c;
    return out;
  }

  private copy(node: number, width: number): number {
    const out = this.alloc(width);
    this.pool.copyWithin(out, node, node + width);
    return out;
  }

  private alloc(width: number): number {
    const out = this.used;
    this.used += width;
    if (this.used > this.pool.length) {
      if (!this.growable) throw new Error('clock pool bound exceeded');
      this.growable.length = out;
      this.growable.reserve(this.used);
      this.pool = this.growable.data;
    }
    return out;
  }
}

/** maxOf's answer, as bits: an entry of x is below y's, an entry of y is below x's. */
const X_MISSES = 1;
const Y_MISSES = 2;

/**
 * Entries [from, to) of leaves x and y: their max into leaf `out`; returns which side misses something
 * (X_MISSES, Y_MISSES). Entries are counts below 2^31, so a difference's sign bit says which is larger.
 */
function maxOf(p: ClockPool, x: number, y: number, out: number, from: number, to: number): number {
  let xBelow = 0;
  let yBelow = 0;
  for (let i = from; i < to; i++) {
    const a = p[x + i];
    const d = a - p[y + i];
    xBelow |= d;
    yBelow |= -d;
    p[out + i] = a - (d & (d >> 31));
  }
  return (xBelow >>> 31) | ((yBelow >>> 31) << 1);
}

/**
 * The clock of every event, in runs: a task's clock changes only at events
 * with incoming edges, so its events in program order share a few clocks.
 * Position `q` is an event's place in every task's events concatenated (task
 * after task, see HappensBefore.taskStarts); `clock(q)` reads the clock of its
 * run from the run of its block of 128 positions plus one byte per position
 * (1 byte an event, not 4).
 */
export class ClockRuns {
  constructor(
    /** The clock of each run, in position order. */
    readonly clocks: Int32Array,
    /** Per block of RUN_BLOCK positions, the run its first position is in. */
    readonly blockRun: Int32Array,
    /** Per position, its run less that of its block's first position. */
    readonly step: Uint8Array,
  ) {}

  /** The clock of the event at position `q`. */
  clock(q: number): number {
    return this.clocks[this.blockRun[q >>> RUN_BLOCK_BITS] + this.step[q]];
  }

  get bytes(): number {
    return this.clocks.byteLength + this.blockRun.byteLength + this.step.byteLength;
  }
}

/** Marks positions [q, end) as run `run`'s, block by block (ClockRuns). */
function layRun(run: number, q: number, end: number, blockRun: Int32Array, step: Uint8Array): void {
  while (q < end) {
    const block = q >>> RUN_BLOCK_BITS;
    if ((q & (RUN_BLOCK - 1)) === 0) blockRun[block] = run;
    const blockEnd = Math.min(end, (block + 1) << RUN_BLOCK_BITS);
    step.fill(run - blockRun[block], q, blockEnd);
    q = blockEnd;
  }
}

const RUN_BLOCK_BITS = 7;
/** Positions a block: a block's runs less one fit a byte. */
const RUN_BLOCK = 1 << RUN_BLOCK_BITS;

/**
 * Every task's runs while they are made: task t's are `count[t]` entries from
 * `base[t]` (room for one per incoming edge, plus its first), each the
 * position it starts at (see ClockRuns; `starts[t]` is task t's first) and its clock.
 */
class TaskRuns {
  readonly base: Int32Array;
  readonly count: Int32Array;
  readonly position: Int32Array;
  readonly clock: Int32Array;

  constructor(incomingPerTask: Int32Array, private readonly starts: Int32Array) {
    const tasks = incomingPerTask.length;
    this.base = new Int32Array(tasks + 1);
    for (let t = 0; t < tasks; t++) this.base[t + 1] = this.base[t] + incomingPerTask[t] + 1;
    this.count = new Int32Array(tasks).fill(1);
    this.position = new Int32Array(this.base[tasks]);
    this.clock = new Int32Array(this.base[tasks]);
    for (let t = 0; t < tasks; t++) this.position[this.base[t]] = starts[t];
  }

  /** The clock of task t's event number `seq`: its latest run's (the usual case, a hand-off from the task's newest event), else a search. */
  clockAt(t: number, seq: number): number {
    const q = this.starts[t] + seq - 1;
    let lo = this.base[t];
    let hi = lo + this.count[t] - 1;
    if (this.position[hi] <= q) return this.clock[hi];
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.position[mid] <= q) lo = mid;
      else hi = mid - 1;
    }
    return this.clock[lo];
  }

  /** Task t's clock from its event `seq` on is `clock`. */
  start(t: number, seq: number, clock: number): void {
    // A task's first event replaces the run it starts with, so that no run is empty.
    const r = seq === 1 ? this.base[t] : this.base[t] + this.count[t]++;
    this.position[r] = this.starts[t] + seq - 1;
    this.clock[r] = clock;
  }

  /** The runs by position. */
  finish(): ClockRuns {
    const { starts } = this;
    const tasks = this.count.length;
    let total = 0;
    for (let t = 0; t < tasks; t++) if (starts[t + 1] > starts[t]) total += this.count[t];
    // Every task's runs one after the other (a task with no event has none), so that a run ends where the
    // next begins: a loop with no branch at a task's last run (in a cold process, a branch first taken
    // after its loop was compiled throws the compiled loop away).
    const runStarts = new Int32Array(total + 1);
    const clocks = new Int32Array(total);
    let at = 0;
    for (let t = 0; t < tasks; t++) {
      if (starts[t + 1] === starts[t]) continue;
      const from = this.base[t];
      const to = from + this.count[t];
      runStarts.set(this.position.subarray(from, to), at);
      clocks.set(this.clock.subarray(from, to), at);
      at = at + to - from;
    }
    const n = starts[tasks];
    runStarts[total] = n;
    const blockRun = new Int32Array((n + RUN_BLOCK - 1) >>> RUN_BLOCK_BITS);
    const step = new Uint8Array(n);
    layRuns(runStarts, blockRun, step);
    return new ClockRuns(clocks, blockRun, step);
  }
}

/** Marks each run's positions (run r's from `runStarts[r]` up to the next run's start) in ClockRuns' arrays. */
function layRuns(runStarts: Int32Array, blockRun: Int32Array, step: Uint8Array): void {
  for (let run = 0; run + 1 < runStarts.length; run++) layRun(run, runStarts[run], runStarts[run + 1], blockRun, step);
}

/**
 * Joins each event's incoming edges into its task's clock. (Its loops are
 * methods of their own: in a cold process a loop compiled while it runs would
 * otherwise be thrown away at the first code after it that had not run yet.)
 */
class EdgeJoins {
  /** Per task, its latest clock, and the seq of the event that made it. */
  private readonly current: Int32Array;
  private readonly madeAt: Int32Array;

  constructor(
    private readonly trace: Trace,
    private readonly edges: { from: Int32Array; to: Int32Array; byTarget: Int32Array | undefined },
    private readonly clocks: VectorClocks,
    private readonly runs: TaskRuns,
  ) {
    this.current = new Int32Array(trace.tasks.length);
    this.madeAt = new Int32Array(trace.tasks.length);
  }

  /** Every event with incoming edges, in file order. */
  inFileOrder(): void {
    const { to, byTarget } = this.edges;
    for (let k = 0; k < to.length; ) k = this.visit(to[byTarget ? byTarget[k] : k], k);
  }

  /** Every event with incoming edges, in topological `order`. */
  inOrder(order: Int32Array): void {
    const { to, byTarget } = this.edges;
    for (let p = 0; p < order.length; p++) {
      const e = order[p];
      const k = firstIncoming(to, byTarget, e);
      if (k < to.length && to[byTarget ? byTarget[k] : k] === e) this.visit(e, k);
    }
  }

  /** Joins the edges into `e` (from place `k` in target order on); returns the place after them. */
  private visit(e: number, k: number): number {
    const { task, seq } = this.trace;
    const { from, to, byTarget } = this.edges;
    const { clocks, current, madeAt } = this;
    const m = to.length;
    const t = task[e];
    let clock = current[t];
    clocks.begin();
    for (let edge = byTarget ? byTarget[k] : k; to[edge] === e; edge = byTarget ? byTarget[k] : k) {
      const src = from[edge];
      const ts = task[src];
      // Already knowing src means already knowing everything src knew.
      if (ts !== t && clocks.get(clock, ts) < seq[src]) {
        const srcClock = this.runs.clockAt(ts, seq[src]);
        // Likewise, when src knew the event our clock was made at (the usual hand-off), src's clock holds all of ours.
        const knowsUs = clock === current[t] && clocks.get(srcClock, t) >= madeAt[t];
        clock = knowsUs ? clocks.raised(srcClock, ts, seq[src]) : clocks.join(clock, srcClock, ts, seq[src], t);
      }
      if (++k === m) break;
    }
    if (clock !== current[t]) {
      current[t] = clock;
      madeAt[t] = seq[e];
      this.runs.start(t, seq[e], clock);
    }
    return k;
  }
}

/**
 * The clock of every event. Only an event with incoming edges can change its
 * task's clock, so only those are visited, in topological `order` (file order
 * when absent): each starts from its task's latest clock and joins the clock of
 * each cross-task edge's source. The edges are visited by target (`byTarget`,
 * or their own order when absent); `starts[t]` is where task t's events begin
 * among every task's events in program order.
 */
export function computeClocks(
  trace: Trace,
  order: Int32Array | undefined,
  edges: { from: Int32Array; to: Int32Array; byTarget: Int32Array | undefined },
  starts: Int32Array,
  options: ClockOptions = {},
): { runs: ClockRuns; clocks: VectorClocks } {
  const taskCount = trace.tasks.length;
  const incomingPerTask = new Int32Array(taskCount);
  const crossTask = countIncoming(trace.task, edges, incomingPerTask);
  let largest = 0;
  for (let t = 0; t < taskCount; t++) largest = Math.max(largest, starts[t + 1] - starts[t]);
  const clocks = new VectorClocks(taskCount, crossTask, options, largest);
  const runs = new TaskRuns(incomingPerTask, starts);
  const joins = new EdgeJoins(trace, edges, clocks, runs);
  if (order) joins.inOrder(order);
  else joins.inFileOrder();
  clocks.finish();
  return { runs: runs.finish(), clocks };
}

/** Counts the edges into each task's events into `perTask`; returns how many edges cross tasks. */
function countIncoming(task: NarrowInts, edges: { from: Int32Array; to: Int32Array }, perTask: Int32Array): number {
  const { from, to } = edges;
  let crossTask = 0;
  for (let k = 0; k < to.length; k++) {
    const t = task[to[k]];
    perTask[t]++;
    if (task[from[k]] !== t) crossTask++;
  }
  return crossTask;
}
