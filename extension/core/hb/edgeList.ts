// The happens-before edges as columns (grown while collected, then exact
// typed arrays), and the order in which they are visited by target.

import type { EdgeSink } from './edges';

export interface EdgeColumns {
  from: Int32Array;
  to: Int32Array;
  /** Index into EDGE_KINDS. */
  kind: Uint8Array;
  /** Interned string: the lock, the slot, the disk, the child pid, the module, or `!hb`. */
  via: Int32Array;
}

/**
 * Collects edges (EdgeSink) into columns made for `bound` edges, which double
 * should that not be enough. A bound above the count costs address space, not
 * memory: the columns' untouched tail is never committed, and the finished
 * columns are views on them (no copy).
 */
export class EdgeCollector implements EdgeSink {
  private columns: EdgeColumns;
  count = 0;
  /** Whether the edges so far are in the order of their targets. */
  inTargetOrder = true;
  /** Whether every edge so far points forward in the file. */
  forward = true;

  constructor(bound = 1024) {
    const size = Math.max(bound, 1);
    this.columns = { from: new Int32Array(size), to: new Int32Array(size), kind: new Uint8Array(size), via: new Int32Array(size) };
  }

  add(from: number, to: number, kind: number, via: number): void {
    const k = this.count++;
    if (k === this.columns.from.length) this.grow();
    const c = this.columns;
    if (k > 0 && c.to[k - 1] > to) this.inTargetOrder = false;
    if (from > to) this.forward = false;
    c.from[k] = from;
    c.to[k] = to;
    c.kind[k] = kind;
    c.via[k] = via;
  }

  /** The columns, exact. */
  finish(): EdgeColumns {
    const { from, to, kind, via } = this.columns;
    const m = this.count;
    return { from: from.subarray(0, m), to: to.subarray(0, m), kind: kind.subarray(0, m), via: via.subarray(0, m) };
  }

  private grow(): void {
    const { from, to, kind, via } = this.columns;
    const size = from.length * 2;
    const grown = { from: new Int32Array(size), to: new Int32Array(size), kind: new Uint8Array(size), via: new Int32Array(size) };
    grown.from.set(from);
    grown.to.set(to);
    grown.kind.set(kind);
    grown.via.set(via);
    this.columns = grown;
  }
}

/**
 * The edge indices sorted by target (stable), or undefined when the edges
 * already are in that order: they are collected in the order of their targets
 * but for a few (task forks, module unloads, `!hb`), so a natural merge sort
 * merges a few runs.
 */
export function sortByTarget(to: Int32Array): Int32Array | undefined {
  const m = to.length;
  const runStarts = [0];
  for (let k = 1; k < m; k++) if (to[k - 1] > to[k]) runStarts.push(k);
  if (runStarts.length === 1) return undefined;
  let from = new Int32Array(m);
  for (let k = 0; k < m; k++) from[k] = k;
  let into = new Int32Array(m);
  let runs = runStarts;
  while (runs.length > 1) {
    const merged: number[] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const lo = runs[r];
      const mid = r + 1 < runs.length ? runs[r + 1] : m;
      const hi = r + 2 < runs.length ? runs[r + 2] : m;
      merged.push(lo);
      let i = lo;
      let j = mid;
      let out = lo;
      while (i < mid && j < hi) into[out++] = to[from[j]] < to[from[i]] ? from[j++] : from[i++];
      while (i < mid) into[out++] = from[i++];
      while (j < hi) into[out++] = from[j++];
    }
    [from, into] = [into, from];
    runs = merged;
  }
  return from;
}

/**
 * The first place in target order (the edges themselves, or `byTarget` when
 * given) whose edge ends at `event` or after it.
 */
export function firstIncoming(to: Int32Array, byTarget: Int32Array | undefined, event: number): number {
  let lo = 0;
  let hi = to.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (to[byTarget ? byTarget[mid] : mid] < event) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
