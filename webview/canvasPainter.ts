// The painter of the graph on screen: a 2D canvas, with the frame's
// rectangles written as pixels (see CanvasPainter).

import type { Painter, PathBuilder, TextStyle } from './painter';

/**
 * Paints on a 2D canvas. A frame starts (`beginFrame`) with everything made of
 * rectangles — background, lane stripes, grid lines, race windows, the
 * level-of-detail buckets, dense event markers — written as pixels into one
 * opaque frame buffer (translucent ones blended here), which the first other
 * call puts on the canvas with one putImageData: a software canvas fills 20k
 * small rectangles in tens of milliseconds, the pixel writes take a few, and
 * nothing is blended twice. Rectangles drawn after that go into a transparent
 * layer composited with drawImage before the next other call, so the drawing
 * order is kept.
 */
export class CanvasPainter implements Painter {
  private readonly widths = new Map<string, number>();
  private readonly builder: PathBuilder;
  private layer?: { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D; image: ImageData; pixels: Uint32Array };
  /** The frame buffer, while a frame's rectangles go straight into it (from beginFrame to the first other call). */
  private base?: { image: ImageData; pixels: Uint32Array };
  private frameBuffer?: { image: ImageData; pixels: Uint32Array };
  private readonly one = new Float32Array(4);
  /** Dirty box of the layer in device pixels (x0 > x1 when clean). */
  private dirty = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  /** Current clip in CSS pixels. */
  private clipBox: [number, number, number, number] | undefined;
  private readonly clipPixels = new Int32Array(4);
  private readonly colors = new Map<string, number>();
  /** The pixels of the last `still` layer (only its box is kept) and the key they were drawn for. */
  private stillLayer?: { key: unknown[]; pixels: Uint32Array; box: CanvasPainter['dirty'] };

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

  /** Starts a frame: until the first call that is not a rectangle, pixels go straight into the frame buffer. */
  beginFrame(): void {
    const { width: w, height: h } = this.ctx.canvas;
    if (!this.frameBuffer || this.frameBuffer.image.width !== w || this.frameBuffer.image.height !== h) {
      const image = this.ctx.createImageData(w, h);
      this.frameBuffer = { image, pixels: new Uint32Array(image.data.buffer) };
    }
    this.base = this.frameBuffer;
    this.dirty = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  }

  rects(color: string, alpha: number, rects: Float32Array, count: number): void {
    if (count === 0) return;
    if (this.base) {
      this.blendRects(this.base.pixels, this.colorWord(color, alpha), rects, count);
      return;
    }
    const layer = this.ensureLayer();
    const { width: w, height: h } = layer.canvas;
    const word = this.colorWord(color, alpha);
    const d = this.dpr;
    const clip = this.pixelClip(w, h);
    const minX = clip[0], maxX = clip[1], minY = clip[2], maxY = clip[3];
    const px = layer.pixels;
    const box = this.dirty;
    for (let k = 0; k < count * 4; k += 4) {
      const x0 = Math.max(minX, Math.round(rects[k] * d));
      const x1 = Math.min(maxX, Math.max(x0 + 1, Math.round((rects[k] + rects[k + 2]) * d)));
      const y0 = Math.max(minY, Math.round(rects[k + 1] * d));
      const y1 = Math.min(maxY, Math.round((rects[k + 1] + rects[k + 3]) * d));
      if (x1 <= x0 || y1 <= y0) continue;
      if (x1 - x0 <= 8) {
        // Narrow (most buckets are a pixel or two wide): plain stores beat a fill call per row.
        for (let x = x0; x < x1; x++) for (let i = y0 * w + x, end = y1 * w; i < end; i += w) px[i] = word;
      } else {
        for (let y = y0; y < y1; y++) px.fill(word, y * w + x0, y * w + x1);
      }
      if (x0 < box.x0) box.x0 = x0;
      if (y0 < box.y0) box.y0 = y0;
      if (x1 > box.x1) box.x1 = x1;
      if (y1 > box.y1) box.y1 = y1;
    }
  }

