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
  clip(x: number, y: number, w: number, h: number): void;
  unclip(): void;
}

/**
 * Paints on a 2D canvas. Batches of rectangles (the level-of-detail buckets,
 * dense event markers) are written as pixels into a layer and composited with
 * one drawImage: a software canvas fills 20k small rectangles in tens of
 * milliseconds, the pixel writes take a few. Any other call first composites
 * the pending pixels, so the drawing order is kept.
 */
export class CanvasPainter implements Painter {
  private readonly widths = new Map<string, number>();
  private readonly builder: PathBuilder;
  private layer?: { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D; image: ImageData; pixels: Uint32Array };
  /** Dirty box of the layer in device pixels (x0 > x1 when clean). */
  private dirty = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  /** Current clip in CSS pixels. */
  private clipBox: [number, number, number, number] | undefined;
  private readonly colors = new Map<string, number>();

  constructor(
    readonly ctx: CanvasRenderingContext2D,
    /** Device pixels per CSS pixel (the context's transform). */
    private readonly dpr = 1,
  ) {
    const c = ctx;
    this.builder = {
      moveTo: (x, y) => c.moveTo(x, y),
      lineTo: (x, y) => c.lineTo(x, y),
      bezierTo: (a, b, d, e, x, y) => c.bezierCurveTo(a, b, d, e, x, y),
      circle: (x, y, r) => {
        c.moveTo(x + r, y);
        c.arc(x, y, r, 0, Math.PI * 2);
      },
      close: () => c.closePath(),
    };
  }

  /** RGBA of a CSS colour as a little-endian ImageData word, with `alpha` applied. */
  private colorWord(color: string, alpha: number): number {
    const key = `${color}|${alpha}`;
    let word = this.colors.get(key);
    if (word === undefined) {
      const probe = document.createElement('canvas');
      probe.width = probe.height = 1;
      const pc = probe.getContext('2d', { willReadFrequently: true });
      let rgba = [128, 128, 128, 255];
      if (pc) {
        pc.fillStyle = color;
        pc.fillRect(0, 0, 1, 1);
        rgba = Array.from(pc.getImageData(0, 0, 1, 1).data);
      }
      const a = Math.round(rgba[3] * alpha);
      word = ((a << 24) | (rgba[2] << 16) | (rgba[1] << 8) | rgba[0]) >>> 0;
      this.colors.set(key, word);
    }
    return word;
  }

  private ensureLayer(): NonNullable<CanvasPainter['layer']> {
    const w = this.ctx.canvas.width;
    const h = this.ctx.canvas.height;
    if (!this.layer || this.layer.canvas.width !== w || this.layer.canvas.height !== h) {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d canvas for the pixel layer');
      const image = ctx.createImageData(w, h);
      this.layer = { canvas, ctx, image, pixels: new Uint32Array(image.data.buffer) };
    }
    return this.layer;
  }

  rects(color: string, alpha: number, rects: Float32Array, count: number): void {
    if (count === 0) return;
    const layer = this.ensureLayer();
    const { width: w, height: h } = layer.canvas;
    const word = this.colorWord(color, alpha);
    const d = this.dpr;
    const [cx, cy, cw, ch] = this.clipBox ?? [0, 0, w / d, h / d];
    const minX = Math.max(0, Math.round(cx * d));
    const maxX = Math.min(w, Math.round((cx + cw) * d));
    const minY = Math.max(0, Math.round(cy * d));
    const maxY = Math.min(h, Math.round((cy + ch) * d));
    const px = layer.pixels;
    const box = this.dirty;
    for (let k = 0; k < count * 4; k += 4) {
      const x0 = Math.max(minX, Math.round(rects[k] * d));
      const x1 = Math.min(maxX, Math.max(x0 + 1, Math.round((rects[k] + rects[k + 2]) * d)));
      const y0 = Math.max(minY, Math.round(rects[k + 1] * d));
      const y1 = Math.min(maxY, Math.round((rects[k + 1] + rects[k + 3]) * d));
      if (x1 <= x0 || y1 <= y0) continue;
      for (let y = y0; y < y1; y++) px.fill(word, y * w + x0, y * w + x1);
      if (x0 < box.x0) box.x0 = x0;
      if (y0 < box.y0) box.y0 = y0;
      if (x1 > box.x1) box.x1 = x1;
      if (y1 > box.y1) box.y1 = y1;
    }
  }

