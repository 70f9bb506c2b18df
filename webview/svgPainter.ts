// The painter of the SVG export: the same drawing as markup, every string escaped.

import type { Painter, PathBuilder, TextStyle } from './painter';

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

  still(_key: readonly unknown[], draw: () => void): void {
    draw();
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
