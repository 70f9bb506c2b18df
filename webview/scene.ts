// The graph prepared for drawing: level-of-detail per axis (built lazily, the
// time axis only when asked for), edges ordered for range queries, and the
// rows left after the filters.

import { buildAxisLod, lowerBound, type AxisLod } from './lod';
import { EVENT_CLASSES, type GraphModel, type GraphRace } from '../extension/core/graph/model';

export type Axis = 'hb' | 'time';

export interface Filters {
  /** Device name, or '' for all. */
  device: string;
  /** Rule id, or '' for all. */
  rule: string;
  /** Lane index, or -1 for all. */
  lane: number;
  /** Bit c set: class c is shown. */
  classes: number;
}

export const ALL_CLASSES = (1 << EVENT_CLASSES.length) - 1;

export function noFilters(): Filters {
  return { device: '', rule: '', lane: -1, classes: ALL_CLASSES };
}

export type Row = { kind: 'cpu'; cpu: number; y: number; height: number } | { kind: 'lane'; lane: number; y: number; height: number };

export const CPU_ROW_HEIGHT = 18;
/** Lanes share the height on screen, within these bounds (taller lanes leave room for labels and race tags). */
export const LANE_HEIGHT = 46;
export const MAX_LANE_HEIGHT = 120;

export interface EdgeIndex {
  /** Short edge numbers sorted by the x of their source. */
  order: Int32Array;
  fromX: Float64Array;
  /** The longest short edge, so a range query knows how far left to start. */
  maxSpan: number;
  /** The few edges longer than the short limit, checked on every query. */
  long: Int32Array;
}

export class Scene {
  /** 1 for events that take part in a race (kept visible at every zoom). */
  readonly marked: Uint8Array;
  private readonly lods: Partial<Record<Axis, AxisLod>> = {};
  private readonly edgeIndexes: Partial<Record<Axis, EdgeIndex>> = {};
  private lanesByDevice?: Map<string, Set<number>>;

  constructor(readonly graph: GraphModel) {
    this.marked = new Uint8Array(graph.eventCount);
    for (const r of graph.races) {
      for (const e of [r.primary, r.other, ...r.related]) if (e >= 0 && e < graph.eventCount) this.marked[e] = 1;
    }
  }

  x(axis: Axis): ArrayLike<number> {
    return axis === 'hb' ? this.graph.events.rank : this.graph.events.time;
  }

  /** [min, max] of the axis. */
  extent(axis: Axis): [number, number] {
    return axis === 'hb' ? [0, Math.max(1, this.graph.maxRank)] : [0, Math.max(1, this.graph.duration)];
  }

  lod(axis: Axis): AxisLod {
    let lod = this.lods[axis];
    if (!lod) {
      const { events, lanes } = this.graph;
      lod = buildAxisLod(events.lane, lanes.length, this.x(axis), events.cls, this.marked);
      this.lods[axis] = lod;
    }
    return lod;
  }

  edgeIndex(axis: Axis): EdgeIndex {
    let index = this.edgeIndexes[axis];
    if (!index) {
      const { from, to } = this.graph.edges;
      const x = this.x(axis);
      const [lo, hi] = this.extent(axis);
      // Edges longer than this are kept aside, so one long edge does not make every query scan from the start.
      const shortLimit = (hi - lo) / 256;
      const short: number[] = [];
      const long: number[] = [];
      let maxSpan = 0;
      for (let k = 0; k < from.length; k++) {
        const span = Math.abs(x[to[k]] - x[from[k]]);
        if (span > shortLimit) long.push(k);
        else {
          short.push(k);
          if (span > maxSpan) maxSpan = span;
        }
      }
      const order = Int32Array.from(short);
      const fromX = new Float64Array(order.length);
      for (let k = 0; k < order.length; k++) fromX[k] = x[from[order[k]]];
      sortTogether(order, fromX);
      index = { order, fromX, maxSpan, long: Int32Array.from(long) };
      this.edgeIndexes[axis] = index;
    }
    return index;
  }

