// The races: shaded windows, the conflicting events ringed and linked with
// their rule tag, the selected race's witness schedule, and the selection.

import type { GraphRace } from '../extension/core/graph/model';
import type { Painter } from './painter';
import { bandHeight, clipToPlot, ex, font, laneCenter, laneGeometry, MARKER_RADIUS, severityColor, type DrawState } from './layout';

/** Races in view beyond which only the selected one shows its link and tag. */
const RACE_DETAIL_LIMIT = 24;

const WINDOW_ALPHA = 0.1;

export function drawRaceWindows(p: Painter, s: DrawState): void {
  // Batched per severity and lane (a trace can have thousands of races in view); the selected race is stronger.
  const batches = new Map<string, Map<number, number[]>>();
  const plotTop = s.frame.ruler;
  const plotBottom = s.frame.height - s.frame.minimap;
  for (const race of s.races) {
    const selected = race === s.selectedRace;
    const color = severityColor(s, race);
    for (const w of race.window) {
      const xf = ex(s, w.from);
      const xt = ex(s, w.to);
      const x1 = Math.min(xf, xt) - 9;
      const x2 = Math.max(xf, xt) + 9;
      if (x2 < s.frame.gutter || x1 > s.frame.width) continue;
      const g = laneGeometry(s, w.lane);
      if (g === undefined) continue;
      const h = bandHeight(g.h);
      if (g.cy + h / 2 < plotTop || g.cy - h / 2 > plotBottom) continue;
      // Clamped to just outside the plot, so the outline's far ends stay off screen and nothing is huge.
      const l = Math.max(x1, s.frame.gutter - 4);
      const r = Math.min(x2, s.frame.width + 4);
      if (selected) {
        p.rect(l, g.cy - h / 2, r - l, h, color, 0.2);
        p.strokeRect(l, g.cy - h / 2, r - l, h, color, 1);
        continue;
      }
      let lanes = batches.get(color);
      if (!lanes) batches.set(color, (lanes = new Map()));
      let spans = lanes.get(w.lane);
      if (!spans) lanes.set(w.lane, (spans = []));
      spans.push(l, r);
    }
  }
  for (const [color, lanes] of batches) {
    // Where n windows of a lane overlap, one rectangle of the colour n translucent layers make (each pixel blended once).
    const byDepth: number[][] = [];
    for (const [lane, spans] of lanes) {
      const g = laneGeometry(s, lane);
      if (!g) continue;
      const h = bandHeight(g.h);
      overlapDepths(spans, (from, to, depth) => (byDepth[depth] ??= []).push(from, g.cy - h / 2, to - from, h));
    }
    byDepth.forEach((rects, depth) => p.rects(color, 1 - (1 - WINDOW_ALPHA) ** depth, Float32Array.from(rects), rects.length / 4));
  }
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
  const { palette, scene } = s;
  // The rings around the primary events, one path per severity.
  for (const color of [palette.error, palette.warning]) {
    p.strokePath(color, 2.5, [], 1, (path) => {
      for (const race of inView) {
        if (severityColor(s, race) !== color) continue;
        const ya = laneCenter(s, scene.graph.events.lane[race.primary]);
        if (ya !== undefined) path.circle(ex(s, race.primary), ya, MARKER_RADIUS + 3.5);
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
    p.circle(xb, yb, MARKER_RADIUS + 3.5, 'none', color, 2.5);
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
