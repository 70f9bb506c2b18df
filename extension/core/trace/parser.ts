// What every trace parser is: a StreamParser fed chunk by chunk, or a
// LineParser fed whole lines by a LineSplitter. The parsers import this, never
// parse.ts (which imports every parser to choose one).

import type { Trace } from './model';

export interface StreamParser {
  /** Text in any chunking; lines may span chunks. */
  feed(chunk: string): void;
  /** UTF-8 bytes in any chunking, for parsers that read bytes faster than text (parseFile prefers it). */
  feedBytes?(chunk: Uint8Array): void;
  end(): Trace;
}

/** A parser that takes one whole line at a time. */
export interface LineParser {
  line(text: string, lineNo: number): void;
  finish(): Trace;
}

/** Splits chunks into lines (`\n` or `\r\n`) for a LineParser, keeping 1-based line numbers. */
export class LineSplitter implements StreamParser {
  private partial = '';
  private lineNo = 0;

  constructor(private readonly parser: LineParser) {}

  feed(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl >= 0 && this.partial.length > 0) {
      this.emit(this.partial + chunk.slice(0, nl));
      this.partial = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl >= 0) {
      this.emit(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    this.partial += chunk.slice(start);
  }

  end(): Trace {
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = '';
    return this.parser.finish();
  }

  private emit(line: string): void {
    this.lineNo++;
    this.parser.line(line.endsWith('\r') ? line.slice(0, -1) : line, this.lineNo);
  }
}
