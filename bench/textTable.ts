// Number formats and a plain-text table for the benchmark's output.

export const MB = 1024 * 1024;

export const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`);
export const fmtN = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n));
export const fmtMb = (b: number): string => `${(b / MB).toFixed(0)} MB`;

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned unless `left` says otherwise. */
export function table(rows: string[][], left: readonly number[] = [0]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}
