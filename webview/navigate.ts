// Where the view goes to show a race or an event: the viewport maths of
// "fit to race" and of scrolling a selected event into view.

import type { GraphRace } from '../extension/core/graph/model';
import type { Axis, Row, Scene } from './scene';
import { fitRange, plotHeight, plotWidth, toScreenX, type Frame, type Viewport } from './view';

/** A view of the race's events and windows, with some context around a short race. */
export function raceView(scene: Scene, axis: Axis, rows: Row[], frame: Frame, view: Viewport, race: GraphRace): Viewport {
  const x = scene.x(axis);
  const events = [race.primary, ...race.related, ...race.window.flatMap((w) => [w.from, w.to])].filter((e) => e >= 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    lo = Math.min(lo, x[e]);
    hi = Math.max(hi, x[e]);
  }
  const lanes = race.window.map((w) => w.lane).concat(scene.graph.events.lane[race.primary]);
  const ys = rows.filter((r) => r.kind === 'lane' && lanes.includes(r.lane)).map((r) => r.y);
  let top = Infinity;
  for (const y of ys) top = Math.min(top, y);
  const scrollY = ys.length ? Math.max(0, top - 24) : view.scrollY;
  // Keep some context around a short race: at least a tenth of the trace, or ten happens-before steps.
  const [min, max] = scene.extent(axis);
  const least = Math.min(max - min, axis === 'hb' ? 10 : (max - min) / 10);
  if (hi - lo < least) {
    const grow = (least - (hi - lo)) / 2;
    [lo, hi] = [Math.max(min, lo - grow), Math.min(max, hi + grow)];
  }
  return fitRange(frame, lo, hi, scrollY, 0.1);
}

/** The view moved just enough to show the event (centred when it is off screen), its lane scrolled into view. */
export function revealView(scene: Scene, axis: Axis, rows: Row[], frame: Frame, view: Viewport, event: number): Viewport {
  const x = scene.x(axis)[event];
  const px = toScreenX(view, frame, x);
  let v = view;
  if (px < frame.gutter + 20 || px > frame.width - 20) v = { ...v, x0: x - (plotWidth(frame) / 2) * v.upp };
  const row = rows.find((r) => r.kind === 'lane' && r.lane === scene.graph.events.lane[event]);
  if (row && (row.y < v.scrollY || row.y + row.height > v.scrollY + plotHeight(frame))) v = { ...v, scrollY: row.y - plotHeight(frame) / 3 };
  return v;
}
