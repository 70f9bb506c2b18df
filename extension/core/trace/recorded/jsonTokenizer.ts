// The careful path of the Chrome JSON scanner (jsonStream.ts): a tokenizer
// that reads character by character, checks the structure, captures each
// element of the event array as text, and reports a syntax error with its line
// and column. Inside the event array it then resynchronises at the next line
// that starts with `{`; outside it, the rest of the file is skipped. It hands
// back to the fast path whenever it is between two events again.

export interface JsonEventSink {
  /** One element of the event array, as text (an object), starting at line:column (1-based). */
  element(text: string, line: number, column: number): void;
  /** One element of the event array already read by JSON.parse (an object), starting at line:column. */
  parsed(value: Record<string, unknown>, line: number, column: number): void;
  /** A syntax or structure problem at line:column. */
  error(line: number, column: number, message: string, severity?: 'error' | 'warning'): void;
}

export const enum Expect {
  Value,
  /** After `[`: a value or `]`. */
  ValueOrClose,
  /** After `{`: a key or `}`. */
  KeyOrClose,
  Key,
  Colon,
  CommaOrClose,
  /** The top-level value is complete. */
  End,
}

const LITERAL = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;
const MAX_KEY = 64;
/** An event nested deeper than this is skipped (reading it back would recurse that deep). */
export const MAX_EVENT_DEPTH = 64;
/** Longer runs of literal characters are kept only this far (they are an error anyway, or a number JSON.parse reads). */
const MAX_LITERAL = 400;

function isLiteralChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;
}

export class JsonTokenizer {
  private readonly stack: number[] = [];
  protected expect = Expect.Value;
  private inString = false;
  private escape = false;
  /** Characters of the literal being read (a number, true, false, null), across chunks. */
  private literal = '';
  private literalLine = 0;
  private literalColumn = 0;
  /** Key being read at depth 1 of the top-level object (to find `traceEvents`). */
  private key: string | undefined;
  private lastTopKey = '';
  /** Stack depth of the event array once it has been opened (0: not yet). */
  private eventsDepth = 0;
  private capture: string[] | undefined;
  private captureFrom = 0;
  private captureLine = 0;
  private captureColumn = 0;
  private recovering = false;
  /** No non-blank character has been read on this line yet (used while recovering). */
  private atLineStart = true;
  private dead = false;
  private sawEvents = false;
  /** 1-based line of the character being read, and the offset (in this chunk's coordinates) where that line starts. */
  protected line = 1;
  protected lineStart = 0;
  /** Set by the careful path when it is between two events again. */
  private handOff = false;

  constructor(protected readonly sink: JsonEventSink) {}

