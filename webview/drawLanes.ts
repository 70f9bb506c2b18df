// The lanes' events: level-of-detail buckets when they are dense on screen,
// square markers when they are a few pixels apart, dots with labels when
// there is room. Buffers are reused across lanes and frames.

import { pickLevel, visibleBuckets, visibleEvents, type LodLevel } from './lod';
import type { Painter } from './painter';
import type { Row } from './scene';
import type { RaceTag } from './drawRaces';
import { fitText, font, MARKER_RADIUS, rowTop, shortSubject, type DrawState, type FrameStats } from './layout';
import { plotWidth, toScreenX } from './view';

/** Class colour priority when a bucket mixes classes: the ones races are about first. */
export const CLASS_PRIORITY = [2, 3, 1, 4, 5, 0, 6];
/** The colour (class) a bucket is drawn in, by its mask of classes: the first of CLASS_PRIORITY in it. */
export const BUCKET_CLASS = Uint8Array.from({ length: 256 }, (_, mask) => CLASS_PRIORITY.find((c) => (mask >> c) & 1) ?? 6);
/** A bucket's height in pixels by its number of events (it grows with the log of it, up to 22 at 256 events). */
const BUCKET_HEIGHT = Float64Array.from({ length: 256 }, (_, n) => Math.min(22, 6 + 2 * Math.log2(n)));
/** Labels are drawn when a lane has at most one event per this many pixels in view. */
const LABEL_SPACING = 36;
/** Below this many pixels of room a label would be cut to a few letters: not drawn. */
const MIN_LABEL_ROOM = 24;
/** Labels sit this far above and below the lane's line, alternately. */
const LABEL_OFFSET = 14;
/** Free pixels kept on each side of a race tag in a label row. */
const TAG_GAP = 6;
/** Raw events are drawn when a lane has at most one per this many pixels in view. */
const RAW_SPACING = 3;

const bucketRects: Float32Array[] = [];
/** Reused per class across lanes and frames (no allocation per frame on the hot path). */
const markerRects: Float32Array[] = [];
const bucketCounts: number[] = [];

/**
 * One lane, in two passes: 'rects' draws the buckets or the dense markers,
 * 'marks' the sparse events as circles with their labels (over the edges).
 */
export function drawLane(p: Painter, s: DrawState, row: Row & { kind: 'lane' }, stats: FrameStats, pass: 'rects' | 'marks', tags: Map<number, RaceTag>): void {
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
    drawRawEvents(p, s, lane.order, a, b, cy, pass, tags);
    if (pass === 'rects') stats.rawEvents += b - a;
    return;
  }
  if (pass === 'marks') return;
  const level = pickLevel(lane, view.upp);
  drawBuckets(p, s, lane.levels[Math.max(0, level)], lod.origin, cy, stats);
}

/** Reused across lanes and frames (no allocation per frame on the hot path): the shown events, their x, dimmed or not. */
let shownEvents = new Int32Array(1024);
let shownX = new Float64Array(1024);
let shownDim = new Uint8Array(1024);

