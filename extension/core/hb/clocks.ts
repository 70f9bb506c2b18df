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

import type { Trace } from '../trace/model';
import { Growable } from '../trace/growable';

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

export class VectorClocks {
  /** Interior levels above the leaves (0: a clock is one flat row). */
  readonly levels: number;
  private readonly leafWidth: number;
  /** `task & leafMask` is the task's index in its leaf. */
  private readonly leafMask: number;
  private readonly topShift: number;
  private pool: Int32Array;
  private used: number;
  private readonly growable: Growable<Int32Array> | undefined;
  /** Nodes at or above this offset belong to the clock being computed and may be written in place. */
  private mark = 0;
  /** Per interior level, the children of the node being merged. */
  private readonly scratch: Int32Array[];

  /**
   * `joins` bounds the joins that may make a node (the cross-task edges). With
   * flat rows each makes at most one row, so the pool is allocated at that bound
   * when it fits: a large zero-filled array is only address space until written
   * (fresh zero pages), which spares the copy a growing array makes at the end.
   * Tries, and flat rows beyond the bound's budget, grow instead.
   */
  constructor(readonly taskCount: number, joins: number, options: ClockOptions = {}) {
    const dense = taskCount <= (options.denseTaskLimit ?? DENSE_TASK_LIMIT);
    let levels = 0;
    if (!dense) while (FANOUT ** (levels + 1) < taskCount) levels++;
    this.levels = levels;
    this.leafWidth = dense ? Math.max(taskCount, 1) : FANOUT;
    this.leafMask = dense ? 0x7fffffff : MASK;
    this.topShift = levels * FANOUT_BITS;
    this.scratch = Array.from({ length: levels + 1 }, () => new Int32Array(FANOUT));
    const bound = (joins + 1) * this.leafWidth;
    if (dense && bound * 4 <= PREALLOCATION_BYTES) {
      this.pool = new Int32Array(bound);
      this.growable = undefined;
    } else {
      this.growable = new Growable(Int32Array);
      this.growable.reserve(this.leafWidth);
      this.pool = this.growable.data;
    }
    this.used = this.leafWidth; // node 0, all zeros
  }

  /** Clocks computed elsewhere (their `storage` after finish()), for reading only. */
  static restore(taskCount: number, storage: Int32Array, options: ClockOptions = {}): VectorClocks {
    const clocks = new VectorClocks(taskCount, 0, options);
    clocks.pool = storage;
    clocks.used = storage.length;
    return clocks;
  }

  /** The nodes, once computation is over (see restore). */
  get storage(): Int32Array {
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
    return this.used * 4;
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
      // Preallocated: the untouched tail was never committed, so a view costs nothing.
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
    this.pool.set(kids, out);
    return out;
  }

  private mergeLeaves(x: number, y: number, base: number, own: number): number {
    const w = this.leafWidth;
    const pool = this.pool;
    const skip = own - base;
    let xKnows = true;
    let yKnows = true;
    for (let i = 0; i < w; i++) {
      if (i === skip) continue;
      const a = pool[x + i];
      const b = pool[y + i];
      if (a < b) {
        xKnows = false;
        if (!yKnows) break;
      } else if (a > b) {
        yKnows = false;
        if (!xKnows) break;
      }
    }
    if (xKnows) return x;
    if (yKnows) return y;
    const out = this.alloc(w);
    const p = this.pool;
    for (let i = 0; i < w; i++) p[out + i] = p[x + i] > p[y + i] ? p[x + i] : p[y + i];
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

/**
 * The clock of every event, in topological `order` (file order when absent):
 * an event starts from its task's latest clock and joins the clock of each
 * cross-task edge's source. `clockOf[e]` is the clock of event e (0 when it
 * knows no other task). `edges.incoming` lists edge indices sorted by target,
 * `edges.incomingTo` those targets.
 */
export function computeClocks(
  trace: Trace,
  order: Int32Array | undefined,
  edges: { from: Int32Array; incoming: Int32Array; incomingTo: Int32Array },
  options: ClockOptions = {},
): { clockOf: Int32Array; clocks: VectorClocks } {
  const { task, seq } = trace;
  const { incoming, incomingTo } = edges;
  let crossTask = 0;
  for (let k = 0; k < incoming.length; k++) if (task[edges.from[incoming[k]]] !== task[incomingTo[k]]) crossTask++;
  const clocks = new VectorClocks(trace.tasks.length, crossTask, options);
  const clockOf = new Int32Array(trace.length);
  const current = new Int32Array(trace.tasks.length);
  /** Per task, the seq of the event whose clock `current` is (later events without joins share it). */
  const madeAt = new Int32Array(trace.tasks.length);
  /** In file order the incoming edges are visited in their sorted order: a cursor, no search. */
  let cursor = 0;
  const n = trace.length;
  for (let p = 0; p < n; p++) {
    const e = order ? order[p] : p;
    const t = task[e];
    let clock = current[t];
    let k = order ? firstIncoming(incomingTo, e) : cursor;
    if (k < incomingTo.length && incomingTo[k] === e) clocks.begin();
    for (; k < incomingTo.length && incomingTo[k] === e; k++) {
      const src = edges.from[incoming[k]];
      const ts = task[src];
      // Already knowing src means already knowing everything src knew.
      if (ts === t || clocks.get(clock, ts) >= seq[src]) continue;
      // Likewise, when src knew the event our clock was made at (the usual hand-off), src's clock holds all of ours.
      const knowsUs = clock === current[t] && clocks.get(clockOf[src], t) >= madeAt[t];
      clock = knowsUs ? clocks.raised(clockOf[src], ts, seq[src]) : clocks.join(clock, clockOf[src], ts, seq[src], t);
    }
    cursor = k;
    if (clock !== current[t]) {
      current[t] = clock;
      madeAt[t] = seq[e];
    }
    clockOf[e] = clock;
  }
  clocks.finish();
  return { clockOf, clocks };
}

/** The first index of `sortedTo` (edge targets, sorted) holding `event` or a later event. */
export function firstIncoming(sortedTo: Int32Array, event: number): number {
  let lo = 0;
  let hi = sortedTo.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedTo[mid] < event) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
