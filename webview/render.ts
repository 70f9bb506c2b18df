// Draws one frame of the graph through a Painter (canvas on screen, SVG for
// export). Every loop is bounded by what is on screen: lanes outside the
// viewport are skipped, and inside a lane the level of detail limits the
// work to O(pixels) buckets; raw events are drawn only when zoomed in enough
// that the finest buckets would be wider than a pixel.

import { pickLevel, visibleBuckets, visibleEvents, type LodLevel } from './lod';
import { EDGE_KINDS, type GraphRace } from '../extension/core/graph/model';
import type { PathBuilder, Painter } from './painter';
import type { Axis, Filters, Row, Scene } from './scene';
import { EDGE_STYLES, type Palette } from './theme';
import { formatTime, plotHeight, plotWidth, tickStep, toScreenX, type Frame, type Viewport } from './view';

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

/** Class colour priority when a bucket mixes classes: the ones races are about first. */
export const CLASS_PRIORITY = [2, 3, 1, 4, 5, 0, 6];
const MARKER_RADIUS = 5;
/** Labels are drawn when a lane has at most one event per this many pixels in view. */
const LABEL_SPACING = 36;
/** More edges than this in view are not drawn (unreadable, and the frame budget goes to them). */
const EDGE_BUDGET = 200;
/** Races in view beyond which only the selected one shows its link and tag. */
const RACE_DETAIL_LIMIT = 24;
/** Raw events are drawn when a lane has at most one per this many pixels in view. */
const RAW_SPACING = 3;

export function laneRowAt(rows: Row[], frame: Frame, view: Viewport, py: number): Row | undefined {
  const y = py - frame.ruler + view.scrollY;
  return rows.find((r) => y >= r.y && y < r.y + r.height);
}

/** Screen y of a lane's centre line, or undefined when the lane is filtered out. */
export function laneCenter(state: Pick<DrawState, 'rows' | 'frame' | 'view'>, lane: number): number | undefined {
  return laneGeometry(state, lane)?.cy;
}

/** A lane's centre line and height on screen, or undefined when the lane is filtered out. */
export function laneGeometry(state: Pick<DrawState, 'rows' | 'frame' | 'view'>, lane: number): { cy: number; h: number } | undefined {
  const row = state.rows.find((r) => r.kind === 'lane' && r.lane === lane);
  return row ? { cy: state.frame.ruler + row.y - state.view.scrollY + row.height / 2, h: row.height } : undefined;
}

/** Height of the shaded race window in a lane of height h. */
function bandHeight(h: number): number {
  return Math.max(30, Math.round(h * 0.62));
}

