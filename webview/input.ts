// Pointer, wheel and keyboard input on the graph's canvas, turned into the
// app's navigation and selection calls (the key table is in docs/graph.md).

import { LANE_HEIGHT } from './scene';
import { panBy, plotWidth, type Frame, type Viewport } from './view';

/** What input acts on (the app). */
export interface InputTarget {
  readonly frame: Frame;
  readonly view: Viewport;
  moveView(v: Viewport): void;
  /** Zoom by `factor` (> 1 zooms out) around screen x `px`. */
  zoom(px: number, factor: number): void;
  centerOnMinimap(px: number): void;
  /** The event under canvas point (px, py), or -1. */
  eventAt(px: number, py: number): number;
  selectEvent(event: number, reveal: boolean, notifyHost: boolean): void;
  hover(px: number, py: number, clientX: number, clientY: number): void;
  /** The pointer left the canvas. */
  leave(): void;
  fitAll(): void;
  fitRace(): void;
  stepRace(delta: number): void;
  stepEvent(delta: number): void;
  /** Show the selected event's line in the editor. */
  revealSelected(): void;
  clearSelection(): void;
}

export function bindInput(c: HTMLCanvasElement, app: InputTarget): void {
  let drag: { x: number; y: number; view: Viewport; moved: boolean; minimap: boolean } | undefined;
  c.addEventListener('wheel', (e) => {
    e.preventDefault();
    const rect = c.getBoundingClientRect();
    const px = e.clientX - rect.left;
    if (e.shiftKey) app.moveView(panBy(app.view, 0, -e.deltaY));
    else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) app.moveView(panBy(app.view, -e.deltaX, 0));
    else app.zoom(px, Math.exp(e.deltaY * 0.0025));
  }, { passive: false });
  c.addEventListener('pointerdown', (e) => {
    const rect = c.getBoundingClientRect();
    const y = e.clientY - rect.top;
    drag = { x: e.clientX, y: e.clientY, view: app.view, moved: false, minimap: y > app.frame.height - app.frame.minimap };
    c.setPointerCapture(e.pointerId);
    if (drag.minimap) app.centerOnMinimap(e.clientX - rect.left);
  });
  c.addEventListener('pointermove', (e) => {
    const rect = c.getBoundingClientRect();
    if (drag) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.minimap) app.centerOnMinimap(e.clientX - rect.left);
      else if (drag.moved) app.moveView(panBy(drag.view, dx, dy));
      return;
    }
    app.hover(e.clientX - rect.left, e.clientY - rect.top, e.clientX, e.clientY);
  });
  c.addEventListener('pointerup', (e) => {
    const d = drag;
    drag = undefined;
    if (!d || d.moved || d.minimap) return;
    const rect = c.getBoundingClientRect();
    const event = app.eventAt(e.clientX - rect.left, e.clientY - rect.top);
    if (event >= 0) app.selectEvent(event, false, true);
  });
  c.addEventListener('pointerleave', () => app.leave());
  c.addEventListener('keydown', (e) => {
    if (key(app, e.key)) e.preventDefault();
  });
}

/** Acts on a key; false when the key means nothing here. */
function key(app: InputTarget, k: string): boolean {
  const w = plotWidth(app.frame);
  const mid = app.frame.gutter + w / 2;
  switch (k) {
    case 'ArrowLeft':
    case 'a':
      app.moveView(panBy(app.view, w * 0.15, 0));
      return true;
    case 'ArrowRight':
    case 'd':
      app.moveView(panBy(app.view, -w * 0.15, 0));
      return true;
    case 'ArrowUp':
      app.moveView(panBy(app.view, 0, LANE_HEIGHT));
      return true;
    case 'ArrowDown':
      app.moveView(panBy(app.view, 0, -LANE_HEIGHT));
      return true;
    case '+':
    case '=':
    case 'w':
      app.zoom(mid, 1 / 1.5);
      return true;
    case '-':
    case 's':
      app.zoom(mid, 1.5);
      return true;
    case '0':
    case 'Home':
      app.fitAll();
      return true;
    case 'f':
      app.fitRace();
      return true;
    case 'n':
      app.stepRace(1);
      return true;
    case 'p':
      app.stepRace(-1);
      return true;
    case '.':
      app.stepEvent(1);
      return true;
    case ',':
      app.stepEvent(-1);
      return true;
    case 'Enter':
      app.revealSelected();
      return true;
    case 'Escape':
      app.clearSelection();
      return true;
    default:
      return false;
  }
}
