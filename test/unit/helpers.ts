// Small builders that keep the tests readable.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyzeText, type Analysis } from '../../extension/core/analyze';
import type { Trace, TraceFormat } from '../../extension/core/trace/model';
import { createParser } from '../../extension/core/trace/parse';

/** The repository: the nearest folder with a package.json above the running test (at any depth of out/test/unit). */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/** A path in the repository: `repoPath('sample-traces', 'patches')`. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/**
 * A native trace from short lines `task event key=value...`: time and cpu are
 * filled in (one microsecond apart, cpu0). Lines starting with `!` or `#` are kept as written.
 */
export function trace(...lines: string[]): string {
  let t = 0;
  return lines
    .map((l) => (l.startsWith('!') || l.startsWith('#') || l.trim() === '' ? l : `${(1 + ++t / 1e6).toFixed(6)} cpu0 ${l}`))
    .join('\n');
}

export function analyze(...lines: string[]): Analysis {
  return analyzeText(trace(...lines));
}

/** `RULE severity line` of each finding, in report order: the part a user reads first. */
export function summary(a: Analysis): string[] {
  return a.findings.map((f) => `${f.rule} ${f.severity} ${a.trace.line[f.primary]}`);
}

/**
 * fast-check runs for a property: `base` in `npm test`, times DMRL_FUZZ_SCALE
 * for the long run (`npm run fuzz`, see docs/limits.md).
 */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.DMRL_FUZZ_SCALE ?? '1');
  return Number.isFinite(scale) && scale >= 1 ? Math.round(base * scale) : base;
}

/** A small seeded random source (mulberry32) for generated inputs, so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Parses UTF-8 bytes through the format's feedBytes, cut into chunks of the
 * given sizes (cycled), from one buffer reused as parseFile reuses it: the
 * parser must copy what it keeps.
 */
export function parseBytesInChunks(format: TraceFormat, bytes: Uint8Array, chunkSizes: number[]): Trace {
  const parser = createParser(format);
  if (!parser.feedBytes) throw new Error(`${format} does not read bytes`);
  for (let p = 0, k = 0; p < bytes.length; k++) {
    const size = Math.max(1, chunkSizes[k % chunkSizes.length]);
    const buffer = new Uint8Array(size).fill(0x41);
    const n = Math.min(size, bytes.length - p);
    buffer.set(bytes.subarray(p, p + n));
    parser.feedBytes(buffer.subarray(0, n));
    buffer.fill(0x5a);
    p += n;
  }
  return parser.end();
}