function font(p: Palette, size: number, weight = ''): string {
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
 * What an event label says it acts on: a kernel address (a recorded md is
 * `0xff15f28b027dd000`) keeps its last six digits, which tell the devices of a
 * recording apart, so the label fits between its neighbours (the tooltip and
 * the hover give it whole).
 */
export function shortSubject(subject: string): string {
  return /^0x[0-9a-f]{9,}$/i.test(subject) ? `0x…${subject.slice(-6)}` : subject;
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

export function draw(p: Painter, s: DrawState): FrameStats {
  const { frame, palette } = s;
  const stats: FrameStats = { rawEvents: 0, buckets: 0, edges: 0, edgesHidden: 0 };
  p.rect(0, 0, frame.width, frame.height, palette.background);
  const top = frame.ruler;
  const plotH = plotHeight(frame);
  p.clip(frame.gutter, top, plotWidth(frame), plotH);
  const visibleRows = s.rows.filter((r) => r.y + r.height > s.view.scrollY && r.y < s.view.scrollY + plotH);
  drawRowBackgrounds(p, s, visibleRows);
  drawGrid(p, s);
  drawRaceWindows(p, s);
  drawEdges(p, s, stats);
  for (const row of visibleRows) if (row.kind === 'lane') drawLane(p, s, row, stats);
  drawRacePairs(p, s);
  if (s.selectedRace) drawWitness(p, s, s.selectedRace);
  drawSelection(p, s);
  p.unclip();
  drawGutter(p, s, visibleRows);
  drawRuler(p, s);
  return stats;
}

function rowTop(s: DrawState, row: Row): number {
  return s.frame.ruler + row.y - s.view.scrollY;
}

function drawRowBackgrounds(p: Painter, s: DrawState, rows: Row[]): void {
  const { frame, palette } = s;
  for (const row of rows) {
    const y = rowTop(s, row);
    if (row.kind === 'cpu') {
      p.rect(frame.gutter, y, plotWidth(frame), row.height, palette.gutter, 0.9);
      p.line(frame.gutter, y + 0.5, frame.width, y + 0.5, palette.grid, 1);
    } else {
      if (row.lane % 2 === 1) p.rect(frame.gutter, y, plotWidth(frame), row.height, palette.laneStripe);
      p.line(frame.gutter, y + row.height / 2, frame.width, y + row.height / 2, palette.grid, 1);
    }
  }
}

function drawGrid(p: Painter, s: DrawState): void {
  const { frame, view, palette } = s;
  const step = tickStep(view.upp, 110, s.axis === 'hb');
  const first = Math.ceil(view.x0 / step) * step;
  const end = view.x0 + plotWidth(frame) * view.upp;
  for (let x = first; x <= end; x += step) {
    const px = Math.round(toScreenX(view, frame, x)) + 0.5;
    p.line(px, frame.ruler, px, frame.height - frame.minimap, palette.grid, 1, [], 0.35);
  }
}

function drawRuler(p: Painter, s: DrawState): void {
  const { frame, view, palette } = s;
  p.rect(0, 0, frame.width, frame.ruler, palette.gutter);
  p.line(0, frame.ruler - 0.5, frame.width, frame.ruler - 0.5, palette.grid, 1);
  const step = tickStep(view.upp, 110, s.axis === 'hb');
  const first = Math.ceil(view.x0 / step) * step;
  const end = view.x0 + plotWidth(frame) * view.upp;
  const style = { color: palette.muted, font: font(palette, 11), baseline: 'middle' as const };
  p.text(s.axis === 'hb' ? 'happens-before order' : 'time since first event', 8, frame.ruler / 2, style);
  p.clip(frame.gutter, 0, plotWidth(frame), frame.ruler);
  for (let x = first; x <= end; x += step) {
    const px = Math.round(toScreenX(view, frame, x)) + 0.5;
    p.line(px, frame.ruler - 6, px, frame.ruler, palette.muted, 1);
    p.text(s.axis === 'hb' ? `step ${Math.round(x)}` : formatTime(x, step), px + 3, frame.ruler / 2, style);
  }
  p.unclip();
}

function drawGutter(p: Painter, s: DrawState, rows: Row[]): void {
  const { frame, palette, scene } = s;
  p.rect(0, frame.ruler, frame.gutter, plotHeight(frame), palette.gutter);
  p.line(frame.gutter - 0.5, frame.ruler, frame.gutter - 0.5, frame.height - frame.minimap, palette.grid, 1);
  p.clip(0, frame.ruler, frame.gutter, plotHeight(frame));
  for (const row of rows) {
    const y = rowTop(s, row) + row.height / 2;
    if (row.kind === 'cpu') {
      p.text(`cpu${row.cpu}`, 8, y, { color: palette.muted, font: font(palette, 11, 'bold') });
    } else {
      const lane = scene.graph.lanes[row.lane];
      const f = font(palette, 12);
      const name = fitTaskName(p, lane.name, f, frame.gutter - 28);
      p.text(name, 18, y - 6, { color: palette.foreground, font: f });
      p.text(`${lane.eventCount} event${lane.eventCount === 1 ? '' : 's'}`, 18, y + 9, { color: palette.muted, font: font(palette, 10) });
    }
  }
  p.unclip();
}

function severityColor(s: DrawState, race: GraphRace): string {
  return race.severity === 'error' ? s.palette.error : s.palette.warning;
}

/** Screen x of an event. */
function ex(s: DrawState, event: number): number {
  return toScreenX(s.view, s.frame, s.scene.x(s.axis)[event]);
}

function drawRaceWindows(p: Painter, s: DrawState): void {
  // Batched per severity (a trace can have a thousand races in view); the selected race is drawn on top, stronger.
  const batches = new Map<string, { rects: number[] }>();
  for (const race of s.races) {
    const selected = race === s.selectedRace;
    const color = severityColor(s, race);
    for (const w of race.window) {
      const g = laneGeometry(s, w.lane);
      if (g === undefined) continue;
      const xf = ex(s, w.from);
      const xt = ex(s, w.to);
      const x1 = Math.min(xf, xt) - 9;
      const x2 = Math.max(xf, xt) + 9;
      if (x2 < s.frame.gutter || x1 > s.frame.width) continue;
      const h = bandHeight(g.h);
      // Clamped to just outside the plot, so the outline's far ends stay off screen and nothing is huge.
      const l = Math.max(x1, s.frame.gutter - 4);
      const r = Math.min(x2, s.frame.width + 4);
      if (selected) {
        p.rect(l, g.cy - h / 2, r - l, h, color, 0.2);
        p.strokeRect(l, g.cy - h / 2, r - l, h, color, 1);
        continue;
      }
      let batch = batches.get(color);
      if (!batch) batches.set(color, (batch = { rects: [] }));
      batch.rects.push(l, g.cy - h / 2, r - l, h);
    }
  }
  for (const [color, { rects }] of batches) p.rects(color, 0.1, Float32Array.from(rects), rects.length / 4);
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
function clipToPlot(s: DrawState, x1: number, y1: number, x2: number, y2: number): [number, number, number, number] | undefined {
  const m = 40;
  return clipSegment(x1, y1, x2, y2, s.frame.gutter - m, s.frame.ruler - m, s.frame.width + m, s.frame.height + m);
}

function arrowHead(p: PathBuilder, x: number, y: number, fromX: number, fromY: number): void {
  const a = Math.atan2(y - fromY, x - fromX);
  const l = 7;
  p.moveTo(x, y);
  p.lineTo(x - l * Math.cos(a - 0.4), y - l * Math.sin(a - 0.4));
  p.lineTo(x - l * Math.cos(a + 0.4), y - l * Math.sin(a + 0.4));
  p.close();
}

const EDGE_DASH = EDGE_KINDS.map((k) => EDGE_STYLES[k].dash);

function drawEdges(p: Painter, s: DrawState, stats: FrameStats): void {
  const { scene, view, frame, palette } = s;
  const x1 = view.x0;
  const x2 = view.x0 + plotWidth(frame) * view.upp;
  const { edges, total, estimated } = scene.visibleEdges(s.axis, x1, x2, EDGE_BUDGET);
  stats.edgesHidden = total - edges.length;
  stats.edgesEstimated = estimated;
  // Too many to read: draw none rather than an arbitrary sample (the status line says so).
  if (total > EDGE_BUDGET) {
    stats.edgesHidden = total;
    return;
  }
  const { from, to, kind, via } = scene.graph.edges;
  const { cls, lane } = scene.graph.events;
  const labelled = total <= 40;
  const left = frame.gutter;
  const right = frame.width;
  type Shape = { xa: number; ya: number; xb: number; yb: number; curved: boolean; k: number };
  const byKind: Shape[][] = palette.edges.map(() => []);
  for (const k of edges) {
    const a = from[k];
    const b = to[k];
    if (!((s.filters.classes >> cls[a]) & 1) || !((s.filters.classes >> cls[b]) & 1)) continue;
    const ya = laneCenter(s, lane[a]);
    const yb = laneCenter(s, lane[b]);
    if (ya === undefined || yb === undefined) continue;
    // Both ends above, or both below, the lanes in view: nothing of it shows.
    if ((ya < frame.ruler && yb < frame.ruler) || (ya > frame.height && yb > frame.height)) continue;
    const xa = ex(s, a);
    const xb = ex(s, b);
    const near = xa > left - 400 && xb < right + 400;
    byKind[kind[k]].push({ xa, ya, xb, yb, curved: near, k });
  }
  byKind.forEach((shapes, kindIndex) => {
    if (shapes.length === 0) return;
    const color = palette.edges[kindIndex];
    const heads: [number, number, number, number][] = [];
    p.strokePath(color, 1.5, EDGE_DASH[kindIndex], 0.85, (path) => {
      for (const { xa, ya, xb, yb, curved } of shapes) {
        const dir = yb > ya ? 1 : -1;
        const ra = MARKER_RADIUS + 1;
        if (curved) {
          const bend = Math.max(12, Math.min(60, Math.abs(xb - xa) / 2));
          path.moveTo(xa, ya + dir * ra);
          path.bezierTo(xa + bend * 0.2, ya + dir * bend, xb - bend * 0.2, yb - dir * bend, xb, yb - dir * ra);
          heads.push([xb, yb - dir * ra, xb - bend * 0.2, yb - dir * bend]);
        } else {
          const c = clipToPlot(s, xa, ya, xb, yb);
          if (!c) continue;
          path.moveTo(c[0], c[1]);
          path.lineTo(c[2], c[3]);
          if (xb >= left && xb <= right) heads.push([xb, yb, xa, ya]);
        }
      }
    });
    p.fillPath(color, 0.85, (path) => {
      for (const [x, y, fx, fy] of heads) arrowHead(path, x, y, fx, fy);
    });
    stats.edges += shapes.length;
    if (labelled) {
      for (const { xa, ya, xb, yb, k } of shapes) {
        const mx = (xa + xb) / 2;
        if (mx > left && mx < right) p.text(scene.graph.strings[via[k]], mx + 4, (ya + yb) / 2, { color, font: font(palette, 10) });
      }
    }
  });
}

const bucketRects: Float32Array[] = [];
/** Reused per class across lanes and frames (no allocation per frame on the hot path). */
const markerRects: Float32Array[] = [];
const bucketCounts: number[] = [];

function drawLane(p: Painter, s: DrawState, row: Row & { kind: 'lane' }, stats: FrameStats): void {
  const { scene, view, frame } = s;
  const lod = scene.lod(s.axis);
  const lane = lod.lanes[row.lane];
  if (lane.order.length === 0) return;
  const x0 = view.x0 - view.upp * MARKER_RADIUS;
  const x1 = view.x0 + (plotWidth(frame) + MARKER_RADIUS) * view.upp;
  const cy = rowTop(s, row) + row.height / 2;
  // Raw events while they are sparse on screen (at most one per few pixels); buckets otherwise.
  const [a, b] = visibleEvents(lane, x0, x1);
  if (b - a <= plotWidth(frame) / RAW_SPACING) {
    drawRawEvents(p, s, lane.order, a, b, cy);
    stats.rawEvents += b - a;
    return;
  }
  const level = pickLevel(lane, view.upp);
  drawBuckets(p, s, lane.levels[Math.max(0, level)], lod.origin, cy, stats);
}

function drawRawEvents(p: Painter, s: DrawState, order: Int32Array, a: number, b: number, cy: number): void {
  const { scene, palette, filters } = s;
  const { cls, name, subject } = scene.graph.events;
  const x = scene.x(s.axis);
  const f = font(palette, 11);
  const shown: number[] = [];
  for (let k = a; k < b; k++) if ((filters.classes >> cls[order[k]]) & 1) shown.push(order[k]);
  // Labels only where there is room for them on average (they alternate above and below the line).
  const labels = shown.length <= plotWidth(s.frame) / LABEL_SPACING;
  const px = shown.map((e) => toScreenX(s.view, s.frame, x[e]));
  const dim = shown.map((e) => !scene.matchesDevice(e, filters.device));
  if (!labels) {
    // Dense: square markers as pixels (hundreds of arcs per lane would cost more than the frame).
    const r = MARKER_RADIUS - 1;
    const alpha = dim.some(Boolean) ? 0.6 : 1;
    palette.classes.forEach((color, c) => {
      if (!markerRects[c] || markerRects[c].length < shown.length * 4) markerRects[c] = new Float32Array(Math.max(256, shown.length * 8));
      const rects = markerRects[c];
      let n = 0;
      for (let k = 0; k < shown.length; k++) {
        if (cls[shown[k]] !== c) continue;
        rects[n] = px[k] - r;
        rects[n + 1] = cy - r;
        rects[n + 2] = 2 * r;
        rects[n + 3] = 2 * r;
        n += 4;
      }
      if (n) p.rects(color, alpha, rects, n / 4);
    });
    return;
  }
  palette.classes.forEach((color, c) => {
    let any = false;
    for (let k = 0; k < shown.length && !any; k++) any = cls[shown[k]] === c;
    if (!any) return;
    p.fillPath(color, 1, (path) => {
      for (let k = 0; k < shown.length; k++) if (cls[shown[k]] === c && !dim[k]) path.circle(px[k], cy, MARKER_RADIUS);
    });
    if (dim.some(Boolean)) {
      p.strokePath(color, 1, [], 1, (path) => {
        for (let k = 0; k < shown.length; k++) if (cls[shown[k]] === c && dim[k]) path.circle(px[k], cy, MARKER_RADIUS - 1);
      });
    }
  });
  if (palette.contrastBorder) {
    p.strokePath(palette.contrastBorder, 1, [], 1, (path) => {
      for (let k = 0; k < shown.length; k++) if (!dim[k]) path.circle(px[k], cy, MARKER_RADIUS);
    });
  }
  if (!labels) return;
  for (let k = 0; k < shown.length; k++) {
    if (dim[k]) continue;
    const e = shown[k];
    // Each label has the room up to the next label on its side of the line.
    const above = k % 2 === 0;
    const next = k + 2 < shown.length ? px[k + 2] : s.frame.width + 200;
    let text = scene.graph.strings[name[e]];
    if (subject[e] >= 0) text += ` ${shortSubject(scene.graph.strings[subject[e]])}`;
    const fitted = fitText(p, text, f, next - px[k] - 8);
    if (fitted) p.text(fitted, px[k] - 4, cy + (above ? -14 : 14), { color: palette.foreground, font: f, baseline: 'middle' });
  }
}

function drawBuckets(p: Painter, s: DrawState, level: LodLevel, origin: number, cy: number, stats: FrameStats): void {
  const { view, frame, palette, filters } = s;
  const x0 = view.x0;
  const x1 = view.x0 + plotWidth(frame) * view.upp;
  const [a, b] = visibleBuckets(level, origin, x0, x1);
  stats.buckets += b - a;
  const colors = palette.classes.length;
  for (let c = 0; c <= colors; c++) {
    if (!bucketRects[c] || bucketRects[c].length < (b - a + 1) * 4) bucketRects[c] = new Float32Array(Math.max(1024, (b - a + 1) * 8));
    bucketCounts[c] = 0;
  }
  const marks = colors; // the last buffer holds race marks
  let runColor = -1;
  let runStart = 0;
  let runEnd = 0;
  let runHeight = 0;
  const flush = () => {
    if (runColor < 0) return;
    const buf = bucketRects[runColor];
    const k = bucketCounts[runColor]++ * 4;
    buf[k] = runStart;
    buf[k + 1] = cy - runHeight / 2;
    buf[k + 2] = Math.max(1, runEnd - runStart);
    buf[k + 3] = runHeight;
  };
  const w = level.width / view.upp;
  for (let k = a; k < b; k++) {
    const mask = level.classes[k] & filters.classes;
    if (mask === 0) continue;
    let color = 6;
    for (const c of CLASS_PRIORITY) {
      if ((mask >> c) & 1) {
        color = c;
        break;
      }
    }
    const left = frame.gutter + (origin + level.index[k] * level.width - view.x0) / view.upp;
    const right = left + w;
    const h = Math.min(22, 6 + 2 * Math.log2(level.count[k]));
    if (color === runColor && left <= runEnd + 0.5) {
      runEnd = right;
      if (h > runHeight) runHeight = h;
    } else {
      flush();
      runColor = color;
      runStart = left;
      runEnd = right;
      runHeight = h;
    }
    if (level.marked[k]) {
      const buf = bucketRects[marks];
      const m = bucketCounts[marks]++ * 4;
      buf[m] = left;
      buf[m + 1] = cy - 17;
      buf[m + 2] = Math.max(2, w);
      buf[m + 3] = 4;
    }
  }
  flush();
  for (let c = 0; c < colors; c++) if (bucketCounts[c]) p.rects(palette.classes[c], 0.9, bucketRects[c], bucketCounts[c]);
  if (bucketCounts[marks]) p.rects(palette.error, 1, bucketRects[marks], bucketCounts[marks]);
}

function drawRacePairs(p: Painter, s: DrawState): void {
  const { palette, scene } = s;
  const left = s.frame.gutter - 60;
  const right = s.frame.width + 60;
  // Entirely left or right of the view: nothing to draw (a trace can have thousands of races).
  const inView = s.races.filter((race) => {
    const xa = ex(s, race.primary);
    const xo = race.other >= 0 ? ex(s, race.other) : xa;
    return !((xa < left && xo < left) || (xa > right && xo > right));
  });
  // With many races in view, the links and tags would hide the lanes: only the selected race keeps them.
  const crowded = inView.length > RACE_DETAIL_LIMIT;
  for (const race of inView) {
    const color = severityColor(s, race);
    const xa = ex(s, race.primary);
    const ga = laneGeometry(s, scene.graph.events.lane[race.primary]);
    if (ga === undefined) continue;
    const ya = ga.cy;
    p.circle(xa, ya, MARKER_RADIUS + 3.5, 'none', color, 2.5);
    if (crowded && race !== s.selectedRace) continue;
    const yb = race.other >= 0 ? laneCenter(s, scene.graph.events.lane[race.other]) : undefined;
    if (yb !== undefined) {
      const xb = ex(s, race.other);
      p.circle(xb, yb, MARKER_RADIUS + 3.5, 'none', color, 2.5);
      const c = clipToPlot(s, xa, ya, xb, yb);
      if (c) p.line(c[0], c[1], c[2], c[3], color, 2, [6, 4]);
    }
    const tag = `${race.rule} ${race.severity}`;
    const f = font(palette, 11, 'bold');
    const w = p.measure(tag, f) + 8;
    // The tag sits on the top edge of the race window, right of the primary event.
    const top = ya - bandHeight(ga.h) / 2 - 8;
    p.rect(xa - 4, top, w, 15, color, 0.95);
    p.text(tag, xa, top + 7.5, { color: palette.background, font: f });
  }
}

function drawWitness(p: Painter, s: DrawState, race: GraphRace): void {
  const { palette, scene } = s;
  const points: number[] = [];
  const badges: [number, number, number][] = [];
  race.witness.forEach((step, k) => {
    if (step.event < 0) return;
    const y = laneCenter(s, scene.graph.events.lane[step.event]);
    if (y === undefined) return;
    const x = ex(s, step.event);
    points.push(x, y);
    badges.push([x, y, k + 1]);
  });
  // The schedule as a path through its steps, numbered in the order they run.
  p.strokePath(palette.witness, 1.2, [4, 3], 1, (path) => {
    for (let k = 0; k + 3 < points.length; k += 2) {
      const c = clipToPlot(s, points[k], points[k + 1], points[k + 2], points[k + 3]);
      if (!c) continue;
      path.moveTo(c[0], c[1]);
      path.lineTo(c[2], c[3]);
    }
  });
  const f = font(palette, 10, 'bold');
  for (const [x, y, n] of badges) {
    p.circle(x, y, 8, palette.witness, palette.background, 1.5);
    p.text(String(n), x, y + 0.5, { color: palette.background, font: f, align: 'center' });
  }
}

function drawSelection(p: Painter, s: DrawState): void {
  for (const [e, width] of [[s.hoverEvent, 1], [s.selectedEvent, 2.5]] as const) {
    if (e < 0) continue;
    const y = laneCenter(s, s.scene.graph.events.lane[e]);
    if (y === undefined) continue;
    p.circle(ex(s, e), y, MARKER_RADIUS + 6, 'none', s.palette.focus, width);
  }
}
