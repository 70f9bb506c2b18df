// The races: shaded windows, the conflicting events ringed and linked with
// their rule tag, the selected race's witness schedule, and the selection.

import type { GraphRace } from '../extension/core/graph/model';
import type { Painter } from './painter';
import type { Axis } from './scene';
import { toScreenX } from './view';
import { bandHeight, clipToPlot, ex, font, laneCenter, laneGeometry, MARKER_RADIUS, severityColor, type DrawState } from './layout';

/** Races in view beyond which only the selected one shows its link and tag. */
const RACE_DETAIL_LIMIT = 24;

const WINDOW_ALPHA = 0.1;
/** The ring around a race's event: its radius, stroke width, and how far from the event it reaches. */
const RING_RADIUS = MARKER_RADIUS + 3.5;
const RING_WIDTH = 2.5;
const RING_REACH = RING_RADIUS + RING_WIDTH / 2;

export function drawRaceWindows(p: Painter, s: DrawState): void {
  const { frame, view } = s;
  const plotTop = frame.ruler;
  const plotBottom = frame.height - frame.minimap;
  const laneCount = s.scene.graph.lanes.length;
  // Each lane's centre and band height this frame (NaN: filtered out).
  const bandCy = new Float64Array(laneCount).fill(Number.NaN);
  const bandH = new Float64Array(laneCount);
  for (let lane = 0; lane < laneCount; lane++) {
    const g = laneGeometry(s, lane);
    if (g === undefined) continue;
    bandCy[lane] = g.cy;
    bandH[lane] = bandHeight(g.h);
  }
  // Batched per colour (in the order they first show) and lane: a trace can have thousands of windows in view.
  const colors: string[] = [];
  const spans: number[][][] = [];
  const table = windowTable(s);
  for (let k = 0; k < table.race.length; k++) {
    const x1 = toScreenX(view, frame, table.lo[k]) - 9;
    const x2 = toScreenX(view, frame, table.hi[k]) + 9;
    if (x2 < frame.gutter || x1 > frame.width) continue;
    const lane = table.lane[k];
    const cy = bandCy[lane];
    const h = bandH[lane];
    if (Number.isNaN(cy) || cy + h / 2 < plotTop || cy - h / 2 > plotBottom) continue;
    // Clamped to just outside the plot, so the outline's far ends stay off screen and nothing is huge.
    const l = Math.max(x1, frame.gutter - 4);
    const r = Math.min(x2, frame.width + 4);
    const race = s.races[table.race[k]];
    const color = severityColor(s, race);
    if (race === s.selectedRace) {
      // The selected race's windows are stronger.
      p.rect(l, cy - h / 2, r - l, h, color, 0.2);
      p.strokeRect(l, cy - h / 2, r - l, h, color, 1);
      continue;
    }
    let c = colors.indexOf(color);
    if (c < 0) {
      c = colors.push(color) - 1;
      spans.push([]);
    }
    (spans[c][lane] ??= []).push(l, r);
  }
  colors.forEach((color, c) => {
    // Where n windows of a lane overlap, one rectangle of the colour n translucent layers make (each pixel blended once).
    const byDepth: number[][] = [];
    spans[c].forEach((laneSpans, lane) => {
      const top = bandCy[lane] - bandH[lane] / 2;
      overlapDepths(laneSpans, (from, to, depth) => (byDepth[depth] ??= []).push(from, top, to - from, bandH[lane]));
    });
    byDepth.forEach((rects, depth) => p.rects(color, 1 - (1 - WINDOW_ALPHA) ** depth, Float32Array.from(rects), rects.length / 4));
  });
}

/** Every window of a list of races, flat: its ends on the axis, its lane and its race (by position in the list). */
interface WindowTable {
  lo: Float64Array;
  hi: Float64Array;
  lane: Int32Array;
  race: Int32Array;
}

/** Per list of races (the filters make a new one) and axis. */
const windowTables = new WeakMap<GraphRace[], Partial<Record<Axis, WindowTable>>>();

function windowTable(s: DrawState): WindowTable {
  let byAxis = windowTables.get(s.races);
  if (!byAxis) windowTables.set(s.races, (byAxis = {}));
  let table = byAxis[s.axis];
  if (!table) {
    const x = s.scene.x(s.axis);
    const n = s.races.reduce((sum, race) => sum + race.window.length, 0);
    const flat = { lo: new Float64Array(n), hi: new Float64Array(n), lane: new Int32Array(n), race: new Int32Array(n) };
    let k = 0;
    s.races.forEach((race, r) => {
      for (const w of race.window) {
        flat.lo[k] = Math.min(x[w.from], x[w.to]);
        flat.hi[k] = Math.max(x[w.from], x[w.to]);
        flat.lane[k] = w.lane;
        flat.race[k] = r;
        k++;
      }
    });
    byAxis[s.axis] = table = flat;
  }
  return table;
}

