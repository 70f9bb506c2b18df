// Where things are on screen in one frame: the state a frame is drawn from,
// the rows and lanes on screen, event x, text fitting and segment clipping.
// Shared by the renderer's parts and by the app's hit-testing.

import type { GraphRace } from '../extension/core/graph/model';
import { nearestEvent } from './lod';
import type { Painter } from './painter';
import type { Axis, Filters, Row, Scene } from './scene';
import type { Palette } from './theme';
import { toAxisX, toScreenX, type Frame, type Viewport } from './view';

export interface DrawState {
  scene: Scene;
  axis: Axis;
  view: Viewport;
  frame: Frame;
  filters: Filters;
  rows: Row[];
  races: GraphRace[];
  palette: Palette;
  selectedEvent: number;
  selectedRace: GraphRace | undefined;
  hoverEvent: number;
}

/** What the last frame drew, for tests and the status line. */
export interface FrameStats {
  rawEvents: number;
  buckets: number;
  edges: number;
  edgesHidden: number;
  /** True when edgesHidden is an estimate (too many edges in view to count them). */
  edgesEstimated?: boolean;
}

/** Radius of an event's dot. */
export const MARKER_RADIUS = 5;

export function laneRowAt(rows: Row[], frame: Frame, view: Viewport, py: number): Row | undefined {
  const y = py - frame.ruler + view.scrollY;
  return rows.find((r) => y >= r.y && y < r.y + r.height);
}

/** Screen y of a lane's centre line, or undefined when the lane is filtered out. */
export function laneCenter(state: Pick<DrawState, 'rows' | 'frame' | 'view'>, lane: number): number | undefined {
  const row = laneRow(state.rows, lane);
  return row ? state.frame.ruler + row.y - state.view.scrollY + row.height / 2 : undefined;
}

/** A lane's centre line and height on screen, or undefined when the lane is filtered out. */
export function laneGeometry(state: Pick<DrawState, 'rows' | 'frame' | 'view'>, lane: number): { cy: number; h: number } | undefined {
  const row = laneRow(state.rows, lane);
  return row ? { cy: state.frame.ruler + row.y - state.view.scrollY + row.height / 2, h: row.height } : undefined;
}

/** Row of each lane, per rows array (rows change with the filters and the size, not per frame). */
const rowOfLane = new WeakMap<Row[], (Row | undefined)[]>();

function laneRow(rows: Row[], lane: number): Row | undefined {
  let table = rowOfLane.get(rows);
  if (!table) {
    table = [];
    for (const r of rows) if (r.kind === 'lane') table[r.lane] = r;
    rowOfLane.set(rows, table);
  }
  return table[lane];
}

/** Height of the shaded race window in a lane of height h. */
export function bandHeight(h: number): number {
  return Math.max(30, Math.round(h * 0.62));
}

export function font(p: Palette, size: number, weight = ''): string {
  return `${weight} ${size}px ${p.font}`.trim();
}

