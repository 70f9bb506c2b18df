// The overview strip: every lane's density over the whole axis, cached in an
// offscreen canvas (redrawn only when the axis, filters, size or theme change),
// with the viewport drawn on top each frame.

import { pickLevel, visibleBuckets } from './lod';
import type { Axis, Filters, Row, Scene } from './scene';
import { BUCKET_CLASS } from './drawLanes';
import type { Palette } from './theme';
import { plotWidth, type Frame, type Viewport } from './view';

export class Minimap {
  private cache?: HTMLCanvasElement;
  private key = '';

  /** Draws the minimap into `ctx` (CSS pixel coordinates) at the bottom of `frame`. */
  draw(ctx: CanvasRenderingContext2D, scene: Scene, axis: Axis, filters: Filters, rows: Row[], frame: Frame, view: Viewport, palette: Palette, dpr: number): void {
    const top = frame.height - frame.minimap;
    const key = [axis, JSON.stringify(filters), frame.width, frame.minimap, dpr, palette.background, palette.classes.join(), scene.graph.eventCount, scene.graph.title].join('|');
    if (key !== this.key || !this.cache) {
      this.cache = this.render(scene, axis, filters, rows, frame, palette, dpr);
      this.key = key;
    }
    ctx.drawImage(this.cache, 0, top, frame.width, frame.minimap);
    const [lo, hi] = scene.extent(axis);
    const scale = plotWidth(frame) / (hi - lo);
    // The viewport's box, clamped to the strip (the view may show a margin beyond the trace's ends).
    const left = Math.max(frame.gutter, frame.gutter + (view.x0 - lo) * scale);
    const right = Math.min(frame.width, frame.gutter + (view.x0 + plotWidth(frame) * view.upp - lo) * scale);
    const vx = Math.min(left, frame.width - 3);
    const vw = Math.max(3, right - vx);
    ctx.strokeStyle = palette.focus;
    ctx.lineWidth = 1.5;
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = palette.focus;
    ctx.fillRect(vx, top + 2, vw, frame.minimap - 4);
    ctx.globalAlpha = 1;
    ctx.strokeRect(vx, top + 2, vw, frame.minimap - 4);
  }

  /** The axis value at screen x of the minimap. */
  axisAt(scene: Scene, axis: Axis, frame: Frame, px: number): number {
    const [lo, hi] = scene.extent(axis);
    return lo + ((px - frame.gutter) / plotWidth(frame)) * (hi - lo);
  }

  private render(scene: Scene, axis: Axis, filters: Filters, rows: Row[], frame: Frame, palette: Palette, dpr: number): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(frame.width * dpr));
    canvas.height = Math.max(1, Math.round(frame.minimap * dpr));
    const ctx = canvas.getContext('2d');
    if (!ctx) return canvas;
    ctx.scale(dpr, dpr);
    ctx.fillStyle = palette.gutter;
    ctx.fillRect(0, 0, frame.width, frame.minimap);
    ctx.fillStyle = palette.grid;
    ctx.fillRect(0, 0, frame.width, 1);
    ctx.fillStyle = palette.muted;
    ctx.font = `11px ${palette.font}`;
    ctx.textBaseline = 'middle';
    ctx.fillText('overview', 8, frame.minimap / 2);
    const lanes = rows.filter((r): r is Row & { kind: 'lane' } => r.kind === 'lane');
    if (lanes.length === 0) return canvas;
    const [lo, hi] = scene.extent(axis);
    const width = plotWidth(frame);
    const upp = (hi - lo) / width;
    const rowH = Math.max(1, Math.min(6, (frame.minimap - 8) / lanes.length));
    const lod = scene.lod(axis);
    lanes.forEach((row, k) => {
      const lane = lod.lanes[row.lane];
      if (lane.order.length === 0) return;
      const level = lane.levels[Math.max(0, pickLevel(lane, upp))];
      const [a, b] = visibleBuckets(level, lod.origin, lo, hi);
      const y = 4 + k * rowH;
      for (let i = a; i < b; i++) {
        const mask = level.classes[i] & filters.classes;
        if (!mask) continue;
        ctx.fillStyle = palette.classes[BUCKET_CLASS[mask]];
        const x = frame.gutter + (lod.origin + level.index[i] * level.width - lo) / upp;
        ctx.fillRect(x, y, Math.max(2, level.width / upp), Math.max(1, rowH - 0.5));
      }
    });
    ctx.fillStyle = palette.error;
    const x = scene.x(axis);
    for (const race of scene.races(filters)) ctx.fillRect(frame.gutter + (x[race.primary] - lo) / upp - 1, 0, 2, 4);
    return canvas;
  }
}
