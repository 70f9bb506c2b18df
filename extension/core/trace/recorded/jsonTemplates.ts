// Event objects of one name are mostly written alike: the same keys in the
// same order, the same spacing, the same `ph` and `cat`; only the numbers and
// the argument values change. A template is such an object (one that
// scanEvent read) with holes where those are: the next object of that name is
// checked against the template's bytes in place and only its holes are read,
// which gives the EventShape scanEvent would give, with no key to look at.
// The template is chosen by the name, the first hole: the bytes before it
// (`{"name":"` as most writers put it) are the same for every template.
// Any difference (other keys, another value kind, escapes, a line break) is
// no match: scanEvent reads the object, and its layout may become the name's
// template.

import { POW10 } from '../numbers';
import { DOT, EventShape, MAX_ARGS, MINUS, PID, QUOTE, TID, TS, ValueKind, ZERO, readNumber, readString } from './jsonEventBytes';

/** No template matched: scanEvent reads the object. */
export const NO_MATCH = -1;

// what a hole holds
const enum Hole {
  Ts,
  Pid,
  Tid,
  Cpu,
  /** An argument's string value (k in the bits above 3). */
  String,
  /** An argument's integer value (k in the bits above 3). */
  Integer,
  /** The string value of a key the reader ignores. */
  SkipString,
  /** The number value of a key the reader ignores. */
  SkipNumber,
}

interface Template {
  /** The bytes from the name's first one to the object's `}`, holes left out. */
  literal: Uint8Array;
  /** The literal before each hole and after the last as 4-byte words (little-endian), then 0-3 bytes: per piece, its first word. */
  words: Int32Array;
  wordAt: Int32Array;
  /** Per piece, where it ends in `literal` (the last piece ends at its end). */
  pieceEnd: Int32Array;
  /** Per hole (after piece i): what it holds (Hole, plus 8 * the argument index). */
  holeKind: Int32Array;
  nameLength: number;
  seen: number;
  argCount: number;
  valueKind: Int32Array;
  /** Another template whose literal starts with the same 8 bytes, or -1. */
  next: number;
}

/** Templates by a hash of the first 8 bytes of their literal (the name, usually). */
const SLOTS = 1 << 12;
/** A slot's templates are replaced at most this often (a name written in several layouts keeps the first ones). */
const MAX_RELEARN = 64;
/** The bytes before the name may change this often; after that, no templates (a writer with no fixed layout). */
const MAX_PREFIXES = 16;
/** A template's literal before its first hole is at least this long: its first 8 bytes choose it. */
const KEY_BYTES = 8;

export class EventTemplates {
  private readonly templates: Template[] = [];
  /** Per slot, its first template + 1 (0: none). */
  private readonly slots = new Int32Array(SLOTS);
  private readonly relearned = new Uint8Array(SLOTS);
  /** The bytes from `{` to the name's first character, the same for every template, as words then bytes. */
  private prefix: Uint8Array = new Uint8Array(0);
  private prefixWords: Int32Array = new Int32Array(0);
  private prefixes = 0;

  /** No template matches from now on (the meaning the sink gave them may have changed); numbers are not reused. */
  forget(): void {
    this.slots.fill(0);
  }

  /**
   * Reads the object at b[p] (`{`) into e by the template of its name: the
   * offset after its `}`, or NO_MATCH (also when it runs past n). `view` is
   * a DataView of b.
   */
  match(b: Uint8Array, view: DataView, p: number, n: number, e: EventShape): number {
    const prefix = this.prefix;
    const prefixLength = prefix.length;
    if (prefixLength === 0 || p + prefixLength + KEY_BYTES > n) return NO_MATCH;
    const prefixWords = this.prefixWords;
    for (let w = 0; w < prefixWords.length; w++, p += 4) if (view.getInt32(p, true) !== prefixWords[w]) return NO_MATCH;
    for (let k = 4 * prefixWords.length; k < prefixLength; k++, p++) if (b[p] !== prefix[k]) return NO_MATCH;
    const nameStart = p;
    const w0 = view.getInt32(p, true);
    const w1 = view.getInt32(p + 4, true);
    for (let t = this.slots[slotOf(w0, w1)] - 1; t >= 0; ) {
      const tpl = this.templates[t];
      const end = this.matchTemplate(tpl, b, view, nameStart, n, e);
      if (end >= 0) {
        e.seen = tpl.seen;
        e.nameStart = nameStart;
        e.nameEnd = nameStart + tpl.nameLength;
        e.lines = 0;
        const count = tpl.argCount;
        e.argCount = count;
        for (let k = 0; k < count; k++) e.valueKind[k] = tpl.valueKind[k];
        e.template = t;
        return end;
      }
      t = tpl.next;
    }
    return NO_MATCH;
  }