function drawRawEvents(p: Painter, s: DrawState, order: Int32Array, a: number, b: number, cy: number, pass: 'rects' | 'marks', tags: Map<number, RaceTag>): void {
  const { scene, palette, filters } = s;
  const { cls, name, subject } = scene.graph.events;
  const x = scene.x(s.axis);
  if (shownEvents.length < b - a) {
    shownEvents = new Int32Array((b - a) * 2);
    shownX = new Float64Array((b - a) * 2);
    shownDim = new Uint8Array((b - a) * 2);
  }
  const shown = shownEvents;
  const px = shownX;
  const dim = shownDim;
  let n = 0;
  let anyDim = false;
  let present = 0;
  for (let k = a; k < b; k++) {
    const e = order[k];
    if (!((filters.classes >> cls[e]) & 1)) continue;
    shown[n] = e;
    px[n] = toScreenX(s.view, s.frame, x[e]);
    const d = !scene.matchesDevice(e, filters.device);
    dim[n] = d ? 1 : 0;
    anyDim ||= d;
    present |= 1 << cls[e];
    n++;
  }
  // Labels only where there is room for them on average (they alternate above and below the line).
  const labels = n <= plotWidth(s.frame) / LABEL_SPACING;
  if (labels !== (pass === 'marks')) return;
  if (!labels) {
    // Dense: square markers as pixels (hundreds of arcs per lane would cost more than the frame).
    const r = MARKER_RADIUS - 1;
    const alpha = anyDim ? 0.6 : 1;
    for (let c = 0; c < palette.classes.length; c++) {
      if (!((present >> c) & 1)) continue;
      if (!markerRects[c] || markerRects[c].length < n * 4) markerRects[c] = new Float32Array(Math.max(256, n * 8));
      const rects = markerRects[c];
      let m = 0;
      for (let k = 0; k < n; k++) {
        if (cls[shown[k]] !== c) continue;
        rects[m] = px[k] - r;
        rects[m + 1] = cy - r;
        rects[m + 2] = 2 * r;
        rects[m + 3] = 2 * r;
        m += 4;
      }
      p.rects(palette.classes[c], alpha, rects, m / 4);
    }
    return;
  }
  for (let c = 0; c < palette.classes.length; c++) {
    if (!((present >> c) & 1)) continue;
    const color = palette.classes[c];
    p.fillPath(color, 1, (path) => {
      for (let k = 0; k < n; k++) if (cls[shown[k]] === c && !dim[k]) path.circle(px[k], cy, MARKER_RADIUS);
    });
    if (anyDim) {
      p.strokePath(color, 1, [], 1, (path) => {
        for (let k = 0; k < n; k++) if (cls[shown[k]] === c && dim[k]) path.circle(px[k], cy, MARKER_RADIUS - 1);
      });
    }
  }
  if (palette.contrastBorder) {
    p.strokePath(palette.contrastBorder, 1, [], 1, (path) => {
      for (let k = 0; k < n; k++) if (!dim[k]) path.circle(px[k], cy, MARKER_RADIUS);
    });
  }
  // A race's tag goes in the label row opposite its event's own label; labels in that row stop short of it.
  const taken: number[] = [];
  for (let k = 0; k < n && tags.size > 0; k++) {
    const tag = tags.get(shown[k]);
    if (!tag) continue;
    const above = k % 2 === 0;
    tag.x = px[k] - 4;
    tag.y = cy + (above ? LABEL_OFFSET : -LABEL_OFFSET);
    taken.push(above ? 1 : 0, tag.x - TAG_GAP, tag.x + tag.width + TAG_GAP);
  }
  const f = font(palette, 11);
  const style = { color: palette.foreground, font: f, baseline: 'middle' as const };
  for (let k = 0; k < n; k++) {
    if (dim[k]) continue;
    const e = shown[k];
    const side = k % 2;
    const start = px[k] - 4;
    // Each label has the room up to the next label on its side of the line (or a tag there); none when too little is left to read.
    let room = (k + 2 < n ? px[k + 2] : s.frame.width + 200) - px[k] - 8;
    for (let t = 0; t < taken.length; t += 3) {
      if (taken[t] !== side || taken[t + 2] <= start) continue;
      room = taken[t + 1] <= start ? 0 : Math.min(room, taken[t + 1] - start);
    }
    if (room < MIN_LABEL_ROOM || px[k] > s.frame.width || px[k] + room < s.frame.gutter) continue;
    let text = scene.graph.strings[name[e]];
    if (subject[e] >= 0) text += ` ${shortSubject(scene.graph.strings[subject[e]])}`;
    const fitted = fitText(p, text, f, room);
    if (fitted) p.text(fitted, start, cy + (side === 0 ? -LABEL_OFFSET : LABEL_OFFSET), style);
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
    const color = BUCKET_CLASS[mask];
    const left = frame.gutter + (origin + level.index[k] * level.width - view.x0) / view.upp;
    const right = left + w;
    const events = level.count[k];
    const h = events < 256 ? BUCKET_HEIGHT[events] : 22;
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
