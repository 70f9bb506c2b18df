// Interned strings: every event name, task, argument key and value of a trace
// is an integer id into one table.
//
// The characters of all strings sit back to back in one array (`chars`, UTF-16
// code units) and a string is made only when someone asks for it (`get`). A
// trace's table holds hundreds of thousands of distinct values (sector numbers,
// addresses) that nothing ever reads as a string: making each one a JS string
// while parsing cost time, garbage-collector work and about 40 bytes a string;
// as characters they cost 2 bytes a character, and the parser compares a token
// with typed arrays only.
//
// A trace's table (made with `numbers`) does not store decimal numbers at all:
// most of its distinct values are sector numbers, pids and irqs, and each new
// one cost a probe that missed the cache, an add and its share of the rehashes.
// A canonical decimal (digits only, no leading zero but "0" itself, at most
// MAX_NUMBER_DIGITS digits) is its own id: NUMBER_BASE + its value. The one
// invariant (the same string always has the same id) holds because every way
// in (intern*, find*, lookup) turns such a string into that id, and no other
// string can have an id from NUMBER_BASE on (the table holds far fewer strings).
// So ids are dense below `size` and number ids lie past it: a user that keeps
// something per id in an array sized by `size` keeps the others in a Map (IdInts).

import { Growable } from './growable';
import { VOCABULARY } from './vocabulary';

/** Argument keys the rules read; interned right after the vocabulary so their ids are fixed. */
const KEYS = [
  'md', 'lock', 'ptr', 'ret', 'minor', 'idr', 'holders', 'gfp', 'disk', 'action',
  'mod', 'count', 'flag', 'field', 'obj', 'old',
] as const;
type KeyName = (typeof KEYS)[number];
export const Key = Object.fromEntries(KEYS.map((k, i) => [k, VOCABULARY.length + i])) as { readonly [K in KeyName]: number };

/** The hash of a long string (FNV-1a over code units): its start value, and one step. */
const HASH_START = 0x811c9dc5;
const hashStep = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);

/** Strings of at most this many characters, all in 1-127, are kept in their slot of the hash table, packed. */
const INLINE = 12;
/** Entries of the cache of recently found short strings (a power of two). */
const HOT = 4096;
/**
 * Slots of a new table (a power of two): so few that the vocabulary and keys the constructor
 * interns make it grow. A cold process then reaches its optimised parse sooner: the growth path
 * has run (the compiler has its type feedback), and `slots` and `mask` have been written twice,
 * so no optimised code takes them for constants; otherwise the first growth threw away the
 * optimised find and add paths, which were compiled all over again.
 */
const FIRST_SLOTS = 64;
/** The first id of a number (see the top of this file); NUMBER_BASE + 999 999 999 is still an int32. */
export const NUMBER_BASE = 2 ** 30;
const MAX_NUMBER_DIGITS = 9;
const ZERO = 48;

/**
 * The parsers intern a token straight from the line it sits in (`internRange`
 * for text, `internAscii` for bytes): an open-addressing hash table over the
 * characters, so a token that is already known costs no substring and no Map
 * hashing, and a new one costs no string either.
 */
export class StringTable {
  /** The characters of string `id` are chars[starts[id], starts[id + 1]). */
  private readonly chars = new Growable(Uint16Array);
  private readonly starts = new Growable(Int32Array);
  /** The strings asked for so far, by id (a Map: most ids are never asked for). */
  private readonly made = new Map<number, string>();
  /**
   * Open addressing with linear probing, four int32 a slot (16 bytes, four
   * slots a cache line), id + 1 last (0: empty). Most tokens are short (numbers,
   * lock names, pids) and are compared in the slot itself, so finding one reads
   * one place in memory, where comparing characters would read three (slot,
   * start, characters), each a cache miss in a table of 100 000s of strings:
   *   short (INLINE characters at most, each 1-127): the characters packed four
   *     a word, little-endian, zero-padded: [w0, w1, w2, id + 1], w2 >= 0;
   *   long: [hash, start of the characters, ~length, id + 1], ~length < 0.
   * The slot count is a power of two, at most 3/4 full.
   */
  private slots = new Int32Array(4 * FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  /**
   * A copy of some short slots, one per hash & (HOT - 1), the last found there:
   * 64 KB that stay in the cache, for the tokens that recur often but not in a
   * row (lock names, irqs, pids), where a probe of `slots` would miss the cache.
   */
  private readonly hot = new Int32Array(4 * HOT);
  /** Are canonical decimals number ids (see the top of this file)? A trace's table: yes; a parser's own tables: no. */
  private readonly numbers: boolean;

  constructor(options: { numbers?: boolean } = {}) {
    this.numbers = options.numbers === true;
    this.starts.push(0);
    for (const s of VOCABULARY) this.intern(s);
    for (const s of KEYS) this.intern(s);
  }

  /**
   * The string itself is not kept (get() makes its own): a parser's token is
   * often a slice of the decoded chunk it was read from, and keeping it would
   * keep that whole chunk alive (a recorded text trace then held its file
   * twice over, as UTF-16, until the end of the analysis).
   */
  intern(s: string): number {
    return this.internRange(s, 0, s.length);
  }

  /** The id of `text.slice(start, end)`, interning it if new. */
  internRange(text: string, start: number, end: number): number {
    const id = this.findRange(text, start, end);
    return id >= 0 ? id : this.add(-1 - id, text, start, end);
  }

  /**
   * The id of the ASCII text in bytes[start, end), interning it if new; -1 (and
   * nothing interned) when a byte is not ASCII or is NUL: the caller decodes such text itself.
   */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    for (let i = start; i < end; i++) if (bytes[i] > 127 || bytes[i] === 0) return -1;
    return this.internAscii(bytes, start, end);
  }

