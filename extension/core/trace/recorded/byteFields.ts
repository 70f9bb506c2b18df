// Reading a recorded line's fields from bytes: the line loop and the small
// scanners the format readers (ftrace.ts, perfScript.ts, bpftrace.ts) and
// ByteEvents share.

import { POW10 } from '../numbers';
import { isBlank } from '../scan';

const ZERO = 48;
/** A format's byte reader: one line at a time, false to leave it to line(). */
interface LineReader {
  lineBytes(b: Uint8Array, start: number, end: number, lineNo: number): boolean;
  line(text: string, lineNo: number): void;
}

const NEWLINE = 10;
const CR = 13;
/** Lines are whole, so no character is split; a U+FEFF inside the file is kept, as the stream decoder keeps it. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * ByteLineParser.linesBytes (byteLines.ts) for a reader of one line at a
 * time: bytes[start, end) ends with a `\n`; each line (without its `\n`, or
 * `\r\n`) goes to lineBytes, and is decoded for line() when that declines.
 */
export function readLines(reader: LineReader, b: Uint8Array, start: number, end: number, lineNo: number): number {
  for (let p = start; p < end; ) {
    lineNo++;
    const nl = b.indexOf(NEWLINE, p);
    const lineEnd = nl > p && b[nl - 1] === CR ? nl - 1 : nl;
    if (!reader.lineBytes(b, p, lineEnd, lineNo)) reader.line(decoder.decode(b.subarray(p, lineEnd)), lineNo);
    p = nl + 1;
  }
  return lineNo;
}

/** The line at p (up to its `\n`, without it or a `\r` before it) decoded for line(); returns where the next line starts. */
export function readLine(reader: Pick<LineReader, 'line'>, b: Uint8Array, p: number, lineNo: number): number {
  const nl = b.indexOf(NEWLINE, p);
  reader.line(decoder.decode(b.subarray(p, nl > p && b[nl - 1] === CR ? nl - 1 : nl)), lineNo);
  return nl + 1;
}

export function skipBlankBytes(b: Uint8Array, p: number, end: number): number {
  while (p < end && isBlank(b[p])) p++;
  return p;
}

export function tokenEndBytes(b: Uint8Array, p: number, end: number): number {
  for (; p < end; p++) {
    const c = b[p];
    // a printable byte (most of them) with one comparison; below it, the blanks end the token
    if (c <= 32 && isBlank(c)) break;
  }
  return p;
}

export function hasByte(b: Uint8Array, from: number, to: number, c: number): boolean {
  for (let i = from; i < to; i++) if (b[i] === c) return true;
  return false;
}

/** Do bytes[p, ...) start with the ASCII text `s`? */
export function startsWithBytes(b: Uint8Array, p: number, end: number, s: string): boolean {
  if (end - p < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Not a byte StringTable.internAscii takes (it takes 1-127): NUL, or part of a UTF-8 sequence. */
export const notAscii = (c: number): boolean => c === 0 || c > 127;

/** Are bytes[from, to) all in 1-127? */
export function isAscii(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (notAscii(b[i])) return false;
  return true;
}

/**
 * secondsToNs (recordedTrace.ts) of bytes[p, end): `8123.456789`, digits, a
 * point and at least one digit after it, into at.timeNs (the same double);
 * false when the bytes are not that. (Written to a field, not returned: a
 * double returned from a call that is not inlined is a new heap number.)
 */
export function readSecondsBytes(at: { timeNs: number }, b: Uint8Array, p: number, end: number): boolean {
  let whole = 0;
  const start = p;
  while (p < end && b[p] >= ZERO && b[p] <= ZERO + 9) whole = whole * 10 + (b[p++] - ZERO);
  if (p === start || p >= end - 1 || b[p] !== 46 /* . */) return false;
  let frac = 0;
  let digits = 0;
  for (p++; p < end; p++) {
    const c = b[p];
    if (c < ZERO || c > ZERO + 9) return false;
    if (digits < 9) {
      frac = frac * 10 + (c - ZERO);
      digits++;
    }
  }
  at.timeNs = whole * 1e9 + frac * POW10[9 - digits];
  return true;
}

/**
 * The value of the decimal digits bytes[p, end) as Number() reads them (at
 * most 20 digits: a u64), or -1 when they are not that.
 */
export function digitsValue(b: Uint8Array, p: number, end: number): number {
  if (p === end || end - p > 20) return -1;
  if (end - p <= 15) {
    // the common case (times in ns, cpus, pids): exact digit by digit
    let v = 0;
    for (let i = p; i < end; i++) {
      const d = b[i] - ZERO;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }
  // above 15 digits, the part before the last 15 (at most 5 digits) times 1e15 is still exact, so the one
  // rounding of the sum is Number()'s correctly rounded result
  const split = end - 15;
  let high = 0;
  let low = 0;
  for (let i = p; i < end; i++) {
    const c = b[i];
    if (c < ZERO || c > ZERO + 9) return -1;
    if (i < split) high = high * 10 + (c - ZERO);
    else low = low * 10 + (c - ZERO);
  }
  return high * 1e15 + low;
}