  private matchTemplate(tpl: Template, b: Uint8Array, view: DataView, p: number, n: number, e: EventShape): number {
    e.cpu = -1;
    const literal = tpl.literal;
    const words = tpl.words;
    const wordAt = tpl.wordAt;
    const pieceEnd = tpl.pieceEnd;
    const holeKind = tpl.holeKind;
    const holes = holeKind.length;
    let l = 0;
    for (let i = 0; ; i++) {
      const to = pieceEnd[i];
      if (p + to - l > n) return NO_MATCH;
      const wordEnd = wordAt[i + 1];
      for (let w = wordAt[i]; w < wordEnd; w++, p += 4, l += 4) if (view.getInt32(p, true) !== words[w]) return NO_MATCH;
      for (; l < to; l++, p++) if (b[p] !== literal[l]) return NO_MATCH;
      if (i === holes) return p;
      const kind = holeKind[i];
      const hole: Hole = kind & 7;
      const start = p;
      if (hole === Hole.String || hole === Hole.SkipString) {
        p = readString(b, p, n);
        if (p < 0) return NO_MATCH;
        if (hole === Hole.String) {
          e.valueStart[kind >> 3] = start;
          e.valueEnd[kind >> 3] = p - 1;
        }
        continue;
      }
      if (hole === Hole.SkipNumber) {
        p = readNumber(b, p, n, e);
        if (p < 0) return NO_MATCH;
        continue;
      }
      // a number as readNumber reads it and scanEvent takes it: at most 15 digits, no leading zero or exponent, a fraction only in ts
      const negative = b[p] === MINUS;
      if (negative) p++;
      const first = p;
      let value = 0;
      let c = p < n ? b[p] - ZERO : -1;
      if (c === 0) c = ++p < n ? b[p] - ZERO : -1;
      else {
        while (c >= 0 && c <= 9) {
          value = value * 10 + c;
          c = ++p < n ? b[p] - ZERO : -1;
        }
        if (p === first) return NO_MATCH;
      }
      let digits = p - first;
      if (c === DOT - ZERO && hole === Hole.Ts) {
        const dot = p;
        c = ++p < n ? b[p] - ZERO : -1;
        while (c >= 0 && c <= 9) {
          value = value * 10 + c;
          c = ++p < n ? b[p] - ZERO : -1;
        }
        if (p === dot + 1) return NO_MATCH;
        digits += p - dot - 1;
        value /= POW10[p - dot - 1];
      }
      // what follows is the next literal: a digit there is a leading zero, `.` `e` `E` a fraction or an exponent; the end of the bytes is more to come
      if (digits > 15 || p >= n || (c >= 0 && c <= 9) || c === DOT - ZERO || c === 101 - ZERO || c === 69 - ZERO) return NO_MATCH;
      switch (hole) {
        case Hole.Ts:
          e.ts = negative ? -value : value;
          break;
        case Hole.Pid:
          e.pid = negative ? -value : value;
          break;
        case Hole.Tid:
          e.tid = negative ? -value : value;
          break;
        case Hole.Cpu:
          if (negative) return NO_MATCH;
          e.cpu = value;
          break;
        default: // Hole.Integer: `-0` prints as `0`, not its text
          if (negative && value === 0) return NO_MATCH;
          e.valueStart[kind >> 3] = start;
          e.valueEnd[kind >> 3] = p;
      }
    }
  }

