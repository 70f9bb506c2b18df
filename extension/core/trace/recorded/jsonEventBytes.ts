// The byte-level fast path of the Chrome JSON reader (jsonStream.ts): one
// event object of the common shape read straight from the file's bytes into
// an EventShape (offsets and numbers; no JS object or string), or a
// "no" when the object is anything else. Accepted: `{"key":value,...}` whose
// keys and strings are printable ASCII without escapes, whose numbers are
// plain (at most 15 digits, no exponent), whose `args` is a flat object of
// strings, integers, true, false and null, and whose other values are
// scalars. Anything else (escapes, non-ASCII, nesting, odd numbers, flow keys,
// a key given twice, malformed JSON) is FALLBACK: the careful path reads that
// object, says what is wrong and where, and gives exactly what it always gave.

import { POW10 } from '../numbers';

/** The object runs past the end of the bytes: read it again with more. */
export const INCOMPLETE = -1;
/** The object is not of the fast shape: the careful path reads it. */
export const FALLBACK = -2;

export const enum ValueKind {
  String,
  /** An integer written as JS writes it (`String(Number(text))` is the text). */
  Integer,
  True,
  False,
  Null,
}

/** More args than this: the careful path. */
export const MAX_ARGS = 32;

export const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
export const MINUS = 45;
export const DOT = 46;
export const ZERO = 48;
const OPEN = 123;
const CLOSE = 125;
export const BACKSLASH = 92;

// the top-level keys the reader uses, as bits of EventShape.seen
const NAME = 1;
const PH = 2;
export const TS = 4;
export const PID = 8;
export const TID = 16;
const ARGS = 32;
const CAT = 64;

/** What scanEvent read of one event object; reused from one object to the next. */
export class EventShape {
  /** Bits of the keys seen. */
  seen = 0;
  /** The character of a one-character `ph`. */
  ph = 0;
  nameStart = 0;
  nameEnd = 0;
  catStart = 0;
  catEnd = 0;
  ts = 0;
  pid = 0;
  tid = 0;
  /** `args.cpu` (a non-negative integer), or -1 when args has none. */
  cpu = -1;
  // where the numbers above were read (jsonTemplates.ts learns an object's layout from them)
  tsStart = 0;
  tsEnd = 0;
  pidStart = 0;
  pidEnd = 0;
  tidStart = 0;
  tidEnd = 0;
  cpuStart = 0;
  cpuEnd = 0;
  /** Values of top-level keys the reader ignores (strings without their quotes, numbers); past MAX_ARGS only counted. */
  skipCount = 0;
  readonly skipStart = new Int32Array(MAX_ARGS);
  readonly skipEnd = new Int32Array(MAX_ARGS);
  /** The template (jsonTemplates.ts) the object matched, or -1 when scanEvent read it. */
  template = -1;
  argCount = 0;
  readonly keyStart = new Int32Array(MAX_ARGS);
  readonly keyEnd = new Int32Array(MAX_ARGS);
  readonly valueStart = new Int32Array(MAX_ARGS);
  readonly valueEnd = new Int32Array(MAX_ARGS);
  readonly valueKind = new Int32Array(MAX_ARGS);
  /** Line breaks inside the object, and the offset after the last one. */
  lines = 0;
  lineStart = 0;
  // what the last readNumber read
  /** The number's value when plain. */
  numberValue = 0;
  /** 0: an integer; 1: has a fraction; 2: too many digits or an exponent (valid JSON, not read here). */
  numberForm = 0;

  has(bits: number): boolean {
    return (this.seen & bits) === bits;
  }
  get hasName(): boolean {
    return (this.seen & NAME) !== 0;
  }
  get hasPh(): boolean {
    return (this.seen & PH) !== 0;
  }
  get hasTs(): boolean {
    return (this.seen & TS) !== 0;
  }
  get hasPid(): boolean {
    return (this.seen & PID) !== 0;
  }
  get hasTid(): boolean {
    return (this.seen & TID) !== 0;
  }
  get hasCat(): boolean {
    return (this.seen & CAT) !== 0;
  }
}

/**
 * Reads the event object at b[p] (`{`). Returns the offset after its `}`, or
 * INCOMPLETE / FALLBACK.
 */