  /** Edge numbers whose x range overlaps [x0, x1], at most `budget` of them (the rest are counted, not listed). */
  visibleEdges(axis: Axis, x0: number, x1: number, budget: number): { edges: number[]; total: number; estimated?: boolean } {
    const index = this.edgeIndex(axis);
    const x = this.x(axis);
    const { from, to } = this.graph.edges;
    const edges: number[] = [];
    let total = 0;
    const start = lowerBound(index.fromX, x0 - index.maxSpan);
    const end = lowerBound(index.fromX, x1, start);
    // Far more candidates than the budget: the count is all the caller can use, and an estimate will do.
    if (end - start > budget * 4) return { edges, total: end - start + index.long.length, estimated: true };
    for (let p = start; p < index.order.length && index.fromX[p] <= x1; p++) {
      const k = index.order[p];
      if (Math.max(index.fromX[p], x[to[k]]) < x0) continue;
      total++;
      if (edges.length < budget) edges.push(k);
    }
    for (const k of index.long) {
      const a = x[from[k]];
      const b = x[to[k]];
      if (Math.max(a, b) < x0 || Math.min(a, b) > x1) continue;
      total++;
      if (edges.length < budget) edges.push(k);
    }
    return { edges, total };
  }

  /** Lanes that have an event naming `device`. */
  lanesOfDevice(device: string): Set<number> {
    if (!this.lanesByDevice) {
      const map = new Map<string, Set<number>>();
      const { md, lane } = this.graph.events;
      for (let i = 0; i < md.length; i++) {
        if (md[i] < 0) continue;
        const name = this.graph.strings[md[i]];
        let set = map.get(name);
        if (!set) map.set(name, (set = new Set()));
        set.add(lane[i]);
      }
      this.lanesByDevice = map;
    }
    return this.lanesByDevice.get(device) ?? new Set();
  }

  races(filters: Filters): GraphRace[] {
    return this.graph.races.filter(
      (r) =>
        (!filters.rule || r.rule === filters.rule) &&
        (!filters.device || r.md === filters.device) &&
        (filters.lane < 0 || r.window.some((w) => w.lane === filters.lane) || this.graph.events.lane[r.primary] === filters.lane),
    );
  }

  /** The rows to draw, top to bottom: a header per cpu, then its lanes, sharing `available` pixels. */
  rows(filters: Filters, available: number): Row[] {
    const deviceLanes = filters.device ? this.lanesOfDevice(filters.device) : undefined;
    const kept = this.graph.lanes
      .map((lane, l) => ({ lane, l }))
      .filter(({ l }) => (filters.lane < 0 || l === filters.lane) && (!deviceLanes || deviceLanes.has(l)));
    const cpus = new Set(kept.map((k) => k.lane.cpu)).size;
    const height = Math.max(LANE_HEIGHT, Math.min(MAX_LANE_HEIGHT, Math.floor((available - 8 - cpus * CPU_ROW_HEIGHT) / Math.max(1, kept.length))));
    const rows: Row[] = [];
    let y = 0;
    let cpu = Number.NaN;
    for (const { lane, l } of kept) {
      if (lane.cpu !== cpu) {
        cpu = lane.cpu;
        rows.push({ kind: 'cpu', cpu, y, height: CPU_ROW_HEIGHT });
        y += CPU_ROW_HEIGHT;
      }
      rows.push({ kind: 'lane', lane: l, y, height });
      y += height;
    }
    return rows;
  }

  /** Does the event pass the device filter? (Events that name no device always do.) */
  matchesDevice(event: number, device: string): boolean {
    if (!device) return true;
    const md = this.graph.events.md[event];
    return md < 0 || this.graph.strings[md] === device;
  }

  label(event: number): string {
    return this.graph.detail?.[event] ?? this.graph.strings[this.graph.events.name[event]];
  }

  /** The tooltip of an event: its task and label, line, time, hb step and the races it is in. */
  describe(e: number): string {
    const g = this.graph;
    const races = g.races.filter((r) => r.primary === e || r.other === e || r.related.includes(e)).map((r) => `${r.rule} ${r.severity}`);
    const time = g.events.time[e];
    return `${g.lanes[g.events.lane[e]].name}: ${this.label(e)}\nline ${g.events.line[e]} · +${(time / 1e3).toFixed(3)} µs · hb step ${g.events.rank[e]}${races.length ? `\nin ${races.join(', ')}` : ''}`;
  }
}

/** Sorts `keys` ascending and `items` along with them (typed arrays, no comparator calls on a million pairs). */
function sortTogether(items: Int32Array, keys: Float64Array): void {
  const idx = new Uint32Array(items.length);
  for (let k = 0; k < idx.length; k++) idx[k] = k;
  // Already sorted in the common case (edges come sorted by source rank).
  let sorted = true;
  for (let k = 1; k < keys.length && sorted; k++) sorted = keys[k - 1] <= keys[k];
  if (sorted) return;
  const order = Array.from(idx).sort((a, b) => keys[a] - keys[b]);
  const i2 = Int32Array.from(order, (k) => items[k]);
  const k2 = Float64Array.from(order, (k) => keys[k]);
  items.set(i2);
  keys.set(k2);
}
