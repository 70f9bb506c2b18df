// Tokens a parser expects to see again at a place (the value of an argument of
// an event name, the task on a cpu), with their interned ids. The bytes of each
// are kept here, side by side, so that checking a token against the expected
// one reads a few bytes that are in the cache, where the string table's
// characters of the same token may not be: no hashing, no probing.

/**
 * A place among 2^bits for the token b[p, q), from its length and first and last bytes: where a
 * cache of recently seen tokens keeps it (any place would be right; a good one avoids collisions).
 */
export const placeOf = (b: Uint8Array, p: number, q: number, bits: number): number =>
  (Math.imul(b[p] ^ ((q - p) * 0x3b), 0x9e3779b1) ^ Math.imul(b[q - 1] | (b[q - 2] << 8), 0x85ebca77)) >>> (32 - bits);

/** Bytes kept per place: a length byte and up to WIDTH - 1 bytes of token (a longer token is not kept). */
const WIDTH = 32;

export class ExpectedTokens {
  /** Per place, the expected token's id + 1 (0: nothing expected). */
  private ids: Int32Array;
  /** Per place, WIDTH bytes: the token's length, then its bytes. */
  private bytes: Uint8Array;

  constructor(places: number) {
    this.ids = new Int32Array(places);
    this.bytes = new Uint8Array(places * WIDTH);
  }

  get places(): number {
    return this.ids.length;
  }

  /** Makes room for `places` places in all. */
  grow(places: number): void {
    if (places <= this.ids.length) return;
    const ids = new Int32Array(Math.max(places, this.ids.length * 2));
    ids.set(this.ids);
    const bytes = new Uint8Array(ids.length * WIDTH);
    bytes.set(this.bytes);
    this.ids = ids;
    this.bytes = bytes;
  }

  /**
   * If b from `p` on starts with the token expected at `place`, where it ends
   * (the caller checks what follows); else -1. Stops at the first difference,
   * so b must hold a byte that no token has (the line's `\n`) after p.
   */
  match(place: number, b: Uint8Array, p: number): number {
    const bytes = this.bytes;
    const at = place * WIDTH;
    const end = at + 1 + bytes[at];
    if (end === at + 1) return -1;
    for (let k = at + 1; k < end; k++, p++) if (bytes[k] !== b[p]) return -1;
    return p;
  }

  /** The id of the token `match` found at `place`. */
  id(place: number): number {
    return this.ids[place] - 1;
  }

  /** Expects b[start, end) (ASCII, more than 32 each), interned as `id`, at `place` from now on. */
  expect(place: number, id: number, b: Uint8Array, start: number, end: number): void {
    const at = place * WIDTH;
    const length = end - start;
    this.ids[place] = id + 1;
    if (length >= WIDTH) {
      this.bytes[at] = 0;
      return;
    }
    const bytes = this.bytes;
    bytes[at] = length;
    for (let k = 0; k < length; k++) bytes[at + 1 + k] = b[start + k];
  }
}
