// The edges between tasks in view (lock hand-off, reads-from, uevent, !hb,
// fork/wait, module release), batched into one path per kind.

import { EDGE_KINDS } from '../extension/core/graph/model';
import type { PathBuilder, Painter } from './painter';
import { clipToPlot, ex, font, laneCenter, MARKER_RADIUS, type DrawState, type FrameStats } from './layout';
import { EDGE_STYLES } from './theme';
import { plotWidth } from './view';

/** More edges than this in view are not drawn (unreadable, and the frame budget goes to them). */
const EDGE_BUDGET = 200;

function arrowHead(p: PathBuilder, x: number, y: number, fromX: number, fromY: number): void {
  const a = Math.atan2(y - fromY, x - fromX);
  const l = 7;
  p.moveTo(x, y);
  p.lineTo(x - l * Math.cos(a - 0.4), y - l * Math.sin(a - 0.4));
  p.lineTo(x - l * Math.cos(a + 0.4), y - l * Math.sin(a + 0.4));
  p.close();
}

const EDGE_DASH = EDGE_KINDS.map((k) => EDGE_STYLES[k].dash);

export function drawEdges(p: Painter, s: DrawState, stats: FrameStats): void {
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