  /** The clip box in device pixels inside a w x h buffer: minX, maxX, minY, maxY (one reused array). */
  private pixelClip(w: number, h: number): Int32Array {
    const d = this.dpr;
    const [cx, cy, cw, ch] = this.clipBox ?? [0, 0, w / d, h / d];
    const c = this.clipPixels;
    c[0] = Math.max(0, Math.round(cx * d));
    c[1] = Math.min(w, Math.round((cx + cw) * d));
    c[2] = Math.max(0, Math.round(cy * d));
    c[3] = Math.min(h, Math.round((cy + ch) * d));
    return c;
  }

  /** Writes rectangles into the opaque frame buffer, blending a translucent colour over what is there. */
  private blendRects(px: Uint32Array, word: number, rects: Float32Array, count: number): void {
    const { width: w, height: h } = this.ctx.canvas;
    const d = this.dpr;
    const clip = this.pixelClip(w, h);
    const minX = clip[0], maxX = clip[1], minY = clip[2], maxY = clip[3];
    const a = word >>> 24;
    const opaque = (word | 0xff000000) >>> 0;
    const sr = (word & 0xff) * a;
    const sg = ((word >>> 8) & 0xff) * a;
    const sb = ((word >>> 16) & 0xff) * a;
    const ia = 255 - a;
    const box = this.dirty;
    // The last colour blended over and what it became (one source colour per call).
    let under = -1;
    let over = 0;
    for (let k = 0; k < count * 4; k += 4) {
      const x0 = Math.max(minX, Math.round(rects[k] * d));
      const x1 = Math.min(maxX, Math.max(x0 + 1, Math.round((rects[k] + rects[k + 2]) * d)));
      const y0 = Math.max(minY, Math.round(rects[k + 1] * d));
      const y1 = Math.min(maxY, Math.round((rects[k + 1] + rects[k + 3]) * d));
      if (x1 <= x0 || y1 <= y0) continue;
      if (a === 255) {
        if (x1 - x0 <= 8) {
          // Narrow (most buckets are a pixel or two wide): plain stores beat a fill call per row.
          for (let x = x0; x < x1; x++) for (let i = y0 * w + x, end = y1 * w; i < end; i += w) px[i] = opaque;
        } else {
          for (let y = y0; y < y1; y++) px.fill(opaque, y * w + x0, y * w + x1);
        }
      } else if (a > 0) {
        // One colour underneath is the rule (background, stripes, other windows): blend each colour once.
        // Narrow rectangles column by column, wide ones row by row.
        const narrow = x1 - x0 <= 8;
        const step = narrow ? w : 1;
        for (let line = narrow ? x0 : y0, last = narrow ? x1 : y1; line < last; line++) {
          const first = narrow ? y0 * w + line : line * w + x0;
          const end = narrow ? y1 * w + line : line * w + x1;
          for (let i = first; i < end; i += step) {
            const p = px[i];
            if (p !== under) {
              under = p;
              const r = ((sr + (p & 0xff) * ia) * 257 + 32896) >>> 16;
              const g = ((sg + ((p >>> 8) & 0xff) * ia) * 257 + 32896) >>> 16;
              const b = ((sb + ((p >>> 16) & 0xff) * ia) * 257 + 32896) >>> 16;
              over = (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
            }
            px[i] = over;
          }
        }
      }
      if (x0 < box.x0) box.x0 = x0;
      if (y0 < box.y0) box.y0 = y0;
      if (x1 > box.x1) box.x1 = x1;
      if (y1 > box.y1) box.y1 = y1;
    }
  }

  /** Composites the pending pixels (called before any other drawing, and at the end of a frame). */
  flush(): void {
    const box = this.dirty;
    if (this.base) {
      // The frame buffer holds everything drawn so far: it replaces those pixels of the canvas.
      this.base = undefined;
      if (box.x1 > box.x0 && box.y1 > box.y0) this.ctx.putImageData(this.frameBuffer!.image, 0, 0, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
      this.dirty = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      return;
    }
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
    if (this.base) {
      const one = this.one;
      one[0] = x;
      one[1] = y;
      one[2] = w;
      one[3] = h;
      this.rects(fill, alpha, one, 1);
      return;
    }
    this.flush();
    this.ctx.globalAlpha = alpha;
    this.ctx.fillStyle = fill;
    this.ctx.fillRect(x, y, w, h);
    this.ctx.globalAlpha = 1;
  }

  strokeRect(x: number, y: number, w: number, h: number, color: string, width: number): void {
    if (this.base) {
      const t = width / 2;
      this.rect(x - t, y - t, w + width, width, color);
      this.rect(x - t, y + h - t, w + width, width, color);
      this.rect(x - t, y + t, width, h - width, color);
      this.rect(x + w - t, y + t, width, h - width, color);
      return;
    }
    this.flush();
    this.ctx.strokeStyle = color;
    this.ctx.lineWidth = width;
    this.ctx.strokeRect(x, y, w, h);
  }

  line(x1: number, y1: number, x2: number, y2: number, color: string, width: number, dash: number[] = [], alpha = 1): void {
    if (this.base && dash.length === 0 && (x1 === x2 || y1 === y2)) {
      // A straight solid line is a thin rectangle.
      if (y1 === y2) this.rect(Math.min(x1, x2), y1 - width / 2, Math.abs(x2 - x1), width, color, alpha);
      else this.rect(x1 - width / 2, Math.min(y1, y2), width, Math.abs(y2 - y1), color, alpha);
      return;
    }
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

  /**
   * A frame's first layer (the plot's background and stripes, when it begins a frame) is
   * kept as pixels: while its key stays the same, those pixels are copied back instead of
   * being drawn and blended again. Anything else is simply drawn.
   */
  still(key: readonly unknown[], draw: () => void): void {
    const base = this.base;
    if (!base || this.dirty.x1 > this.dirty.x0) {
      draw();
      return;
    }
    const width = this.ctx.canvas.width;
    const last = this.stillLayer;
    if (last && last.pixels.length === base.pixels.length && last.key.length === key.length && last.key.every((k, i) => k === key[i])) {
      copyBox(last.pixels, base.pixels, width, last.box);
      this.dirty = { ...last.box };
      return;
    }
    draw();
    if (this.base !== base) {
      // Something other than rectangles was drawn: nothing to keep.
      this.stillLayer = undefined;
      return;
    }
    const pixels = last && last.pixels.length === base.pixels.length ? last.pixels : new Uint32Array(base.pixels.length);
    if (this.dirty.x1 > this.dirty.x0) copyBox(base.pixels, pixels, width, this.dirty);
    this.stillLayer = { key: [...key], pixels, box: { ...this.dirty } };
  }

  clip(x: number, y: number, w: number, h: number): void {
    // Clipping draws nothing: the frame buffer's pixels wait (they keep to the clip box themselves).
    if (!this.base) this.flush();
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(x, y, w, h);
    this.ctx.clip();
    this.clipBox = [x, y, w, h];
  }

  unclip(): void {
    if (!this.base) this.flush();
    this.ctx.restore();
    this.clipBox = undefined;
  }
}

/** Copies the pixels inside `box` (not empty) from one frame-sized buffer to another. */
function copyBox(from: Uint32Array, to: Uint32Array, width: number, box: { x0: number; y0: number; x1: number; y1: number }): void {
  // One copy from the box's first pixel to its last: the pixels between its rows (left and right of it) go along.
  // Nothing else writes those while the frame's rectangles are being written: they keep to the clip.
  const start = box.y0 * width + box.x0;
  to.set(from.subarray(start, (box.y1 - 1) * width + box.x1), start);
}
