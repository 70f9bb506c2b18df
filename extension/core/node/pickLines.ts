// A few lines of a big trace by number, without splitting the whole text or
// holding the whole file: what the editor's worker needs to place the
// diagnostics of a trace it parsed (core/report/problems.ts).
import { closeSync, openSync, readSync } from 'node:fs';

/** The 0-based lines `wanted` (ascending) of `text`; a line past the end is left out. */
export function pickLinesOfText(text: string, wanted: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  let line = 0;
  let start = 0;
  for (const w of wanted) {
    while (line < w && start <= text.length) {
      const nl = text.indexOf('\n', start);
      start = nl < 0 ? text.length + 1 : nl + 1;
      line++;
    }
    if (start > text.length) break;
    const nl = text.indexOf('\n', start);
    out.set(w, withoutCr(text.slice(start, nl < 0 ? text.length : nl)));
  }
  return out;
}

/** The 0-based lines `wanted` (ascending) of the UTF-8 file at `path`, read in chunks. */
export function pickLinesOfFile(path: string, wanted: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  if (wanted.length === 0) return out;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const decoder = new TextDecoder('utf-8');
    let next = 0; // index into wanted
    let line = 0;
    let partial: Buffer[] = []; // pieces of a wanted line cut by a chunk boundary
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let start = 0;
      while (start < n && next < wanted.length) {
        const nl = chunk.indexOf(10, start);
        const end = nl < 0 || nl >= n ? n : nl;
        if (line === wanted[next]) {
          partial.push(Buffer.from(chunk.subarray(start, end)));
          if (end < n) {
            out.set(line, withoutCr(decoder.decode(Buffer.concat(partial))));
            partial = [];
            next++;
          }
        }
        if (end === n) break;
        line++;
        start = end + 1;
      }
      if (next >= wanted.length) break;
    }
    if (partial.length > 0) out.set(line, withoutCr(decoder.decode(Buffer.concat(partial))));
  } finally {
    closeSync(fd);
  }
  return out;
}

const withoutCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);