  /** Composites the pending pixels (called before any other drawing, and at the end of a frame). */
  flush(): void {
    const box = this.dirty;
    const layer = this.layer;
    if (!layer || box.x1 <= box.x0 || box.y1 <= box.y0) return;
    const dw = box.x1 - box.x0;
    const dh = box.y1 - box.y0;
    layer.ctx.putImageData(layer.image, 0, 0, box.x0, box.y0, dw, dh);
    const c = this.ctx;
    c.save();
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.drawImage(layer.canvas, box.x0, box.y0, dw, dh, box.x0, box.y0, dw, dh);
    c.restore();
    const w = layer.canvas.width;
    for (let y = box.y0; y < box.y1; y++) layer.pixels.fill(0, y * w + box.x0, y * w + box.x1);
    this.dirty = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  }

  strokePath(color: string, width: number, dash: number[], alpha: number, build: (p: PathBuilder) => void): void {
    this.flush();
    const c = this.ctx;
    c.globalAlpha = alpha;
    c.strokeStyle = color;
    c.lineWidth = width;
    c.setLineDash(dash);
    c.beginPath();
    build(this.builder);
    c.stroke();
    c.setLineDash([]);
    c.globalAlpha = 1;
  }

  fillPath(color: string, alpha: number, build: (p: PathBuilder) => void): void {
    this.flush();
    const c = this.ctx;
    c.globalAlpha = alpha;
    c.fillStyle = color;
    c.beginPath();
    build(this.builder);
    c.fill();
    c.globalAlpha = 1;
  }

  rect(x: number, y: number, w: number, h: number, fill: string, alpha = 1): void {
    this.flush();
    this.ctx.globalAlpha = alpha;
    this.ctx.fillStyle = fill;
    this.ctx.fillRect(x, y, w, h);
    this.ctx.globalAlpha = 1;
  }

  strokeRect(x: number, y: number, w: number, h: number, color: string, width: number): void {
    this.flush();
    this.ctx.strokeStyle = color;
    this.ctx.lineWidth = width;
    this.ctx.strokeRect(x, y, w, h);
  }

  line(x1: number, y1: number, x2: number, y2: number, color: string, width: number, dash: number[] = [], alpha = 1): void {
    this.strokePath(color, width, dash, alpha, (p) => {
      p.moveTo(x1, y1);
      p.lineTo(x2, y2);
    });
  }

  curve(x1: number, y1: number, c1x: number, c1y: number, c2x: number, c2y: number, x2: number, y2: number, color: string, width: number, dash: number[] = [], alpha = 1): void {
    this.strokePath(color, width, dash, alpha, (p) => {
      p.moveTo(x1, y1);
      p.bezierTo(c1x, c1y, c2x, c2y, x2, y2);
    });
  }

  polyline(points: number[], color: string, width: number, dash: number[] = []): void {
    this.flush();
    const c = this.ctx;
    c.strokeStyle = color;
    c.lineWidth = width;
    c.setLineDash(dash);
    c.beginPath();
    for (let k = 0; k < points.length; k += 2) (k === 0 ? c.moveTo : c.lineTo).call(c, points[k], points[k + 1]);
    c.stroke();
    c.setLineDash([]);
  }