  /** The careful path from chunk[from]: returns where the fast path may take over (or the chunk's length). */
  protected careful(chunk: string, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        if (this.inString && !this.dead && !this.recovering) {
          this.fail(i, 'unescaped line break inside a string');
          if (this.dead) return n;
        }
        this.line++;
        this.lineStart = i + 1;
        if (this.literal && !this.dead && !this.recovering) this.endLiteral(chunk, i);
        this.atLineStart = true;
        continue;
      }
      if (this.dead) continue;
      if (this.recovering) {
        // resume at the first line whose first non-blank is `{`
        if (!this.atLineStart || c === 32 || c === 9 || c === 13) continue;
        this.atLineStart = false;
        if (c !== 123) continue;
        this.recovering = false;
        this.stack.length = this.eventsDepth;
        this.expect = Expect.Value;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) this.closeString(chunk, i);
        else {
          // the plain run of the string up to the next quote, backslash or line break, at once
          let j = i + 1;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === 34 || d === 92 || d === 10) break;
            j++;
          }
          if (this.key !== undefined && this.key.length < MAX_KEY) this.key += chunk.slice(i, Math.min(j, i + MAX_KEY));
          i = j - 1;
        }
        continue;
      }
      if (this.literal) {
        if (isLiteralChar(c)) {
          let j = i + 1;
          while (j < n && isLiteralChar(chunk.charCodeAt(j))) j++;
          if (this.literal.length < MAX_LITERAL) this.literal += chunk.slice(i, j);
          i = j - 1;
          continue;
        }
        this.endLiteral(chunk, i);
        if (this.dead || this.recovering) continue;
      }
      if (c === 32 || c === 9 || c === 13) continue;
      this.token(chunk, i, c);
      if (this.handOff) {
        this.handOff = false;
        return i + 1;
      }
    }
    return n;
  }

  /**
   * After the careful path has read text up to `end` (the rest of it is read
   * again from other text): keeps the captured part, and moves lineStart to
   * the coordinates of the text that follows.
   */
  protected textRead(text: string, end: number): void {
    if (this.capture) {
      this.capture.push(text.slice(this.captureFrom, end));
      this.captureFrom = 0;
    }
    this.lineStart -= end;
  }

  /** Between two elements of the event array, with nothing pending: where the fast path can read. */
  protected betweenEvents(): boolean {
    return (
      !this.dead &&
      !this.recovering &&
      !this.inString &&
      this.literal === '' &&
      this.capture === undefined &&
      this.eventsDepth > 0 &&
      this.stack.length === this.eventsDepth &&
      (this.expect === Expect.Value || this.expect === Expect.ValueOrClose || this.expect === Expect.CommaOrClose)
    );
  }

  end(): void {
    if (this.dead) return;
    if (this.literal) this.endLiteral('', 0);
    if (this.dead) return;
    const at = (message: string, severity: 'error' | 'warning' = 'error') => this.sink.error(this.line, Math.max(1, -this.lineStart + 1), message, severity);
    if (this.inString) at('unexpected end of file inside a string');
    else if (this.capture) at('unexpected end of file inside an event object');
    else if (this.stack.length === 0 && this.expect === Expect.Value) at('empty file: expected a JSON object with traceEvents, or an array of events');
    else if (this.stack.length > 0 && !(this.stack.length === 1 && this.stack[0] === 91 && this.eventsDepth === 1)) {
      // the array form may omit its closing `]` (the Trace Event Format allows it); anything else open is a truncated file
      at('unexpected end of file: the JSON is not closed (truncated recording?)', 'warning');
    }
    if (!this.sawEvents && !(this.stack.length === 0 && this.expect === Expect.Value)) {
      this.sink.error(1, 1, 'no traceEvents array: nothing to analyse', 'warning');
    }
  }

  private column(i: number): number {
    return i - this.lineStart + 1;
  }

  private token(chunk: string, i: number, c: number): void {
    switch (this.expect) {
      case Expect.End:
        return this.fail(i, `unexpected "${chunk[i]}" after the end of the JSON value`);
      case Expect.Colon:
        if (c === 58) {
          this.expect = Expect.Value;
          return;
        }
        return this.fail(i, `expected ":" after the key, found "${chunk[i]}"`);
      case Expect.CommaOrClose:
        if (c === 44) {
          this.expect = this.top() === 123 ? Expect.Key : Expect.Value;
          if (this.stack.length === this.eventsDepth) this.handOff = true;
          return;
        }
        if (c === 125 || c === 93) return this.close(chunk, i, c);
        return this.fail(i, `expected "," or "${this.top() === 123 ? '}' : ']'}", found "${chunk[i]}"`);
      case Expect.KeyOrClose:
      case Expect.Key:
        if (c === 34) {
          this.inString = true;
          this.key = this.stack.length === 1 && this.stack[0] === 123 ? '' : undefined;
          return;
        }
        if (c === 125 && this.expect === Expect.KeyOrClose) return this.close(chunk, i, c);
        return this.fail(i, `expected a quoted key, found "${chunk[i]}"`);
      case Expect.ValueOrClose:
        if (c === 93) return this.close(chunk, i, c);
        return this.value(chunk, i, c);
      case Expect.Value:
        return this.value(chunk, i, c);
    }
  }

  private value(chunk: string, i: number, c: number): void {
    const inEvents = this.eventsDepth > 0 && this.stack.length === this.eventsDepth;
    if (inEvents && c !== 123) return this.fail(i, `expected an event object ({...}) in the event array, found "${chunk[i]}"`);
    if (c === 123 || c === 91) {
      if (this.capture && this.stack.length - this.eventsDepth >= MAX_EVENT_DEPTH) {
        this.sink.error(this.captureLine, this.captureColumn, `event nests deeper than ${MAX_EVENT_DEPTH} levels (line ${this.line}, column ${this.column(i)}): skipped`);
        this.capture = undefined;
      }
      if (inEvents) {
        this.capture = [];
        this.captureFrom = i;
        this.captureLine = this.line;
        this.captureColumn = this.column(i);
      }
      const opensEvents = c === 91 && ((this.stack.length === 0 && this.eventsDepth === 0) || (this.stack.length === 1 && this.stack[0] === 123 && this.lastTopKey === 'traceEvents'));
      this.stack.push(c);
      if (opensEvents) {
        this.eventsDepth = this.stack.length;
        this.sawEvents = true;
        this.handOff = true;
      }
      this.expect = c === 123 ? Expect.KeyOrClose : Expect.ValueOrClose;
      return;
    }
    if (c === 34) {
      this.inString = true;
      this.key = undefined;
      return;
    }
    if (isLiteralChar(c)) {
      this.literal = chunk[i];
      this.literalLine = this.line;
      this.literalColumn = this.column(i);
      return;
    }
    this.fail(i, `expected a value, found "${chunk[i]}"`);
  }

  private closeString(chunk: string, i: number): void {
    this.inString = false;
    if (this.expect === Expect.Key || this.expect === Expect.KeyOrClose) {
      if (this.key !== undefined) this.lastTopKey = this.key;
      this.key = undefined;
      this.expect = Expect.Colon;
      return;
    }
    this.afterValue(chunk, i);
  }

  private endLiteral(chunk: string, i: number): void {
    const text = this.literal;
    this.literal = '';
    if (text.length < MAX_LITERAL && !LITERAL.test(text)) {
      this.sink.error(this.literalLine, this.literalColumn, `"${text.length > 20 ? text.slice(0, 20) + '...' : text}" is not a JSON value`);
      this.afterError();
      return;
    }
    this.afterValue(chunk, i);
  }

  private close(chunk: string, i: number, c: number): void {
    const open = this.top();
    if ((c === 125 && open !== 123) || (c === 93 && open !== 91)) {
      return this.fail(i, `"${chunk[i]}" does not close the open "${String.fromCharCode(open)}"`);
    }
    this.stack.pop();
    if (this.capture && this.stack.length === this.eventsDepth) {
      const parts = this.capture;
      parts.push(chunk.slice(this.captureFrom, i + 1));
      this.capture = undefined;
      this.sink.element(parts.length === 1 ? parts[0] : parts.join(''), this.captureLine, this.captureColumn);
      this.handOff = true;
    }
    if (this.eventsDepth > this.stack.length) this.eventsDepth = -1; // the event array is closed
    this.afterValue(chunk, i);
  }

  private afterValue(_chunk: string, _i: number): void {
    this.expect = this.stack.length === 0 ? Expect.End : Expect.CommaOrClose;
  }

  private top(): number {
    return this.stack[this.stack.length - 1] ?? 0;
  }

  private fail(i: number, message: string): void {
    this.sink.error(this.line, this.column(i), message);
    this.afterError();
  }

  /** Inside the event array, skip to the next line that starts an object; elsewhere give up on the file. */
  private afterError(): void {
    this.inString = false;
    this.escape = false;
    this.literal = '';
    this.capture = undefined;
    if (this.eventsDepth > 0 && this.stack.length >= this.eventsDepth) {
      this.recovering = true;
      this.atLineStart = false;
    } else this.dead = true;
  }
}
