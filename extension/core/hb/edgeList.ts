// The happens-before edges as columns: collected four ints an edge in one
// buffer that doubles as it grows, then split into exact typed arrays; and
// the order in which they are visited by target.

import type { EdgeSink } from './edges';

export interface EdgeColumns {
  from: Int32Array;
  to: Int32Array;
  /** Index into EDGE_KINDS. */
  kind: Uint8Array;
  /** Interned string: the lock, the slot, the disk, the child pid, the module, or `!hb`. */
  via: Int32Array;
}

export class EdgeCollector implements EdgeSink {
  private buffer = new Int32Array(4096);
  count = 0;

  add(from: number, to: number, kind: number, via: number): void {
    let at = this.count << 2;
    if (at === this.buffer.length) {
      const grown = new Int32Array(at * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    const b = this.buffer;
    b[at++] = from;
    b[at++] = to;
    b[at++] = kind;
    b[at] = via;
    this.count++;
  }

  finish(): EdgeColumns {
    const m = this.count;
    const b = this.buffer;
    const columns = { from: new Int32Array(m), to: new Int32Array(m), kind: new Uint8Array(m), via: new Int32Array(m) };
    for (let k = 0; k < m; k++) {
      columns.from[k] = b[4 * k];
      columns.to[k] = b[4 * k + 1];
      columns.kind[k] = b[4 * k + 2];
      columns.via[k] = b[4 * k + 3];
    }
    this.buffer = new Int32Array(0);
    return columns;
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
