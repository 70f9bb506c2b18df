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

import { Growable } from './growable';
import { VOCABULARY } from './vocabulary';

/** Argument keys the rules read; interned right after the vocabulary so their ids are fixed. */
const KEYS = [
  'md', 'lock', 'ptr', 'ret', 'minor', 'idr', 'holders', 'gfp', 'disk', 'action',
  'mod', 'count', 'flag', 'field', 'obj', 'old',
] as const;
type KeyName = (typeof KEYS)[number];
export const Key = Object.fromEntries(KEYS.map((k, i) => [k, VOCABULARY.length + i])) as { readonly [K in KeyName]: number };

/**
 * The hash StringTable uses (FNV-1a over code units): its start value, and one
 * step. The start is an int32 as every step's result is: the slots hold int32
 * hashes, and the empty string's hash is the start itself.
 */
export const HASH_START = 0x811c9dc5 | 0;
export const hashStep = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);

/**
 * The parsers intern a token straight from the line it sits in (`internRange`
 * for text, `internHashedBytes` for bytes): an open-addressing hash table over
 * the characters, so a token that is already known costs no substring and no
 * Map hashing, and a new one costs no string either.
 */
export class StringTable {
  /** The characters of string `id` are chars[starts[id], starts[id + 1]). */
  private readonly chars = new Growable(Uint16Array);
  private readonly starts = new Growable(Int32Array);
  /** The strings asked for so far, by id (a Map: most ids are never asked for). */
  private readonly made = new Map<number, string>();
  /**
   * Open addressing with linear probing: slot k is the pair (hash, id + 1) at
   * 2k, 2k + 1 (id + 1 = 0: empty), so a probe reads one place in memory. The
   * slot count is a power of two, at most half full.
   */
  private slots = new Int32Array(2 * 2048);
  private mask = 2047;

  constructor() {
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
    const h = hashRange(text, start, end);
    const len = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) {
        const at = this.reserveChars(len);
        const chars = this.chars.data;
        for (let k = 0; k < len; k++) chars[at + k] = text.charCodeAt(start + k);
        return this.add(h, slot, at + len);
      }
      if (this.slots[2 * slot] === h && this.sameChars(id, text, start, len)) return id;
    }
  }

  /**
   * The id of the ASCII text in bytes[start, end), interning it if new; -1 (and
   * nothing interned) when a byte is not ASCII: the caller decodes such text itself.
   */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    let h = HASH_START;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c > 127) return -1;
      h = hashStep(h, c);
    }
    return this.internHashedBytes(bytes, start, end, h);
  }

  /**
   * internBytes for a caller that has already hashed the token while scanning
   * it (`h` as `hashStep` gives it from HASH_START) and checked that it is ASCII.
   */
  internHashedBytes(bytes: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) {
        const at = this.reserveChars(len);
        const chars = this.chars.data;
        for (let k = 0; k < len; k++) chars[at + k] = bytes[start + k];
        return this.add(h, slot, at + len);
      }
      if (this.slots[2 * slot] === h && this.sameBytes(id, bytes, start, len)) return id;
    }
  }

  /** The id of `s`, or -1 when no event of the trace uses it. */
  lookup(s: string): number {
    const h = hashRange(s, 0, s.length);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[2 * slot + 1] - 1;
      if (id < 0) return -1;
      if (this.slots[2 * slot] === h && this.sameChars(id, s, 0, s.length)) return id;
    }
  }

  /** The string of `id` (undefined past the last id). */
  get(id: number): string {
    const s = this.made.get(id);
    if (s !== undefined || id < 0 || id >= this.size) return s as string;
    const made = this.makeString(id);
    this.made.set(id, made);
    return made;
  }

  get size(): number {
    return this.starts.length - 1;
  }

  private sameChars(id: number, text: string, start: number, len: number): boolean {
    const from = this.starts.data[id];
    if (this.starts.data[id + 1] - from !== len) return false;
    const chars = this.chars.data;
    for (let k = 0; k < len; k++) if (chars[from + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  private sameBytes(id: number, bytes: Uint8Array, start: number, len: number): boolean {
    const from = this.starts.data[id];
    if (this.starts.data[id + 1] - from !== len) return false;
    const chars = this.chars.data;
    for (let k = 0; k < len; k++) if (chars[from + k] !== bytes[start + k]) return false;
    return true;
  }

  /** Room for `len` more characters; returns where they go. */
  private reserveChars(len: number): number {
    const at = this.chars.length;
    this.chars.reserve(at + len);
    return at;
  }

  /** Adds the string whose characters were just written up to `end`, at the empty `slot`. */
  private add(h: number, slot: number, end: number): number {
    const id = this.size;
    this.chars.length = end;
    this.starts.push(end);
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id + 1;
    if (id * 2 + 2 > this.mask + 1) this.rehash();
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
    const mask = slots.length / 2 - 1;
    for (let k = 0; k < old.length; k += 2) {
      if (old[k + 1] === 0) continue;
      let slot = old[k] & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[k];
      slots[2 * slot + 1] = old[k + 1];
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** FNV-1a over the UTF-16 code units of text[start, end). */
function hashRange(text: string, start: number, end: number): number {
  let h = HASH_START;
  for (let i = start; i < end; i++) h = hashStep(h, text.charCodeAt(i));
  return h;
}
