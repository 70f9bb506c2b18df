// Arrays that grow while a trace (or its happens-before graph) is built, then
// settle into one plain typed array of exactly the right size.
//
// Growth uses a resizable ArrayBuffer where the runtime has one: its pages are
// reserved and committed as they fill, so growing within the reservation never
// copies and never leaves freed blocks behind (glibc keeps freed mid-size
// blocks resident: with doubling or block lists a 10M-event parse held about
// twice its data). The reservation starts small (RESERVE_FIRST) and, when
// outgrown, is replaced by one RESERVE_GROWTH times larger, with one copy:
// reserving 1 GiB per array up front made every allocation fail under a
// `ulimit -v` (each failure costs a full garbage collection: analyses ran 30x
// slower). When the runtime refuses a reservation once, the arrays grow by
// copying (doubling) from then on. `finish()` copies into a plain array, so the
// analysis's hot loops see one array kind, and hands the reserved pages back.
//
// Both copies out of a reservation (into a bigger one, and into the plain array)
// move the values a step at a time from the end, shrinking the reservation behind
// them: the old and the new copy are never resident together (a 1M-event parse
// peaked 20 MB higher with whole copies). Shrinking a resizable buffer zeroes the
// bytes it cuts off before handing their pages back, also pages never written:
// cutting a half-empty reservation at once touched its whole capacity.

export interface TypedArrayKind<T> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

interface ResizableBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

/** Address space first reserved per array, and the factor by which an outgrown reservation is replaced. */
export const RESERVE_FIRST = 16 * 2 ** 20;
export const RESERVE_GROWTH = 8;
/** Reservations stop here; beyond it an array grows by copying. */
const RESERVE_MAX = 2 ** 32;
/**
 * Values a new array holds. Few: the first growths then come while a parse is still cold, so the
 * growth path has run before the optimising compiler inlines it into the parser's hot methods
 * (reaching it for the first time in optimised code threw that code away and compiled it again).
 */
const FIRST = 64;
/** Bytes moved (and handed back) per step of a copy out of a reservation. */
const MOVE_STEP = 2 ** 20;

/** Set once the runtime refuses a reservation (address-space limit): no array tries again. */
let reservationsRefused = false;
/** How many reservations were asked for (the tests check that a big array asks for few). */
export const reservationStats = { requested: 0 };

function resizableBuffer(bytes: number, maxBytes: number): ResizableBuffer | undefined {
  if (reservationsRefused) return undefined;
  reservationStats.requested++;
  try {
    const make = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableBuffer;
    const buffer = new make(bytes, { maxByteLength: maxBytes });
    if (buffer.resizable) return buffer;
  } catch {
    // an address-space limit (or a runtime without resizable buffers)
  }
  reservationsRefused = true;
  return undefined;
}

export class Growable<T extends Int32Array | Float64Array | Uint16Array | Uint8Array> {
  /** The storage; `length` of it is used. A fixed-length view, made again whenever the buffer grows. */
  data: T;
  length = 0;
  /** data.length, kept in a field: the hot push reads it every time. */
  private capacity = FIRST;
  private buffer: ResizableBuffer | undefined;
  /** Sized by expect(): finish() may hand out a view (see there). */
  private expected = false;

  constructor(private readonly kind: TypedArrayKind<T>) {
    this.buffer = resizableBuffer(FIRST * kind.BYTES_PER_ELEMENT, RESERVE_FIRST);
    this.data = this.buffer ? new kind(this.buffer, 0, FIRST) : new kind(FIRST);
  }

  push(v: number): void {
    if (this.length === this.capacity) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }

  /**
   * Makes room for `n` values in all (`data` is a new view afterwards). Every
   * value of `data` is kept, also those written past `length`.
   */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2);
    const bytes = size * this.kind.BYTES_PER_ELEMENT;
    if (this.buffer && bytes <= this.buffer.maxByteLength) {
      this.buffer.resize(bytes);
      this.data = new this.kind(this.buffer, 0, size);
    } else {
      const old = this.data;
      const oldBuffer = this.buffer;
      const reserve = Math.min(RESERVE_MAX, Math.max(bytes, (oldBuffer?.maxByteLength ?? RESERVE_FIRST) * RESERVE_GROWTH));
      this.buffer = oldBuffer && bytes <= RESERVE_MAX ? resizableBuffer(bytes, reserve) : undefined;
      this.data = this.buffer ? new this.kind(this.buffer, 0, size) : new this.kind(size);
      if (oldBuffer) this.moveOut(oldBuffer, this.capacity, this.data);
      else this.data.set(old);
    }
    this.capacity = size;
  }

  /**
   * Makes room for about `n` values at once, in a plain array instead of a reservation, when the
   * caller can tell the final length in advance: its pages are resident only once written, and
   * finish() hands out a view of it, where a copy out of a reservation touched every page again.
   * A no-op when there is room already or the runtime refuses the memory (growth goes on as usual).
   */
  expect(n: number): void {
    if (n <= this.capacity) return;
    let data: T;
    try {
      data = new this.kind(n);
    } catch {
      return; // an address-space limit
    }
    data.set(this.data.subarray(0, this.capacity));
    this.buffer?.resize(0);
    this.buffer = undefined;
    this.data = data;
    this.capacity = n;
    this.expected = true;
  }

  /**
   * The values as a plain array of exactly `length`; the growable is empty afterwards. After
   * expect(), that is a view of the plain array when at least half of it is used (its tail was
   * never written: no page of it is resident), else a copy.
   */
  finish(): T {
    if (this.expected && !this.buffer && 2 * this.length >= this.capacity) {
      const view = this.data.subarray(0, this.length) as T;
      this.data = new this.kind(0);
      this.capacity = 0;
      this.length = 0;
      this.expected = false;
      return view;
    }
    const out = new this.kind(this.length);
    if (this.buffer) this.moveOut(this.buffer, this.length, out);
    else out.set(this.data.subarray(0, this.length));
    this.buffer = undefined;
    this.data = new this.kind(0);
    this.capacity = 0;
    this.length = 0;
    return out;
  }

  /**
   * Copies the first `count` values of `from` into `to`, from the end, cutting `from` down
   * behind each step: afterwards `from` is empty and its pages are handed back.
   */
  private moveOut(from: ResizableBuffer, count: number, to: T): void {
    const bytesPer = this.kind.BYTES_PER_ELEMENT;
    const step = MOVE_STEP / bytesPer;
    for (let end = from.byteLength / bytesPer; end > 0; ) {
      const start = Math.max(0, end - step);
      if (start < count) to.set(new this.kind(from, start * bytesPer, Math.min(end, count) - start), start);
      from.resize(start * bytesPer);
      end = start;
    }
  }
}

/** Integers in the narrowest kind that holds them (see NarrowGrowable). */
export type NarrowInts = Uint8Array | Uint16Array | Int32Array;

/**
 * A Growable of integers kept in the narrowest kind that holds every value so far: bytes until a
 * value passes 255, then 16 bits until one passes 65535 or is negative, then 32 bits (each
 * widening copies once). For columns whose values are nearly always small (cpus, argument keys).
 */
export class NarrowGrowable {
  store: Growable<NarrowInts> = new Growable<NarrowInts>(Uint8Array);
  /** The largest value, as `v >>> 0`, the store's kind holds: a write of `v` needs `widenFor(v)` first when `v >>> 0 > limit`. */
  limit = 0xff;

  /** Widens the store so it holds `v`, keeping its capacity and every value of `data` (also past `length`). */
  widenFor(v: number): void {
    const wide = v < 0 || v > 0xffff;
    const old = this.store;
    const wider = new Growable<NarrowInts>(wide ? Int32Array : Uint16Array);
    wider.reserve(old.data.length);
    wider.data.set(old.data);
    wider.length = old.length;
    old.length = 0;
    old.finish(); // hands its pages back
    this.store = wider;
    this.limit = wide ? 0xffffffff : 0xffff;
  }

  push(v: number): void {
    if (v >>> 0 > this.limit) this.widenFor(v);
    this.store.push(v);
  }
}