export function scanEvent(b: Uint8Array, p: number, n: number, e: EventShape): number {
  e.seen = 0;
  e.cpu = -1;
  e.argCount = 0;
  e.lines = 0;
  e.skipCount = 0;
  e.template = -1;
  p++;
  for (;;) {
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    if (b[p] !== QUOTE) return FALLBACK; // `{}` and `{,` too: the careful path says what is missing
    const keyStart = p + 1;
    p = readString(b, keyStart, n);
    if (p < 0) return p;
    const keyEnd = p - 1;
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    if (b[p] !== COLON) return FALLBACK;
    p++;
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    const bit = keyBit(b, keyStart, keyEnd - keyStart);
    if (bit < 0) return FALLBACK; // a flow key
    if (bit > 0) {
      if (e.seen & bit) return FALLBACK; // given twice: JSON.parse keeps the last, the careful path does as it does
      e.seen |= bit;
    }
    const c = b[p];
    switch (bit) {
      case NAME:
      case CAT:
      case PH: {
        if (c !== QUOTE) return FALLBACK;
        const start = p + 1;
        p = readString(b, start, n);
        if (p < 0) return p;
        if (bit === NAME) {
          e.nameStart = start;
          e.nameEnd = p - 1;
        } else if (bit === CAT) {
          e.catStart = start;
          e.catEnd = p - 1;
        } else {
          if (p - 1 - start !== 1) return FALLBACK;
          e.ph = b[start];
        }
        break;
      }
      case TS:
      case PID:
      case TID: {
        const start = p;
        p = readNumber(b, p, n, e);
        if (p < 0) return p;
        if (e.numberForm === 2 || (bit !== TS && e.numberForm !== 0)) return FALLBACK;
        if (bit === TS) {
          e.ts = e.numberValue;
          e.tsStart = start;
          e.tsEnd = p;
        } else if (bit === PID) {
          e.pid = e.numberValue;
          e.pidStart = start;
          e.pidEnd = p;
        } else {
          e.tid = e.numberValue;
          e.tidStart = start;
          e.tidEnd = p;
        }
        break;
      }
      case ARGS:
        if (c !== OPEN) return FALLBACK;
        p = readArgs(b, p + 1, n, e);
        if (p < 0) return p;
        break;
      default: {
        // a key the reader ignores: any scalar
        const start = c === QUOTE ? p + 1 : p;
        if (c === QUOTE) p = readString(b, p + 1, n);
        else if (c === MINUS || (c >= ZERO && c <= ZERO + 9)) p = readNumber(b, p, n, e);
        else {
          p = readLiteral(b, p, n);
          if (p < 0) return p;
          break;
        }
        if (p < 0) return p;
        const s = e.skipCount++;
        if (s < MAX_ARGS) {
          e.skipStart[s] = start;
          e.skipEnd[s] = c === QUOTE ? p - 1 : p;
        }
      }
    }
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    if (b[p] === CLOSE) return p + 1;
    if (b[p] !== COMMA) return FALLBACK;
    p++;
  }
}

/** The `args` object after its `{`: returns the offset after its `}`. */
function readArgs(b: Uint8Array, p: number, n: number, e: EventShape): number {
  if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
  if (p >= n) return INCOMPLETE;
  if (b[p] === CLOSE) return p + 1;
  for (let k = 0; ; k++) {
    if (b[p] !== QUOTE) return FALLBACK;
    const keyStart = p + 1;
    // a key that is an array index goes first in JS property order, whatever its place in the file
    if (keyStart < n && b[keyStart] >= ZERO && b[keyStart] <= ZERO + 9) return FALLBACK;
    p = readString(b, keyStart, n);
    if (p < 0) return p;
    const keyEnd = p - 1;
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    if (b[p] !== COLON) return FALLBACK;
    p++;
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    const c = b[p];
    const valueStart = c === QUOTE ? p + 1 : p;
    let kind: ValueKind;
    if (c === QUOTE) {
      p = readString(b, p + 1, n);
      kind = ValueKind.String;
    } else if (c === MINUS || (c >= ZERO && c <= ZERO + 9)) {
      p = readNumber(b, p, n, e);
      // `-0` prints as `0`: not the text
      if (p >= 0 && (e.numberForm !== 0 || (c === MINUS && e.numberValue === 0))) return FALLBACK;
      kind = ValueKind.Integer;
    } else {
      p = readLiteral(b, p, n);
      kind = c === 116 ? ValueKind.True : c === 102 ? ValueKind.False : ValueKind.Null;
    }
    if (p < 0) return p;
    const valueEnd = kind === ValueKind.String ? p - 1 : p;
    if (keyEnd - keyStart === 3 && b[keyStart] === 99 && b[keyStart + 1] === 112 && b[keyStart + 2] === 117) {
      // args.cpu: the event's cpu, not an arg
      if (kind !== ValueKind.Integer || c === MINUS || e.cpu >= 0) return FALLBACK;
      e.cpu = e.numberValue;
      e.cpuStart = valueStart;
      e.cpuEnd = valueEnd;
    } else {
      const a = e.argCount;
      if (a === MAX_ARGS) return FALLBACK;
      e.keyStart[a] = keyStart;
      e.keyEnd[a] = keyEnd;
      e.valueStart[a] = valueStart;
      e.valueEnd[a] = valueEnd;
      e.valueKind[a] = kind;
      e.argCount = a + 1;
    }
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
    if (b[p] === CLOSE) return p + 1;
    if (b[p] !== COMMA) return FALLBACK;
    p++;
    if (p < n && b[p] <= 32) p = skipSpace(b, p, n, e);
    if (p >= n) return INCOMPLETE;
  }
}

/** JSON white space; counts line breaks into e. */
function skipSpace(b: Uint8Array, p: number, n: number, e: EventShape): number {
  while (p < n) {
    const c = b[p];
    if (c === 32 || c === 9 || c === 13) p++;
    else if (c === 10) {
      e.lines++;
      e.lineStart = ++p;
    } else break;
  }
  return p;
}

