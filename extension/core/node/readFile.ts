// Reading a trace file of any size: chunks of bytes, decoded incrementally,
// fed to the format's StreamParser. The file is never one string, so a
// 10M-event (700 MB) trace costs the trace model, not the text.
//
// Node-only (fs): the CLI, the worker, the benchmark and the tests use it; the
// rest of the core takes text or bytes and runs in the webview's browser too.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { analyzeTrace, type Analysis } from '../analyze';
import type { RuleOptions } from '../rules/context';
import type { Trace } from '../trace/model';
import { createParser, detectFormat, type ParseOptions } from '../trace/parse';

/**
 * 512 KiB: large enough that per-chunk costs vanish, and below the size (about
 * 1 MB) from which Node decodes text into a string outside the heap, as UTF-16:
 * a recorded text trace at 1M events peaked 30 MB higher with 1 MiB chunks.
 */
const CHUNK_BYTES = 1 << 19;

/** 'analysis' is happens-before plus the rules, one synchronous step after the parse. */
export type AnalysisPhase = 'parse' | 'analysis';

export interface FileProgress {
  phase: AnalysisPhase;
  /** Bytes read so far (equal to `totalBytes` after the parse). */
  bytes: number;
  totalBytes: number;
}

/**
 * Parses the trace at `path` chunk by chunk. The format is `options.format`, or
 * detected from the first chunk.
 */
export async function parseFile(
  path: string,
  options: ParseOptions = {},
  onProgress?: (p: FileProgress) => void,
): Promise<Trace> {
  const fd = openSync(path, 'r');
  try {
    const totalBytes = fstatSync(fd).size;
    // A plain Uint8Array, not a Buffer: the byte parser then sees one array kind (a Buffer and the
    // splitter's carried lines would make its every byte read polymorphic).
    const buffer = new Uint8Array(CHUNK_BYTES);
    const decoder = new TextDecoder('utf-8');
    let parser: ReturnType<typeof createParser> | undefined;
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      bytes += n;
      const chunk = buffer.subarray(0, n);
      if (!parser) {
        const format = options.format ?? detectFormat(new TextDecoder('utf-8').decode(chunk), options.fileName ?? path);
        parser = createParser(format, { ...options, totalBytes });
      }
      // Bytes when the parser reads them (the native format), else text decoded across chunk boundaries.
      if (parser.feedBytes) parser.feedBytes(chunk);
      else parser.feed(decoder.decode(chunk, { stream: true }));
      onProgress?.({ phase: 'parse', bytes, totalBytes });
    }
    parser ??= createParser(options.format ?? detectFormat('', options.fileName ?? path), options);
    const tail = parser.feedBytes ? '' : decoder.decode();
    if (tail.length > 0) parser.feed(tail);
    return parser.end();
  } finally {
    closeSync(fd);
  }
}

/** parseFile, then happens-before and the rules: the file counterpart of analyzeText (../analyze.ts). */
export async function analyzeFile(
  path: string,
  options: ParseOptions & RuleOptions = {},
  onProgress?: (p: FileProgress) => void,
): Promise<Analysis> {
  let totalBytes = 0;
  const trace = await parseFile(path, options, (p) => {
    totalBytes = p.totalBytes;
    onProgress?.(p);
  });
  onProgress?.({ phase: 'analysis', bytes: totalBytes, totalBytes });
  return analyzeTrace(trace, options);
}