  /** internBytes for a caller that has checked that every byte is in 1-127 (the native parser's tokens are 33-127). */
  internAscii(bytes: Uint8Array, start: number, end: number): number {
    const id = this.findAscii(bytes, start, end);
    return id >= 0 ? id : this.addBytes(-1 - id, bytes, start, end);
  }

  /**
   * The id of the text in bytes[start, end) (each byte 1-127), or -1 - the
   * empty slot where it would go when it is not interned.
   */
  findAscii(bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (this.numbers && len <= MAX_NUMBER_DIGITS && len > 0 && (bytes[start] !== ZERO || len === 1)) {
      let v = 0;
      let i = start;
      for (; i < end; i++) {
        const d = bytes[i] - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === end) return NUMBER_BASE + v;
    }
    const slots = this.slots;
    const mask = this.mask;
    if (len <= INLINE) {
      const w0 = packBytes(bytes, start, Math.min(len, 4));
      const w1 = len > 4 ? packBytes(bytes, start + 4, Math.min(len - 4, 4)) : 0;
      const w2 = len > 8 ? packBytes(bytes, start + 8, len - 8) : 0;
      const m = mix(w0, w1, w2);
      const hot = this.hot;
      const at = 4 * (m & (HOT - 1));
      if (hot[at] === w0 && hot[at + 1] === w1 && hot[at + 2] === w2 && hot[at + 3] !== 0) return hot[at + 3] - 1;
      for (let slot = m & mask; ; slot = (slot + 1) & mask) {
        const s = 4 * slot;
        const id = slots[s + 3] - 1;
        if (id < 0) return -1 - slot;
        if (slots[s] === w0 && slots[s + 1] === w1 && slots[s + 2] === w2) {
          hot[at] = w0;
          hot[at + 1] = w1;
          hot[at + 2] = w2;
          hot[at + 3] = id + 1;
          return id;
        }
      }
    }
    let h = HASH_START;
    for (let i = start; i < end; i++) h = hashStep(h, bytes[i]);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const s = 4 * slot;
      const id = slots[s + 3] - 1;
      if (id < 0) return -1 - slot;
      if (slots[s] === h && slots[s + 2] === ~len && this.sameBytes(slots[s + 1], bytes, start, len)) return id;
    }
  }

  /** The id of `s`, or -1 when no event of the trace uses it (a number always has its id). */
  lookup(s: string): number {
    const id = this.findRange(s, 0, s.length);
    return id >= 0 ? id : -1;
  }

  /** The string of `id` (undefined for an id that is not one). */
  get(id: number): string {
    if (id >= NUMBER_BASE && this.numbers) return String(id - NUMBER_BASE);
    const s = this.made.get(id);
    if (s !== undefined || id < 0 || id >= this.size) return s as string;
    const made = this.makeString(id);
    this.made.set(id, made);
    return made;
  }

  /** How many strings the table holds: their ids are 0 to size - 1 (number ids are past it). */
  get size(): number {
    return this.starts.length - 1;
  }

  /** findAscii for text[start, end). */
  private findRange(text: string, start: number, end: number): number {
    const len = end - start;
    if (this.numbers && len <= MAX_NUMBER_DIGITS && len > 0 && (text.charCodeAt(start) !== ZERO || len === 1)) {
      let v = 0;
      let i = start;
      for (; i < end; i++) {
        const d = text.charCodeAt(i) - ZERO;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === end) return NUMBER_BASE + v;
    }
    const slots = this.slots;
    const mask = this.mask;
    if (len <= INLINE && inlinable(text, start, end)) {
      const w0 = packChars(text, start, Math.min(len, 4));
      const w1 = len > 4 ? packChars(text, start + 4, Math.min(len - 4, 4)) : 0;
      const w2 = len > 8 ? packChars(text, start + 8, len - 8) : 0;
      for (let slot = mix(w0, w1, w2) & mask; ; slot = (slot + 1) & mask) {
        const s = 4 * slot;
        const id = slots[s + 3] - 1;
        if (id < 0) return -1 - slot;
        if (slots[s] === w0 && slots[s + 1] === w1 && slots[s + 2] === w2) return id;
      }
    }
    let h = HASH_START;
    for (let i = start; i < end; i++) h = hashStep(h, text.charCodeAt(i));
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const s = 4 * slot;
      const id = slots[s + 3] - 1;
      if (id < 0) return -1 - slot;
      if (slots[s] === h && slots[s + 2] === ~len && this.sameChars(slots[s + 1], text, start, len)) return id;
    }
  }

  private sameChars(from: number, text: string, start: number, len: number): boolean {
    const chars = this.chars.data;
    for (let k = 0; k < len; k++) if (chars[from + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  private sameBytes(from: number, bytes: Uint8Array, start: number, len: number): boolean {
    const chars = this.chars.data;
    for (let k = 0; k < len; k++) if (chars[from + k] !== bytes[start + k]) return false;
    return true;
  }

  /** Adds text[start, end) at the empty `slot` findRange gave. */
  private add(slot: number, text: string, start: number, end: number): number {
    const at = this.chars.length;
    this.chars.reserve(at + end - start);
    const chars = this.chars.data;
    for (let k = start; k < end; k++) chars[at + k - start] = text.charCodeAt(k);
    return this.added(slot, at, at + end - start);
  }

  /** Adds bytes[start, end) at the empty `slot` findAscii gave. */
  private addBytes(slot: number, bytes: Uint8Array, start: number, end: number): number {
    const at = this.chars.length;
    this.chars.reserve(at + end - start);
    const chars = this.chars.data;
    for (let k = start; k < end; k++) chars[at + k - start] = bytes[k];
    return this.added(slot, at, at + end - start);
  }

  /** Fills the empty `slot` with the string whose characters were just written to chars[at, end). */
  private added(slot: number, at: number, end: number): number {
    const id = this.size;
    this.chars.length = end;
    this.starts.push(end);
    const slots = this.slots;
    const s = 4 * slot;
    const chars = this.chars.data;
    const len = end - at;
    if (len <= INLINE && inlinableUnits(chars, at, end)) {
      slots[s] = packUnits(chars, at, Math.min(len, 4));
      slots[s + 1] = len > 4 ? packUnits(chars, at + 4, Math.min(len - 4, 4)) : 0;
      slots[s + 2] = len > 8 ? packUnits(chars, at + 8, len - 8) : 0;
    } else {
      let h = HASH_START;
      for (let i = at; i < end; i++) h = hashStep(h, chars[i]);
      slots[s] = h;
      slots[s + 1] = at;
      slots[s + 2] = ~len;
    }
    slots[s + 3] = id + 1;
    if (4 * (id + 1) > 3 * (this.mask + 1)) this.rehash();
    return id;
  }

  /** A flat string of its own (sharing no storage with a chunk of the file) from the characters. */
  private makeString(id: number): string {
    const from = this.starts.data[id];
    const to = this.starts.data[id + 1];
    const chars = this.chars.data;
    let s = '';
    for (let i = from; i < to; i += 4096) s += String.fromCharCode.apply(null, chars.subarray(i, Math.min(to, i + 4096)) as unknown as number[]);
    return s;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 4 - 1;
    for (let k = 0; k < old.length; k += 4) {
      if (old[k + 3] === 0) continue;
      let slot = (old[k + 2] >= 0 ? mix(old[k], old[k + 1], old[k + 2]) : old[k]) & mask;
      while (slots[4 * slot + 3] !== 0) slot = (slot + 1) & mask;
      const s = 4 * slot;
      slots[s] = old[k];
      slots[s + 1] = old[k + 1];
      slots[s + 2] = old[k + 2];
      slots[s + 3] = old[k + 3];
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** The slot hash of a short string's packed words. */
function mix(w0: number, w1: number, w2: number): number {
  let h = Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1 ^ (w1 >>> 15), 0x85ebca77) ^ Math.imul(w2 ^ (w2 >>> 13), 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

/** bytes[p, p + n), n <= 4, as one little-endian word. */
function packBytes(bytes: Uint8Array, p: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | bytes[p + k];
  return w;
}

/** packBytes for text. */
function packChars(text: string, p: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | text.charCodeAt(p + k);
  return w;
}

/** packBytes for the stored characters. */
function packUnits(chars: Uint16Array, p: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | chars[p + k];
  return w;
}

/** Can text[start, end) be packed into a slot (every character 1-127)? (Its length is checked by the caller.) */
function inlinable(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 127) return false;
  }
  return true;
}

/** inlinable for the stored characters. */
function inlinableUnits(chars: Uint16Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (chars[i] === 0 || chars[i] > 127) return false;
  return true;
}

/**
 * An int per id of a StringTable, 0 until set: an array for the ids below the
 * size the table had when this was made, a Map for the others (number ids and
 * strings added later), so a caller can index by any id.
 */
export class IdInts {
  /** The ints of the ids below dense.length, for a hot loop that reads them itself (and calls get/set for the rest). */
  readonly dense: Int32Array;
  private readonly others = new Map<number, number>();

  /** `size`: the table's size (StringTable.size) when this is made. */
  constructor(size: number) {
    this.dense = new Int32Array(size);
  }

  get(id: number): number {
    return id < this.dense.length ? this.dense[id] : (this.others.get(id) ?? 0);
  }

  set(id: number, value: number): void {
    if (id < this.dense.length) this.dense[id] = value;
    else this.others.set(id, value);
  }
}
