// The read floor the benchmark compares the pipeline with: read the file in
// 1 MiB chunks, decode them, split lines the way LineSplitter does, count.
// The parser's I/O pattern with no parsing.

import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;

/** Lines of the file (the count keeps the work from being optimised away). */
export function readAndSplit(path: string): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const decoder = new TextDecoder('utf-8');
  let lines = 0;
  let chars = 0;
  let partial = '';
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = decoder.decode(buffer.subarray(0, n), { stream: true });
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl >= 0 && partial.length > 0) {
        chars += (partial + chunk.slice(0, nl)).length;
        lines++;
        partial = '';
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      while (nl >= 0) {
        chars += chunk.slice(start, nl).length;
        lines++;
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      partial += chunk.slice(start);
    }
  } finally {
    closeSync(fd);
  }
  return lines + (chars < 0 ? 1 : 0);
}