/** Splits the spans (from, to pairs) into pieces covered by the same number of them: calls `piece(from, to, depth)` for each covered piece. */
export function overlapDepths(spans: number[], piece: (from: number, to: number, depth: number) => void): void {
  // Sweep the starts (+1) and ends (-1) in x order, keeping the number of open spans.
  const n = spans.length / 2;
  const xs = new Float64Array(2 * n);
  const delta = new Int8Array(2 * n);
  const idx = new Uint32Array(2 * n);
  for (let k = 0; k < n; k++) {
    xs[2 * k] = spans[2 * k];
    delta[2 * k] = 1;
    xs[2 * k + 1] = spans[2 * k + 1];
    delta[2 * k + 1] = -1;
  }
  for (let k = 0; k < idx.length; k++) idx[k] = k;
  idx.sort((a, b) => xs[a] - xs[b]);
  let depth = 0;
  for (let k = 0; k < idx.length; k++) {
    depth += delta[idx[k]];
    const from = xs[idx[k]];
    const to = k + 1 < idx.length ? xs[idx[k + 1]] : from;
    if (depth > 0 && to > from) piece(from, to, depth);
  }
}

/** A race's tag ("DMR2 error") beside its primary event. */
export interface RaceTag {
  race: GraphRace;
  text: string;
  width: number;
  /** The label row the lane pass gave it (opposite its event's own label), or undefined: on top of the race window. */
  x?: number;
  y?: number;
}

/** The races near the view (a trace can have thousands): entirely left or right of it, nothing is drawn. */
export function racesInView(s: DrawState): GraphRace[] {
  const left = s.frame.gutter - 60;
  const right = s.frame.width + 60;
  return s.races.filter((race) => {
    const xa = ex(s, race.primary);
    const xo = race.other >= 0 ? ex(s, race.other) : xa;
    return !((xa < left && xo < left) || (xa > right && xo > right));
  });
}

/**
 * The tags this frame draws, by primary event. With many races in view the
 * links and tags would hide the lanes: only the selected race keeps them.
 */
export function raceTags(p: Painter, s: DrawState, inView: GraphRace[]): Map<number, RaceTag> {
  const crowded = inView.length > RACE_DETAIL_LIMIT;
  const f = tagFont(s);
  const tags = new Map<number, RaceTag>();
  for (const race of inView) {
    if (race !== s.selectedRace && (crowded || tags.has(race.primary))) continue;
    const text = `${race.rule} ${race.severity}`;
    tags.set(race.primary, { race, text, width: p.measure(text, f) + 8 });
  }
  return tags;
}

const tagFont = (s: DrawState): string => font(s.palette, 11, 'bold');

export function drawRacePairs(p: Painter, s: DrawState, inView: GraphRace[], tags: Map<number, RaceTag>): void {
  const { palette, scene, frame } = s;
  // The rings around the primary events, one path per severity: only those that reach into the plot, and
  // one per pixel of a lane (zoomed out, hundreds of races share a few pixels, and every ring stroked costs).
  const left = frame.gutter - RING_REACH;
  const right = frame.width + RING_REACH;
  const top = frame.ruler - RING_REACH;
  const bottom = frame.height - frame.minimap + RING_REACH;
  for (const color of [palette.error, palette.warning]) {
    const drawn = new Set<number>();
    p.strokePath(color, RING_WIDTH, [], 1, (path) => {
      for (const race of inView) {
        if (severityColor(s, race) !== color) continue;
        const lane = scene.graph.events.lane[race.primary];
        const y = laneCenter(s, lane);
        const x = ex(s, race.primary);
        if (y === undefined || x < left || x > right || y < top || y > bottom) continue;
        const pixel = lane * 65536 + Math.round(x - left);
        if (drawn.has(pixel)) continue;
        drawn.add(pixel);
        path.circle(x, y, RING_RADIUS);
      }
    });
  }
  const crowded = inView.length > RACE_DETAIL_LIMIT;
  for (const race of inView) {
    if (crowded && race !== s.selectedRace) continue;
    const ya = laneCenter(s, scene.graph.events.lane[race.primary]);
    const yb = race.other >= 0 ? laneCenter(s, scene.graph.events.lane[race.other]) : undefined;
    if (ya === undefined || yb === undefined) continue;
    const color = severityColor(s, race);
    const xa = ex(s, race.primary);
    const xb = ex(s, race.other);
    p.circle(xb, yb, RING_RADIUS, 'none', color, RING_WIDTH);
    const c = clipToPlot(s, xa, ya, xb, yb);
    if (c) p.line(c[0], c[1], c[2], c[3], color, 2, [6, 4]);
  }
  for (const tag of tags.values()) {
    const ga = laneGeometry(s, scene.graph.events.lane[tag.race.primary]);
    if (ga === undefined) continue;
    // In the label row the lane left free for it, or else on the top edge of the race window, right of the primary event.
    const x = tag.x ?? ex(s, tag.race.primary) - 4;
    const middle = tag.y ?? ga.cy - bandHeight(ga.h) / 2 - 0.5;
    p.rect(x, middle - 7.5, tag.width, 15, severityColor(s, tag.race), 0.95);
    p.text(tag.text, x + 4, middle, { color: palette.background, font: tagFont(s) });
  }
}

export function drawWitness(p: Painter, s: DrawState, race: GraphRace): void {
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

export function drawSelection(p: Painter, s: DrawState): void {
  for (const [e, width] of [[s.hoverEvent, 1], [s.selectedEvent, 2.5]] as const) {
    if (e < 0) continue;
    const y = laneCenter(s, s.scene.graph.events.lane[e]);
    if (y === undefined) continue;
    p.circle(ex(s, e), y, MARKER_RADIUS + 6, 'none', s.palette.focus, width);
  }
}