/** The longest prefix of `s` (with an ellipsis) that fits in `width`, or '' if nothing useful fits. */
export function fitText(painter: Pick<Painter, 'measure'>, s: string, f: string, width: number): string {
  if (painter.measure(s, f) <= width) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (painter.measure(s.slice(0, mid) + '…', f) <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo >= 3 ? s.slice(0, lo) + '…' : '';
}

/**
 * A task name (`comm/pid`) that fits in `width`: the comm is shortened, the pid
 * kept, since tasks of one program differ only by it (`dm-race-wo…/102`,
 * `dm-race-wo…/103`, not `dm-race-wor…` twice).
 */
export function fitTaskName(painter: Pick<Painter, 'measure'>, name: string, f: string, width: number): string {
  if (painter.measure(name, f) <= width) return name;
  const slash = name.lastIndexOf('/');
  if (slash <= 0) return fitText(painter, name, f, width);
  const [comm, pid] = [name.slice(0, slash), name.slice(slash)];
  for (let k = comm.length - 1; k >= 1; k--) {
    const short = `${comm.slice(0, k)}…${pid}`;
    if (painter.measure(short, f) <= width) return short;
  }
  return fitText(painter, pid.slice(1), f, width) || pid.slice(1, 4);
}

/**
 * What an event label says it acts on: a kernel address (a recorded md is
 * `0xff15f28b027dd000`) keeps its last six digits, which tell the devices of a
 * recording apart, so the label fits between its neighbours (the tooltip and
 * the hover give it whole).
 */
export function shortSubject(subject: string): string {
  return /^0x[0-9a-f]{9,}$/i.test(subject) ? `0x…${subject.slice(-6)}` : subject;
}

export function rowTop(s: DrawState, row: Row): number {
  return s.frame.ruler + row.y - s.view.scrollY;
}

export function severityColor(s: DrawState, race: GraphRace): string {
  return race.severity === 'error' ? s.palette.error : s.palette.warning;
}

/** Screen x of an event. */
export function ex(s: DrawState, event: number): number {
  return toScreenX(s.view, s.frame, s.scene.x(s.axis)[event]);
}

/** The part of segment (x1,y1)-(x2,y2) inside the box (Liang-Barsky), or undefined. */
export function clipSegment(x1: number, y1: number, x2: number, y2: number, left: number, top: number, right: number, bottom: number): [number, number, number, number] | undefined {
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  for (const [p, q] of [[-dx, x1 - left], [dx, right - x1], [-dy, y1 - top], [dy, bottom - y1]]) {
    if (p === 0) {
      if (q < 0) return undefined;
    } else {
      const r = q / p;
      if (p < 0) {
        if (r > t1) return undefined;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return undefined;
        if (r < t1) t1 = r;
      }
    }
  }
  return [x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy];
}

/**
 * Clips to the plot (with a margin). Far-off coordinates must never reach the
 * canvas: dashing a line that runs a million pixels off screen costs seconds.
 */
export function clipToPlot(s: DrawState, x1: number, y1: number, x2: number, y2: number): [number, number, number, number] | undefined {
  const m = 40;
  return clipSegment(x1, y1, x2, y2, s.frame.gutter - m, s.frame.ruler - m, s.frame.width + m, s.frame.height + m);
}

/** How close (pixels) a click must come to an event to pick it. */
const HIT_RADIUS = 9;

type Placement = Pick<DrawState, 'scene' | 'axis' | 'rows' | 'frame' | 'view'>;

/** Where an event is drawn (canvas pixels), or undefined when it is off the plot or filtered out. */
export function eventPosition(s: Placement, event: number): { x: number; y: number } | undefined {
  const { scene, frame } = s;
  if (event < 0 || event >= scene.graph.eventCount) return undefined;
  const y = laneCenter(s, scene.graph.events.lane[event]);
  const x = toScreenX(s.view, frame, scene.x(s.axis)[event]);
  if (y === undefined || x < frame.gutter || x > frame.width || y < frame.ruler || y > frame.height - frame.minimap) return undefined;
  return { x, y };
}

/** The event drawn under canvas point (px, py), within a few pixels, or -1. */
export function eventAt(s: Placement & Pick<DrawState, 'filters'>, px: number, py: number): number {
  const { scene, frame, view } = s;
  if (px < frame.gutter || py > frame.height - frame.minimap) return -1;
  const row = laneRowAt(s.rows, frame, view, py);
  if (!row || row.kind !== 'lane') return -1;
  const e = nearestEvent(scene.lod(s.axis).lanes[row.lane], toAxisX(view, frame, px));
  if (e < 0 || !((s.filters.classes >> scene.graph.events.cls[e]) & 1)) return -1;
  const cy = laneCenter(s, row.lane) ?? -1e9;
  const dx = toScreenX(view, frame, scene.x(s.axis)[e]) - px;
  return Math.abs(dx) <= HIT_RADIUS && Math.abs(py - cy) <= HIT_RADIUS + 3 ? e : -1;
}
