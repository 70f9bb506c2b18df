// Level of detail, as Perfetto does it: per lane, the events pre-aggregated
// into buckets of width w, 2w, 4w, ... (mipmaps). To draw, pick the coarsest
// level whose buckets are at most a pixel wide and walk only the buckets in
// view: the cost is O(pixels) per lane whatever the number of events.

/** One mipmap level of one lane: its non-empty buckets, in x order. */
export interface LodLevel {
  /** Bucket width in x units. */
  width: number;
  /** Bucket number: the bucket covers [origin + index*width, origin + (index+1)*width). */
  index: Float64Array;
  /** Events in the bucket. */
  count: Uint32Array;
  /** Bit c set when an event of class c is in the bucket. */
  classes: Uint8Array;
  /** 1 when a marked event (part of a race) is in the bucket. */
  marked: Uint8Array;
  /** The bucket's first event (trace index), for hit-testing and tooltips. */
  first: Int32Array;
}

export interface LaneLod {
  /** The lane's events sorted by x. */
  order: Int32Array;
  /** Their x. */
  xs: Float64Array;
  /** Finest first; the last level has one bucket. */
  levels: LodLevel[];
}

export interface AxisLod {
  origin: number;
  /** Width of a level-0 bucket. */
  baseWidth: number;
  lanes: LaneLod[];
}

/** Level 0 splits the whole x range into about this many buckets. */
export const FINEST_BUCKETS = 1 << 16;

/**
 * Builds the mipmaps of every lane for one x axis. `x` gives each event's
 * position, `cls` its class (0..7), `marked` the events to keep visible at any
 * zoom. Linear in the events (plus one sort per lane whose x is not already
 * in order, which the happens-before axis never needs).
 */
export function buildAxisLod(
  laneOfEvent: Int32Array,
  laneCount: number,
  x: ArrayLike<number>,
  cls: Uint8Array,
  marked: Uint8Array,
  finest = FINEST_BUCKETS,
): AxisLod {
  const n = laneOfEvent.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  if (n === 0) {
    lo = 0;
    hi = 1;
  }
  const origin = lo;
  const baseWidth = hi > lo ? (hi - lo) / finest : 1;
  // Group event indices by lane (counting sort keeps file order inside a lane).
  const counts = new Int32Array(laneCount + 1);
  for (let i = 0; i < n; i++) counts[laneOfEvent[i] + 1]++;
  for (let l = 0; l < laneCount; l++) counts[l + 1] += counts[l];
  const grouped = new Int32Array(n);
  const fill = counts.slice(0, laneCount);
  for (let i = 0; i < n; i++) grouped[fill[laneOfEvent[i]]++] = i;
  const lanes: LaneLod[] = [];
  for (let l = 0; l < laneCount; l++) {
    const order = grouped.subarray(counts[l], counts[l + 1]);
    const xs = new Float64Array(order.length);
    for (let k = 0; k < order.length; k++) xs[k] = x[order[k]];
    if (!isSorted(xs)) sortByX(order, xs);
    lanes.push({ order, xs, levels: buildLevels(order, xs, cls, marked, origin, baseWidth) });
  }
  return { origin, baseWidth, lanes };
}

function isSorted(xs: Float64Array): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) return false;
  return true;
}

function sortByX(order: Int32Array, xs: Float64Array): void {
  const idx = Array.from(order.keys()).sort((a, b) => xs[a] - xs[b] || order[a] - order[b]);
  const o = Int32Array.from(idx, (k) => order[k]);
  const v = Float64Array.from(idx, (k) => xs[k]);
  order.set(o);
  xs.set(v);
}

function buildLevels(order: Int32Array, xs: Float64Array, cls: Uint8Array, marked: Uint8Array, origin: number, width: number): LodLevel[] {
  const levels: LodLevel[] = [];
  let level = levelZero(order, xs, cls, marked, origin, width);
  levels.push(level);
  while (level.index.length > 1) {
    level = coarser(level);
    levels.push(level);
  }
  return levels;
}