  polygon(points: number[], fill: string, alpha = 1): void {
    this.flush();
    const c = this.ctx;
    c.globalAlpha = alpha;
    c.fillStyle = fill;
    c.beginPath();
    for (let k = 0; k < points.length; k += 2) (k === 0 ? c.moveTo : c.lineTo).call(c, points[k], points[k + 1]);
    c.closePath();
    c.fill();
    c.globalAlpha = 1;
  }

  circle(x: number, y: number, r: number, fill: string, stroke?: string, strokeWidth = 1): void {
    this.flush();
    const c = this.ctx;
    c.beginPath();
    c.arc(x, y, r, 0, Math.PI * 2);
    if (fill !== 'none') {
      c.fillStyle = fill;
      c.fill();
    }
    if (stroke) {
      c.strokeStyle = stroke;
      c.lineWidth = strokeWidth;
      c.stroke();
    }
  }

  text(s: string, x: number, y: number, style: TextStyle): void {
    this.flush();
    const c = this.ctx;
    c.font = style.font;
    c.fillStyle = style.color;
    c.textAlign = style.align ?? 'left';
    c.textBaseline = style.baseline ?? 'middle';
    c.fillText(s, x, y);
  }

  /** Text widths are cached: labels repeat (event names), and measureText is one of the dearer calls. */
  measure(s: string, font: string): number {
    const key = font + '\u0000' + s;
    let w = this.widths.get(key);
    if (w === undefined) {
      if (this.widths.size > 20000) this.widths.clear();
      this.ctx.font = font;
      w = this.ctx.measureText(s).width;
      this.widths.set(key, w);
    }
    return w;
  }

  clip(x: number, y: number, w: number, h: number): void {
    this.flush();
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(x, y, w, h);
    this.ctx.clip();
    this.clipBox = [x, y, w, h];
  }

  unclip(): void {
    this.flush();
    this.ctx.restore();
    this.clipBox = undefined;
  }
}

