// Line splitting over the file's bytes, for parsers that can read a plain
// line without decoding it (the native format's fast path). Lines the parser
// declines are decoded and handed over as text, so the result is the same as
// splitting decoded text with LineSplitter.

import type { Trace } from './model';
import { LineSplitter, type LineParser, type StreamParser } from './parser';

const NEWLINE = 10;
const BOM = [0xef, 0xbb, 0xbf];

export interface ByteLineParser extends LineParser {
  /**
   * Parses the lines of bytes[start, end), which ends with a `\n` (`\r\n` ends
   * a line too); the first is line `lineNo + 1`. Returns the number of the last.
   */
  linesBytes(bytes: Uint8Array, start: number, end: number, lineNo: number): number;
}

/**
 * A StreamParser fed with bytes (`feedBytes`, what parseFile uses) or with
 * text (`feed`, what parseTrace uses); one stream uses one of the two. A
 * chunk's whole lines go to the parser in one call, which finds the line ends
 * while it parses them; only a line that spans chunks is copied.
 */
export class ByteLineSplitter implements StreamParser {
  /** The start of a line the previous chunk did not finish (a copy: the caller reuses its buffer). */
  private carry: Uint8Array | undefined;
  /** The later pieces of a carried line that spans several chunks. */
  private longLine: Uint8Array[] = [];
  private lineNo = 0;
  private atStart = true;
  private text: LineSplitter | undefined;

  constructor(private readonly parser: ByteLineParser) {}

  feed(chunk: string): void {
    (this.text ??= new LineSplitter(this.parser)).feed(chunk);
  }

  feedBytes(chunk: Uint8Array): void {
    let start = 0;
    if (this.atStart) {
      // A UTF-8 byte order mark at the start of the file is not text (TextDecoder drops it too); it may arrive split.
      const head = this.carry ? concatAll([this.carry, chunk]) : chunk;
      if (head.length < BOM.length && BOM.slice(0, head.length).every((b, i) => head[i] === b)) {
        this.carry = concatAll([head]);
        return;
      }
      this.atStart = false;
      this.carry = undefined;
      chunk = head;
      if (BOM.every((b, i) => head[i] === b)) start = BOM.length;
    }
    if (this.carry) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) {
        // a line longer than a chunk: its pieces are joined once, when it ends (not copied again per chunk)
        this.longLine.push(concatAll([chunk.subarray(start)]));
        return;
      }
      this.parseCarried(chunk.subarray(start, nl + 1));
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.lineNo = this.parser.linesBytes(chunk, start, last + 1, this.lineNo);
      start = last + 1;
    }
    // A copy (not chunk.slice: on a Node Buffer that is a view of the reused buffer).
    if (start < chunk.length) this.carry = concatAll([chunk.subarray(start)]);
  }

  end(): Trace {
    if (this.text) return this.text.end();
    // The last line has no newline: it is given one.
    if (this.carry) this.parseCarried(Uint8Array.of(NEWLINE));
    return this.parser.finish();
  }

  /** The carried line completed by `rest` (which ends with its `\n`). */
  private parseCarried(rest: Uint8Array): void {
    const line = concatAll([this.carry!, ...this.longLine, rest]);
    this.carry = undefined;
    this.longLine = [];
    this.lineNo = this.parser.linesBytes(line, 0, line.length, this.lineNo);
  }
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
