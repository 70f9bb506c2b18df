// An incremental JSON scanner for Chrome / Perfetto trace files, which can be
// gigabytes: it is fed chunks, checks the structure, and hands out each
// element of the event array (`traceEvents` of the object form, or the
// top-level array of the array form) together with the line and column where
// it starts. Everything else (metadata, `systemTraceEvents` strings, ...) is
// checked and dropped.
//
// Fed bytes (feedBytes, what a file read uses), it has three ways to read an
// event object, fastest first:
// - jsonEventBytes.ts reads an object of the common shape straight from the
//   bytes, and the sink takes it from there without a JS object or string;
// - an object of another shape (escapes, non-ASCII, nesting, flows, ...) is
//   decoded alone and given to JSON.parse;
// - whatever JSON.parse refuses, and everything outside the event array, goes
//   to the careful path (jsonTokenizer.ts, the base class), which checks the
//   structure character by character and reports errors with line and column.
// Fed text (feed), it reads with the careful path only: the events and
// diagnostics are the same either way, which the tests check.

import { EventShape, FALLBACK, INCOMPLETE, objectEnd, objectWasAscii, scanEvent } from './jsonEventBytes';
import { EventTemplates } from './jsonTemplates';
import { Expect, JsonTokenizer, type JsonEventSink } from './jsonTokenizer';

export interface JsonByteSink extends JsonEventSink {
  /**
   * An event object the byte path has read (its strings are offsets into
   * `bytes`); false leaves it to the other paths, untouched. When a template
   * read it (e.template >= 0), only the fields a template fills are set (no
   * `ph`, `cat` or key offsets): the sink answers from what it made of the
   * object the template was learnt from, or false to have scanEvent read it.
   */
  shape(e: EventShape, bytes: Uint8Array, line: number, column: number): boolean;
  /** The object the last shape() took (read by scanEvent) is template `id` (jsonTemplates.ts) from now on. */
  template(id: number): void;
}

/** An event object open at the end of a chunk is carried to the next one up to this size; a bigger one goes to the careful path. */
const MAX_CARRY = 1 << 16;
/** Objects nested deeper than this go to the careful path (which skips those past MAX_EVENT_DEPTH). */
const PARSE_DEPTH = 16;
/** At most this many objects the byte path declined go to one JSON.parse together. */
const MAX_RUN = 256;
/** The careful path reads bytes decoded in pieces: small at first (it often hands back soon), growing up to MAX_PIECE. */
const FIRST_PIECE = 256;
const MAX_PIECE = 1 << 16;
const BOM = [0xef, 0xbb, 0xbf];

export class JsonEventStream extends JsonTokenizer {
  private readonly event = new EventShape();
  private readonly templates = new EventTemplates();
  /** Pieces start and end on whole characters; a U+FEFF inside the file is kept, as the stream decoder keeps it. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Bytes the previous chunk left unread (an open object, a split character) at the start of `buffer`. */
  private buffer = new Uint8Array(0);
  private carried = 0;
  private atStart = true;
  /** The careful path reads the object at the current offset even though it is between events. */
  private forceCareful = false;
  /** More bytes are needed to go on. */
  private waiting = false;
  private piece = FIRST_PIECE;
  /** Objects before this offset of the chunk go to JSON.parse one by one (a run of them did not parse). */
  private singleUntil = 0;
  private readonly runLines: number[] = [];
  private readonly runColumns: number[] = [];

  constructor(private readonly byteSink: JsonByteSink) {
    super(byteSink);
  }