/** A string or key from after its opening quote: printable ASCII, no escape. Returns the offset after the closing quote. */
export function readString(b: Uint8Array, p: number, n: number): number {
  while (p < n) {
    const c = b[p++];
    if (c === QUOTE) return p;
    if (c < 32 || c > 126 || c === BACKSLASH) return FALLBACK;
  }
  return INCOMPLETE;
}

/**
 * A JSON number. Its value in e.numberValue when it has at most 15 digits and no
 * exponent (then digits / 10^fraction is exactly the double JSON.parse gives).
 */
export function readNumber(b: Uint8Array, p: number, n: number, e: EventShape): number {
  const negative = b[p] === MINUS;
  if (negative) p++;
  if (p >= n) return INCOMPLETE;
  let c = b[p];
  if (c < ZERO || c > ZERO + 9) return FALLBACK;
  let digits = 0;
  let m = 0;
  if (c === ZERO) {
    p++;
    digits = 1;
  } else {
    while (p < n && (c = b[p]) >= ZERO && c <= ZERO + 9) {
      m = m * 10 + (c - ZERO);
      digits++;
      p++;
    }
  }
  let fraction = 0;
  if (p < n && b[p] === DOT) {
    p++;
    while (p < n && (c = b[p]) >= ZERO && c <= ZERO + 9) {
      m = m * 10 + (c - ZERO);
      fraction++;
      p++;
    }
    if (fraction === 0) return p >= n ? INCOMPLETE : FALLBACK;
  }
  if (p >= n) return INCOMPLETE;
  c = b[p];
  if (c === 101 || c === 69) {
    // an exponent: valid, but not read here
    p++;
    if (p < n && (b[p] === 43 || b[p] === MINUS)) p++;
    const start = p;
    while (p < n && b[p] >= ZERO && b[p] <= ZERO + 9) p++;
    if (p >= n) return INCOMPLETE;
    if (p === start) return FALLBACK;
    e.numberForm = 2;
    return p;
  }
  if (digits + fraction > 15) {
    e.numberForm = 2;
    return p;
  }
  const v = fraction === 0 ? m : m / POW10[fraction];
  e.numberValue = negative ? -v : v;
  e.numberForm = fraction === 0 ? 0 : 1;
  return p;
}

/** true, false or null. */
function readLiteral(b: Uint8Array, p: number, n: number): number {
  const c = b[p];
  const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : undefined;
  if (word === undefined) return FALLBACK;
  for (let k = 0; k < word.length; k++, p++) {
    if (p >= n) return INCOMPLETE;
    if (b[p] !== word.charCodeAt(k)) return FALLBACK;
  }
  return p;
}

/** The EventShape bit of a top-level key; -1 for a flow key (the careful path reads flows); 0 for a key the reader ignores. */
function keyBit(b: Uint8Array, p: number, len: number): number {
  const c = b[p];
  switch (len) {
    case 2:
      if (c === 112 && b[p + 1] === 104) return PH;
      if (c === 116 && b[p + 1] === 115) return TS;
      if ((c === 105 && b[p + 1] === 100) || (c === 98 && b[p + 1] === 112)) return -1; // id, bp
      return 0;
    case 3:
      if (b[p + 1] === 105 && b[p + 2] === 100) return c === 112 ? PID : c === 116 ? TID : 0;
      if (c === 99 && b[p + 1] === 97 && b[p + 2] === 116) return CAT;
      return 0;
    case 4:
      if (c === 110 && b[p + 1] === 97 && b[p + 2] === 109 && b[p + 3] === 101) return NAME;
      if (c === 97 && b[p + 1] === 114 && b[p + 2] === 103 && b[p + 3] === 115) return ARGS;
      return 0;
    case 7: // bind_id, flow_in
    case 8: // flow_out
      return (c === 98 && b[p + 1] === 105) || (c === 102 && b[p + 1] === 108) ? -1 : 0;
    default:
      return 0;
  }
}

/** Whether the last object objectEnd found is all ASCII (an escaped byte after `\\` included). */
export let objectWasAscii = false;

/**
 * The offset after the `}` closing the object at b[start] (`{`), minding
 * strings and escapes; INCOMPLETE when it runs past n, FALLBACK when it nests
 * deeper than maxDepth. For an object scanEvent declined: the careful path
 * then reads exactly that object.
 */
export function objectEnd(b: Uint8Array, start: number, n: number, maxDepth: number): number {
  let depth = 0;
  let bits = 0;
  for (let p = start; p < n; ) {
    const c = b[p++];
    bits |= c;
    if (c === QUOTE) {
      let closed = false;
      while (p < n) {
        const d = b[p++];
        bits |= d;
        if (d === QUOTE) {
          closed = true;
          break;
        }
        if (d === BACKSLASH) bits |= b[p++];
      }
      if (!closed) return INCOMPLETE;
    } else if (c === OPEN || c === 91) {
      if (++depth > maxDepth) return FALLBACK;
    } else if (c === CLOSE || c === 93) {
      if (--depth === 0) {
        objectWasAscii = bits < 128;
        return p;
      }
    }
  }
  return INCOMPLETE;
}