  /**
   * Makes the object b[start, end), which scanEvent read into e, the template
   * of its name. Returns the template's number, or -1 when it cannot be one.
   */
  learn(b: Uint8Array, start: number, end: number, e: EventShape): number {
    if (e.lines > 0 || !e.hasName || e.skipCount > MAX_ARGS || this.prefixes > MAX_PREFIXES) return -1;
    // holes as [from, to (where the literal goes on), kind]
    const holes: number[][] = [];
    if (e.has(TS)) holes.push([e.tsStart, e.tsEnd, Hole.Ts]);
    if (e.has(PID)) holes.push([e.pidStart, e.pidEnd, Hole.Pid]);
    if (e.has(TID)) holes.push([e.tidStart, e.tidEnd, Hole.Tid]);
    if (e.cpu >= 0) holes.push([e.cpuStart, e.cpuEnd, Hole.Cpu]);
    for (let k = 0; k < e.argCount; k++) {
      const kind = e.valueKind[k];
      if (kind === ValueKind.String) holes.push([e.valueStart[k], e.valueEnd[k] + 1, Hole.String + 8 * k]);
      else if (kind === ValueKind.Integer) holes.push([e.valueStart[k], e.valueEnd[k], Hole.Integer + 8 * k]);
    }
    for (let s = 0; s < e.skipCount; s++) {
      const string = b[e.skipStart[s] - 1] === QUOTE;
      holes.push([e.skipStart[s], e.skipEnd[s] + (string ? 1 : 0), string ? Hole.SkipString : Hole.SkipNumber]);
    }
    holes.sort((x, y) => x[0] - y[0]);
    // the name first, and enough bytes before the first hole to choose the template by
    const keyEnd = holes.length > 0 ? holes[0][0] : end;
    if (keyEnd < e.nameStart || keyEnd - e.nameStart < KEY_BYTES) return -1;
    const slot = slotOf(int32At(b, e.nameStart), int32At(b, e.nameStart + 4));
    if (this.slots[slot] !== 0 && this.relearned[slot] >= MAX_RELEARN) return -1;
    if (!sameBytes(this.prefix, b, start, e.nameStart)) {
      this.prefixes++;
      this.prefix = b.slice(start, e.nameStart);
      this.prefixWords = wordsOf(this.prefix, 0, this.prefix.length);
      this.forget();
    }
    const literal: number[] = [];
    const pieceEnd: number[] = [];
    const holeKind: number[] = [];
    let from = e.nameStart;
    for (const [at, to, kind] of holes) {
      for (let p = from; p < at; p++) literal.push(b[p]);
      pieceEnd.push(literal.length);
      holeKind.push(kind);
      from = to;
    }
    for (let p = from; p < end; p++) literal.push(b[p]);
    pieceEnd.push(literal.length);
    const bytes = Uint8Array.from(literal);
    const words: number[] = [];
    const wordAt = [0];
    for (let i = 0, l = 0; i < pieceEnd.length; l = pieceEnd[i++]) {
      for (const w of wordsOf(bytes, l, pieceEnd[i])) words.push(w);
      wordAt.push(words.length);
    }
    const t = this.templates.length;
    // a template of the same name is replaced, others of the slot are kept
    let next = this.slots[slot] - 1;
    const nameLength = e.nameEnd - e.nameStart;
    if (next >= 0) {
      this.relearned[slot]++;
      let previous = -1;
      for (let u = next; u >= 0; previous = u, u = this.templates[u].next) {
        const other = this.templates[u];
        if (other.nameLength !== nameLength || !sameBytes(other.literal.subarray(0, nameLength + 1), bytes, 0, nameLength + 1)) continue;
        if (previous < 0) next = other.next;
        else this.templates[previous].next = other.next;
        break;
      }
    }
    this.templates.push({
      literal: bytes,
      words: Int32Array.from(words),
      wordAt: Int32Array.from(wordAt),
      pieceEnd: Int32Array.from(pieceEnd),
      holeKind: Int32Array.from(holeKind),
      nameLength,
      seen: e.seen,
      argCount: e.argCount,
      valueKind: Int32Array.from(e.valueKind.subarray(0, e.argCount)),
      next,
    });
    this.slots[slot] = t + 1;
    return t;
  }
}

function slotOf(w0: number, w1: number): number {
  const h = Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1 ^ (w1 >>> 15), 0x85ebca77);
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}

function int32At(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

/** The whole 4-byte words of b[from, to), little-endian. */
function wordsOf(b: Uint8Array, from: number, to: number): Int32Array {
  const words = new Int32Array((to - from) >> 2);
  for (let w = 0; w < words.length; w++) words[w] = int32At(b, from + 4 * w);
  return words;
}

function sameBytes(expected: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (b[start + k] !== expected[k]) return false;
  return true;
}