function levelZero(order: Int32Array, xs: Float64Array, cls: Uint8Array, marked: Uint8Array, origin: number, width: number): LodLevel {
  const n = order.length;
  // Two passes: count the buckets, then fill arrays of exactly that size (no over-allocation and copy).
  let m = 0;
  for (let k = 0, last = Number.NaN; k < n; k++) {
    const bucket = Math.floor((xs[k] - origin) / width);
    if (bucket !== last) m++;
    last = bucket;
  }
  const level = emptyLevel(width, m);
  const { index, count, classes, marked: mark, first } = level;
  let b = -1;
  for (let k = 0; k < n; k++) {
    const e = order[k];
    const bucket = Math.floor((xs[k] - origin) / width);
    if (b < 0 || index[b] !== bucket) {
      b++;
      index[b] = bucket;
      first[b] = e;
    }
    count[b]++;
    classes[b] |= 1 << cls[e];
    mark[b] |= marked[e];
  }
  return level;
}

function emptyLevel(width: number, m: number): LodLevel {
  return { width, index: new Float64Array(m), count: new Uint32Array(m), classes: new Uint8Array(m), marked: new Uint8Array(m), first: new Int32Array(m) };
}

/** The next level: buckets twice as wide, merged pairwise. */
function coarser(fine: LodLevel): LodLevel {
  const n = fine.index.length;
  let m = 0;
  for (let k = 0, last = Number.NaN; k < n; k++) {
    const bucket = Math.floor(fine.index[k] / 2);
    if (bucket !== last) m++;
    last = bucket;
  }
  const level = emptyLevel(fine.width * 2, m);
  const { index, count, classes, marked: mark, first } = level;
  let b = -1;
  for (let k = 0; k < n; k++) {
    const bucket = Math.floor(fine.index[k] / 2);
    if (b < 0 || index[b] !== bucket) {
      b++;
      index[b] = bucket;
      first[b] = fine.first[k];
    }
    count[b] += fine.count[k];
    classes[b] |= fine.classes[k];
    mark[b] |= fine.marked[k];
  }
  return level;
}

/**
 * The level to draw when one pixel spans `unitsPerPixel` x units: the coarsest
 * whose buckets are at most a pixel wide, or -1 when the raw events are finer
 * than the finest level is useful for (draw the events themselves).
 */
export function pickLevel(lane: LaneLod, unitsPerPixel: number): number {
  let pick = -1;
  for (let k = 0; k < lane.levels.length; k++) if (lane.levels[k].width <= unitsPerPixel) pick = k;
  return pick;
}

/** First position in the sorted `values` whose value is >= `v`. */
export function lowerBound(values: ArrayLike<number>, v: number, from = 0, to = values.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The buckets of `level` that overlap [x0, x1]: positions [start, end). */
export function visibleBuckets(level: LodLevel, origin: number, x0: number, x1: number): [number, number] {
  const first = Math.floor((x0 - origin) / level.width);
  const last = Math.floor((x1 - origin) / level.width);
  return [lowerBound(level.index, first), lowerBound(level.index, last + 1)];
}

/** The raw events of a lane with x in [x0, x1]: positions [start, end) into `order`/`xs`. */
export function visibleEvents(lane: LaneLod, x0: number, x1: number): [number, number] {
  const start = lowerBound(lane.xs, x0);
  let end = lowerBound(lane.xs, x1, start);
  while (end < lane.xs.length && lane.xs[end] <= x1) end++;
  return [start, end];
}

/** The lane's event nearest to x (trace index), or -1 for an empty lane. */
export function nearestEvent(lane: LaneLod, x: number): number {
  const n = lane.xs.length;
  if (n === 0) return -1;
  const k = lowerBound(lane.xs, x);
  if (k === 0) return lane.order[0];
  if (k === n) return lane.order[n - 1];
  return x - lane.xs[k - 1] <= lane.xs[k] - x ? lane.order[k - 1] : lane.order[k];
}