/** Escapes text and attribute values for XML. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

const n = (v: number) => (Math.round(v * 100) / 100).toString();

/** Builds an SVG document; every string goes through escapeXml. */
export class SvgPainter implements Painter {
  private readonly parts: string[] = [];
  private clipId = 0;
  private clipDepth = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly measurer: (s: string, font: string) => number,
  ) {}

  private pathData(build: (p: PathBuilder) => void): string {
    let d = '';
    build({
      moveTo: (x, y) => (d += `M${n(x)} ${n(y)}`),
      lineTo: (x, y) => (d += `L${n(x)} ${n(y)}`),
      bezierTo: (a, b, c, e, x, y) => (d += `C${n(a)} ${n(b)} ${n(c)} ${n(e)} ${n(x)} ${n(y)}`),
      circle: (x, y, r) => (d += `M${n(x - r)} ${n(y)}a${n(r)} ${n(r)} 0 1 0 ${n(2 * r)} 0a${n(r)} ${n(r)} 0 1 0 ${n(-2 * r)} 0`),
      close: () => (d += 'Z'),
    });
    return d;
  }

  strokePath(color: string, width: number, dash: number[], alpha: number, build: (p: PathBuilder) => void): void {
    const d = this.pathData(build);
    if (d) this.parts.push(`<path d="${d}" ${this.stroke(color, width, dash, alpha)}/>`);
  }

  fillPath(color: string, alpha: number, build: (p: PathBuilder) => void): void {
    const d = this.pathData(build);
    if (d) this.parts.push(`<path d="${d}" fill="${escapeXml(color)}" fill-opacity="${n(alpha)}"/>`);
  }

  rects(color: string, alpha: number, rects: Float32Array, count: number): void {
    if (count === 0) return;
    let d = '';
    for (let k = 0; k < count * 4; k += 4) d += `M${n(rects[k])} ${n(rects[k + 1])}h${n(rects[k + 2])}v${n(rects[k + 3])}h${n(-rects[k + 2])}z`;
    this.parts.push(`<path d="${d}" fill="${escapeXml(color)}" fill-opacity="${n(alpha)}"/>`);
  }

  rect(x: number, y: number, w: number, h: number, fill: string, alpha = 1): void {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${escapeXml(fill)}" fill-opacity="${n(alpha)}"/>`);
  }

  strokeRect(x: number, y: number, w: number, h: number, color: string, width: number): void {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="none" stroke="${escapeXml(color)}" stroke-width="${n(width)}"/>`);
  }

  private stroke(color: string, width: number, dash: number[], alpha = 1): string {
    return `fill="none" stroke="${escapeXml(color)}" stroke-width="${n(width)}"${dash.length ? ` stroke-dasharray="${dash.map(n).join(' ')}"` : ''}${alpha < 1 ? ` stroke-opacity="${n(alpha)}"` : ''}`;
  }

  line(x1: number, y1: number, x2: number, y2: number, color: string, width: number, dash: number[] = [], alpha = 1): void {
    this.parts.push(`<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" ${this.stroke(color, width, dash, alpha)}/>`);
  }

  curve(x1: number, y1: number, c1x: number, c1y: number, c2x: number, c2y: number, x2: number, y2: number, color: string, width: number, dash: number[] = [], alpha = 1): void {
    this.parts.push(`<path d="M${n(x1)} ${n(y1)}C${n(c1x)} ${n(c1y)} ${n(c2x)} ${n(c2y)} ${n(x2)} ${n(y2)}" ${this.stroke(color, width, dash, alpha)}/>`);
  }

  polyline(points: number[], color: string, width: number, dash: number[] = []): void {
    this.parts.push(`<polyline points="${points.map(n).join(' ')}" ${this.stroke(color, width, dash)}/>`);
  }

  polygon(points: number[], fill: string, alpha = 1): void {
    this.parts.push(`<polygon points="${points.map(n).join(' ')}" fill="${escapeXml(fill)}" fill-opacity="${n(alpha)}"/>`);
  }

  circle(x: number, y: number, r: number, fill: string, stroke?: string, strokeWidth = 1): void {
    const s = stroke ? ` stroke="${escapeXml(stroke)}" stroke-width="${n(strokeWidth)}"` : '';
    this.parts.push(`<circle cx="${n(x)}" cy="${n(y)}" r="${n(r)}" fill="${escapeXml(fill)}"${s}/>`);
  }

  text(s: string, x: number, y: number, style: TextStyle): void {
    const anchor = { left: 'start', center: 'middle', right: 'end' }[style.align ?? 'left'];
    const baseline = { top: 'text-before-edge', middle: 'central', bottom: 'text-after-edge', alphabetic: 'alphabetic' }[style.baseline ?? 'middle'];
    // Presentation attributes, not a style attribute: a strict CSP (the webview's own) blocks inline styles.
    const m = /^(bold\s+)?(\d+(?:\.\d+)?)px\s+(.*)$/.exec(style.font);
    const fontAttrs = m ? `font-size="${m[2]}" font-family="${escapeXml(m[3])}"${m[1] ? ' font-weight="bold"' : ''}` : '';
    this.parts.push(
      `<text x="${n(x)}" y="${n(y)}" fill="${escapeXml(style.color)}" ${fontAttrs} text-anchor="${anchor}" dominant-baseline="${baseline}">${escapeXml(s)}</text>`,
    );
  }

  measure(s: string, font: string): number {
    return this.measurer(s, font);
  }

  clip(x: number, y: number, w: number, h: number): void {
    const id = `c${this.clipId++}`;
    this.clipDepth++;
    this.parts.push(`<clipPath id="${id}"><rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"/></clipPath><g clip-path="url(#${id})">`);
  }

  unclip(): void {
    if (this.clipDepth === 0) return;
    this.clipDepth--;
    this.parts.push('</g>');
  }

  finish(): string {
    while (this.clipDepth > 0) this.unclip();
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">${this.parts.join('')}</svg>`;
  }
}
