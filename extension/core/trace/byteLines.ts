// Line splitting over the file's bytes, for parsers that can read a plain
// line without decoding it (the native format's fast path). Lines the parser
// declines are decoded and handed over as text, so the result is the same as
// splitting decoded text with LineSplitter.

import type { Trace } from './model';
import { LineSplitter, type LineParser, type StreamParser } from './parse';

const NEWLINE = 10;
const CR = 13;
const BOM = [0xef, 0xbb, 0xbf];

export interface ByteLineParser extends LineParser {
  /** Parses bytes[start, end) (one line, without `\n`/`\r\n`) if it can; false leaves the line to `line()`. */
  lineBytes(bytes: Uint8Array, start: number, end: number, lineNo: number): boolean;
}

/**
 * A StreamParser fed with bytes (`feedBytes`, what parseFile uses) or with
 * text (`feed`, what parseTrace uses); one stream uses one of the two.
 */
export class ByteLineSplitter implements StreamParser {
  /** The start of a line the previous chunk did not finish (a copy: the caller reuses its buffer). */
  private carry: Uint8Array | undefined;
  /** The later pieces of a carried line that spans several chunks. */
  private longLine: Uint8Array[] = [];
  private lineNo = 0;
  private atStart = true;
  private text: LineSplitter | undefined;
  /** Lines are whole, so no character is split; a U+FEFF inside the file is kept, as the stream decoder keeps it. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly parser: ByteLineParser) {}

  feed(chunk: string): void {
    (this.text ??= new LineSplitter(this.parser)).feed(chunk);
  }

  feedBytes(chunk: Uint8Array): void {
    let start = 0;
    if (this.atStart) {
      // A UTF-8 byte order mark at the start of the file is not text (TextDecoder drops it too); it may arrive split.
      const head = this.carry ? concat(this.carry, chunk) : chunk;
      if (head.length < BOM.length && BOM.slice(0, head.length).every((b, i) => head[i] === b)) {
        this.carry = concat(new Uint8Array(0), head);
        return;
      }
      this.atStart = false;
      this.carry = undefined;
      chunk = head;
      if (BOM.every((b, i) => head[i] === b)) start = BOM.length;
    }
    let nl = chunk.indexOf(NEWLINE, start);
    if (this.carry) {
      if (nl < 0) {
        // a line longer than a chunk: its pieces are joined once, when it ends (not copied again per chunk)
        this.longLine.push(concat(new Uint8Array(0), chunk.subarray(start)));
        return;
      }
      const line = concatAll([this.carry, ...this.longLine, chunk.subarray(start, nl)]);
      this.carry = undefined;
      this.longLine = [];
      this.emit(line, 0, line.length);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl >= 0) {
      this.emit(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    // A copy (not chunk.slice: on a Node Buffer that is a view of the reused buffer).
    if (start < chunk.length) this.carry = concat(new Uint8Array(0), chunk.subarray(start));
  }

  end(): Trace {
    if (this.text) return this.text.end();
    if (this.carry) {
      const line = concatAll([this.carry, ...this.longLine]);
      this.emit(line, 0, line.length);
    }
    this.carry = undefined;
    this.longLine = [];
    return this.parser.finish();
  }

  private emit(bytes: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (end > start && bytes[end - 1] === CR) end--;
    if (!this.parser.lineBytes(bytes, start, end, this.lineNo)) {
      this.parser.line(this.decoder.decode(bytes.subarray(start, end)), this.lineNo);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
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
