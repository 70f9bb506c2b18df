// An incremental JSON scanner for Chrome / Perfetto trace files, which can be
// gigabytes: it is fed chunks, checks the structure, and hands out each
// element of the event array (`traceEvents` of the object form, or the
// top-level array of the array form) together with the line and column where
// it starts. Only those small objects are ever materialised; everything else
// (metadata, `systemTraceEvents` strings, ...) is checked and dropped.
//
// Two paths read the event array. The fast one finds the boundaries of the
// event objects in a chunk (strings, escapes and nesting only) and gives a
// whole run of them to one native JSON.parse (`[` + run + `]`), so the
// character-by-character work in JavaScript is one tight loop. Whatever it is
// not sure of (a run that does not parse, a line break inside a string, deep
// nesting, an object split across chunks, anything but `,` and `{...}`) it
// leaves to the careful path (jsonTokenizer.ts, the base class), which checks
// the structure character by character and reports errors with line and column.

import { Expect, JsonTokenizer } from './jsonTokenizer';

/** The fast path leaves objects nested deeper than this to the careful one (which skips those past MAX_EVENT_DEPTH). */
const FAST_DEPTH = 16;

export class JsonEventStream extends JsonTokenizer {
  private readonly runLines: number[] = [];
  private readonly runColumns: number[] = [];
  /** Line and line start after the object objectEnd found. */
  private endLine = 0;
  private endLineStart = 0;

  feed(chunk: string): void {
    const n = chunk.length;
    for (let i = 0; i < n; ) {
      i = this.fast(chunk, i);
      if (i < n) i = this.careful(chunk, i);
    }
    if (this.capture) {
      this.capture.push(chunk.slice(this.captureFrom));
      this.captureFrom = 0;
    }
    // offsets of the next chunk start at 0
    this.lineStart -= n;
    this.carefulUntil = 0;
  }

  /**
   * The fast path from chunk[from]: a run of `{...}` objects separated by
   * commas, read by one JSON.parse. Returns where it stopped (the careful
   * path goes on from there); from itself when it read nothing.
   */
  private fast(chunk: string, from: number): number {
    if (from < this.carefulUntil || !this.betweenEvents()) return from;
    const n = chunk.length;
    const lines = this.runLines;
    const columns = this.runColumns;
    lines.length = 0;
    columns.length = 0;
    let expect = this.expect;
    let line = this.line;
    let lineStart = this.lineStart;
    let runStart = -1;
    let runEnd = -1;
    let i = from;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 10) {
        line++;
        lineStart = ++i;
      } else if (c === 44 && expect === Expect.CommaOrClose) {
        expect = Expect.Value;
        i++;
      } else if (c === 123 && expect !== Expect.CommaOrClose) {
        const end = this.objectEnd(chunk, i, line, lineStart);
        if (end < 0) break;
        if (runStart < 0) runStart = i;
        lines.push(line);
        columns.push(i - lineStart + 1);
        line = this.endLine;
        lineStart = this.endLineStart;
        runEnd = i = end;
        expect = Expect.CommaOrClose;
      } else break;
    }
    if (lines.length > 0) {
      let values: unknown;
      try {
        values = JSON.parse(`[${chunk.slice(runStart, runEnd)}]`);
      } catch {
        values = undefined;
      }
      if (!Array.isArray(values) || values.length !== lines.length) {
        // something in the run is not JSON: the careful path reads it again and says what and where
        this.carefulUntil = runEnd;
        return from;
      }
      for (let k = 0; k < values.length; k++) this.sink.parsed(values[k] as Record<string, unknown>, lines[k], columns[k]);
    }
    this.expect = expect;
    this.line = line;
    this.lineStart = lineStart;
    return i;
  }

  /**
   * The offset after the `}` that closes the object at chunk[start], or -1
   * when the fast path leaves it to the careful one: split across chunks or
   * nested deeper than FAST_DEPTH.
   */
  private objectEnd(chunk: string, start: number, line: number, lineStart: number): number {
    const n = chunk.length;
    let depth = 1;
    let j = start + 1;
    while (j < n) {
      const c = chunk.charCodeAt(j++);
      if (c === 34) {
        // the closing quote: the next one not escaped by an odd run of backslashes (a line break
        // inside the string is not JSON: the run then fails to parse and the careful path reports it)
        for (;;) {
          const q = chunk.indexOf('"', j);
          if (q < 0) return -1;
          let b = q - 1;
          while (chunk.charCodeAt(b) === 92) b--;
          j = q + 1;
          if ((q - 1 - b) % 2 === 0) break;
        }
      } else if (c === 123 || c === 91) {
        if (++depth > FAST_DEPTH) return -1;
      } else if (c === 125 || c === 93) {
        if (--depth === 0) {
          this.endLine = line;
          this.endLineStart = lineStart;
          return j;
        }
      } else if (c === 10) {
        line++;
        lineStart = j;
      }
    }
    return -1;
  }
}
