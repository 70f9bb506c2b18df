// The viewport: which part of the x axis is on screen and how far the lanes
// are scrolled, and the maths of zooming, panning and fitting.

export interface Viewport {
  /** Axis value at the left edge of the plot. */
  x0: number;
  /** Axis units per CSS pixel. */
  upp: number;
  /** Lanes scrolled up by this many pixels. */
  scrollY: number;
}

/** The canvas regions, in CSS pixels. */
export interface Frame {
  width: number;
  height: number;
  /** Lane names on the left. */
  gutter: number;
  /** Axis ticks on top. */
  ruler: number;
  /** Overview strip at the bottom. */
  minimap: number;
}

export function plotWidth(f: Frame): number {
  return Math.max(1, f.width - f.gutter);
}

export function plotHeight(f: Frame): number {
  return Math.max(1, f.height - f.ruler - f.minimap);
}

export function toScreenX(v: Viewport, f: Frame, x: number): number {
  return f.gutter + (x - v.x0) / v.upp;
}

export function toAxisX(v: Viewport, f: Frame, px: number): number {
  return v.x0 + (px - f.gutter) * v.upp;
}

/** A viewport showing [x0, x1] with a margin on both sides, and room on the right for the last labels. */
export function fitRange(f: Frame, x0: number, x1: number, scrollY: number, margin = 0.06): Viewport {
  const span = Math.max(x1 - x0, 1e-9);
  const padLeft = 24;
  const padRight = 96;
  const usable = Math.max(40, plotWidth(f) - padLeft - padRight);
  const upp = (span * (1 + 2 * margin) + (x1 === x0 ? 2 : 0)) / usable;
  return { x0: x0 - span * margin - (x1 === x0 ? 1 : 0) - padLeft * upp, upp, scrollY };
}

/** Zoom by `factor` (> 1 zooms out) keeping the axis value under screen x `px` in place. */
export function zoomAt(v: Viewport, f: Frame, px: number, factor: number, minUpp: number, maxUpp: number): Viewport {
  const anchor = toAxisX(v, f, px);
  const upp = Math.min(maxUpp, Math.max(minUpp, v.upp * factor));
  return { x0: anchor - (px - f.gutter) * upp, upp, scrollY: v.scrollY };
}

export function panBy(v: Viewport, dxPixels: number, dyPixels: number): Viewport {
  return { x0: v.x0 - dxPixels * v.upp, upp: v.upp, scrollY: v.scrollY - dyPixels };
}

/** Keeps the view near the content: never scrolled past the lanes or the ends of the axis. */
export function clampView(v: Viewport, f: Frame, extent: [number, number], contentHeight: number): Viewport {
  const span = extent[1] - extent[0];
  const visible = plotWidth(f) * v.upp;
  const slack = Math.max(visible * 0.5, span * 0.05);
  const x0 = Math.min(Math.max(v.x0, extent[0] - slack), extent[1] + slack - visible);
  const maxScroll = Math.max(0, contentHeight - plotHeight(f) + 8);
  const scrollY = Math.min(Math.max(0, v.scrollY), maxScroll);
  return { x0: Number.isFinite(x0) ? x0 : extent[0], upp: v.upp, scrollY };
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `pixels` between ticks. */
export function tickStep(upp: number, pixels: number, integer: boolean): number {
  const raw = upp * pixels;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** `+12.5 µs`: a time offset in ns, with a unit chosen from the tick step. */
export function formatTime(ns: number, step: number): string {
  const units: [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
  const [scale, unit] = units.find(([s]) => step >= s) ?? units[3];
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / scale) - 1e-9)));
  return `${(ns / scale).toFixed(decimals)} ${unit}`;
}
