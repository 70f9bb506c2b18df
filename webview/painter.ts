// A small drawing surface the renderer paints through, so the same code draws
// the canvas on screen and the SVG export. Coordinates are CSS pixels.

export interface TextStyle {
  color: string;
  font: string;
  align?: 'left' | 'center' | 'right';
  baseline?: 'top' | 'middle' | 'bottom' | 'alphabetic';
}

/** Builds one path: many shapes drawn with a single fill or stroke (the canvas's cost is per call, not per shape). */
export interface PathBuilder {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  bezierTo(c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void;
  circle(x: number, y: number, r: number): void;
  close(): void;
}

export interface Painter {
  /** Strokes everything `build` adds to one path. */
  strokePath(color: string, width: number, dash: number[], alpha: number, build: (p: PathBuilder) => void): void;
  /** Fills everything `build` adds to one path. */
  fillPath(color: string, alpha: number, build: (p: PathBuilder) => void): void;
  /** Many rectangles of one colour: `rects` holds x, y, w, h for each. */
  rects(color: string, alpha: number, rects: Float32Array, count: number): void;
  rect(x: number, y: number, w: number, h: number, fill: string, alpha?: number): void;
  strokeRect(x: number, y: number, w: number, h: number, color: string, width: number): void;
  line(x1: number, y1: number, x2: number, y2: number, color: string, width: number, dash?: number[], alpha?: number): void;
  /** A cubic curve. */
  curve(x1: number, y1: number, c1x: number, c1y: number, c2x: number, c2y: number, x2: number, y2: number, color: string, width: number, dash?: number[], alpha?: number): void;
  polyline(points: number[], color: string, width: number, dash?: number[]): void;
  polygon(points: number[], fill: string, alpha?: number): void;
  circle(x: number, y: number, r: number, fill: string, stroke?: string, strokeWidth?: number): void;
  /** Text is always text: never parsed as markup by any painter. */
  text(s: string, x: number, y: number, style: TextStyle): void;
  measure(s: string, font: string): number;
  /**
   * Draws `draw`, rectangles only; a painter may instead repeat what it drew the last
   * time, when every element of `key` is the same (===) as then: the layers that do not
   * move while zooming and panning.
   */
  still(key: readonly unknown[], draw: () => void): void;
  clip(x: number, y: number, w: number, h: number): void;
  unclip(): void;
}