  /** Text in any chunking (the careful path alone). */
  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; ) i = this.careful(chunk, i);
    this.textRead(chunk, chunk.length);
  }

  /**
   * UTF-8 bytes in any chunking (the caller may reuse `chunk` afterwards).
   * Between chunks, `lineStart` is in the coordinates of the next chunk's
   * first byte, as the careful path keeps it between texts.
   */
  feedBytes(chunk: Uint8Array): void {
    let b = chunk;
    let n = chunk.length;
    if (this.carried > 0) {
      n = this.carried + chunk.length;
      this.reserve(n);
      this.buffer.set(chunk, this.carried);
      b = this.buffer;
    }
    let p = 0;
    if (this.atStart) {
      // a byte order mark is not part of the JSON (the text decoder drops it too); it may arrive split
      if (n < BOM.length && BOM.slice(0, n).every((x, k) => b[k] === x)) return this.carry(b, 0, n);
      this.atStart = false;
      if (BOM.every((x, k) => b[k] === x)) this.lineStart = p = BOM.length;
    }
    this.waiting = false;
    this.singleUntil = 0;
    while (p < n && !this.waiting) {
      if (!this.forceCareful && this.betweenEvents()) {
        this.piece = FIRST_PIECE;
        p = this.fast(b, p, n);
      } else p = this.carefulPiece(b, p, n);
    }
    this.carry(b, p, n);
  }

  /** Objects are read without templates until they are learnt again (what the sink makes of them has changed). */
  forgetTemplates(): void {
    this.templates.forget();
  }

  override end(): void {
    if (this.carried > 0) {
      // what is left is a truncated file: the careful path says where
      const text = this.decoder.decode(this.buffer.subarray(0, this.carried));
      this.carried = 0;
      this.feed(text);
    }
    super.end();
  }

  /** Keeps b[p, n) for the next chunk. */
  private carry(b: Uint8Array, p: number, n: number): void {
    if (b === this.buffer) this.buffer.copyWithin(0, p, n);
    else {
      this.reserve(n - p);
      this.buffer.set(b.subarray(p, n));
    }
    this.carried = n - p;
    this.lineStart -= p;
  }

  /** Room for n bytes in `buffer`, keeping the carried ones. */
  private reserve(n: number): void {
    if (this.buffer.length >= n) return;
    const grown = new Uint8Array(Math.max(n, 2 * this.buffer.length));
    grown.set(this.buffer.subarray(0, this.carried));
    this.buffer = grown;
  }

  /**
   * Between events: commas, white space and event objects from b[p]. Returns
   * where it stopped: at what it leaves to the careful path, or at an object
   * that needs the next chunk (`waiting`).
   */
  private fast(b: Uint8Array, p: number, n: number): number {
    const e = this.event;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let expect = this.expect;
    let line = this.line;
    let lineStart = this.lineStart;
    while (p < n) {
      const c = b[p];
      if (c === 32 || c === 9 || c === 13) {
        p++;
        continue;
      }
      if (c === 10) {
        line++;
        lineStart = ++p;
        continue;
      }
      if (c === 44 && expect === Expect.CommaOrClose) {
        expect = Expect.Value;
        p++;
        continue;
      }
      if (c !== 123 || expect === Expect.CommaOrClose) {
        this.forceCareful = true; // `]`, or not JSON: the careful path
        break;
      }
      const matched = this.templates.match(b, view, p, n, e);
      if (matched >= 0 && this.byteSink.shape(e, b, line, p - lineStart + 1)) {
        expect = Expect.CommaOrClose;
        p = matched;
        continue;
      }
      const end = scanEvent(b, p, n, e);
      if (end >= 0 && this.byteSink.shape(e, b, line, p - lineStart + 1)) {
        const t = this.templates.learn(b, p, end, e);
        if (t >= 0) this.byteSink.template(t);
        if (e.lines > 0) {
          line += e.lines;
          lineStart = e.lineStart;
        }
        expect = Expect.CommaOrClose;
        p = end;
        continue;
      }
      if (end === INCOMPLETE && n - p <= MAX_CARRY) {
        this.waiting = true;
        break;
      }
      this.expect = expect;
      this.line = line;
      this.lineStart = lineStart;
      return end === FALLBACK ? this.parseRun(b, p, n) : this.parseObject(b, p, n);
    }
    this.expect = expect;
    this.line = line;
    this.lineStart = lineStart;
    return p;
  }

  /**
   * Event objects from b[p] that the byte path declined for their syntax
   * (escapes, nesting, ...), ASCII only (so that columns are bytes): one
   * JSON.parse reads a run of them, as for a single object (parseObject), which
   * also takes any object a run does not suit.
   */
  private parseRun(b: Uint8Array, p: number, n: number): number {
    if (p < this.singleUntil) return this.parseObject(b, p, n);
    const lines = this.runLines;
    const columns = this.runColumns;
    lines.length = 0;
    columns.length = 0;
    let line = this.line;
    let lineStart = this.lineStart;
    let runEnd = p;
    let endLine = line;
    let endLineStart = lineStart;
    for (let q = p; lines.length < MAX_RUN; ) {
      const end = objectEnd(b, q, n, PARSE_DEPTH);
      if (end < 0 || !objectWasAscii) break;
      lines.push(line);
      columns.push(q - lineStart + 1);
      // then white space, a comma, white space, and the next object if the byte path declines it too
      let r = q;
      for (; r < end; r++) {
        if (b[r] === 10) {
          line++;
          lineStart = r + 1;
        }
      }
      runEnd = end;
      endLine = line;
      endLineStart = lineStart;
      let comma = false;
      for (; r < n; r++) {
        const c = b[r];
        if (c === 10) {
          line++;
          lineStart = r + 1;
        } else if (c === 44 && !comma) comma = true;
        else if (c !== 32 && c !== 9 && c !== 13) break;
      }
      if (!comma || r >= n || b[r] !== 123 || scanEvent(b, r, n, this.event) !== FALLBACK) break;
      q = r;
    }
    if (lines.length < 2) return this.parseObject(b, p, n);
    let values: unknown;
    try {
      values = JSON.parse(`[${this.decoder.decode(b.subarray(p, runEnd))}]`);
    } catch {
      values = undefined;
    }
    if (!Array.isArray(values) || values.length !== lines.length) {
      this.singleUntil = runEnd;
      return this.parseObject(b, p, n);
    }
    for (let k = 0; k < values.length; k++) this.byteSink.parsed(values[k] as Record<string, unknown>, lines[k], columns[k]);
    this.line = endLine;
    this.lineStart = endLineStart;
    this.expect = Expect.CommaOrClose;
    return runEnd;
  }

  /** An event object at b[p] that the byte path declined: JSON.parse reads it, or the careful path if JSON.parse cannot. */
  private parseObject(b: Uint8Array, p: number, n: number): number {
    const end = objectEnd(b, p, n, PARSE_DEPTH);
    if (end === INCOMPLETE && n - p <= MAX_CARRY) {
      this.waiting = true;
      return p;
    }
    this.forceCareful = true;
    if (end < 0) return p; // too big or too deep: the careful path, piece by piece
    const text = this.decoder.decode(b.subarray(p, end));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.carefulRange(p, end, text);
    }
    this.forceCareful = false;
    this.byteSink.parsed(value as Record<string, unknown>, this.line, p - this.lineStart + 1);
    // the lines it spans, and columns in characters (as the careful path counts them) after it
    let nl = text.indexOf('\n');
    if (nl < 0) this.lineStart += end - p - text.length;
    else {
      let last = nl;
      for (; nl >= 0; nl = text.indexOf('\n', nl + 1)) {
        this.line++;
        last = nl;
      }
      this.lineStart = end - (text.length - last - 1);
    }
    this.expect = Expect.CommaOrClose;
    return end;
  }

  /** The careful path on the next piece of bytes from b[p]. */
  private carefulPiece(b: Uint8Array, p: number, n: number): number {
    const to = wholeCharacters(b, p, Math.min(n, p + this.piece));
    if (to === p) {
      this.waiting = true;
      return p;
    }
    this.piece = Math.min(MAX_PIECE, 2 * this.piece);
    return this.carefulRange(p, to, this.decoder.decode(b.subarray(p, to)));
  }

  /**
   * The careful path on `text`, decoded from the bytes [from, to) (whole characters).
   * Returns the offset after what it read: `to`, or the byte where it handed
   * back to the fast path between two events.
   */
  private carefulRange(from: number, to: number, text: string): number {
    // lineStart into the text's coordinates (all of the line before `from` has been read)
    this.lineStart -= from;
    for (let i = 0; ; ) {
      i = this.careful(text, i);
      const at = i === text.length ? to : utf8Offset(from, text, i);
      if (at >= 0) {
        this.textRead(text, i);
        this.lineStart += at;
        if (this.betweenEvents()) this.forceCareful = false;
        return at;
      }
    }
  }
}

/**
 * The byte offset of text[i] in the bytes from `from` it was decoded from, or
 * -1 when a U+FFFD before it leaves that unsure (it may stand for 1 to 3 bytes
 * that were not UTF-8).
 */
function utf8Offset(from: number, text: string, i: number): number {
  let at = from;
  for (let k = 0; k < i; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x80) at++;
    else if (c < 0x800) at += 2;
    else if (c >= 0xd800 && c <= 0xdfff) at += 2; // half of a 4-byte character
    else if (c === 0xfffd) return -1;
    else at += 3;
  }
  return at;
}

/** `to`, or less so that b[from, to) does not end inside a UTF-8 character (whose rest is at b[to] or in the next chunk). */
function wholeCharacters(b: Uint8Array, from: number, to: number): number {
  for (let k = to - 1; k >= from && k >= to - 3; k--) {
    const c = b[k];
    if ((c & 0xc0) === 0x80) continue;
    const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return k + length > to ? k : to;
  }
  return to;
}
