// Arrays that grow while a trace (or its happens-before graph) is built, then
// settle into one plain typed array of exactly the right size.
//
// Growth uses a resizable ArrayBuffer where the runtime has one: its pages are
// reserved once and committed as they fill, so growing never copies and never
// leaves freed blocks behind (glibc keeps freed mid-size blocks resident: with
// doubling or block lists a 10M-event parse held about twice its data).
// `finish()` copies into a plain array, so the analysis's hot loops see one
// array kind, and hands the reserved pages back.

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

/** Virtual address space reserved per array; beyond it an array grows by copying. */
const RESERVE_BYTES = 2 ** 30;
const FIRST = 4096;

function resizableBuffer(bytes: number): ResizableBuffer | undefined {
  try {
    const make = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableBuffer;
    const buffer = new make(bytes, { maxByteLength: RESERVE_BYTES });
    return buffer.resizable ? buffer : undefined;
  } catch {
    return undefined;
  }
}

export class Growable<T extends Int32Array | Float64Array> {
  /** The storage; `length` of it is used. A fixed-length view, made again whenever the buffer grows. */
  data: T;
  length = 0;
  /** data.length, kept in a field: the hot push reads it every time. */
  private capacity = FIRST;
  private buffer: ResizableBuffer | undefined;

  constructor(private readonly kind: TypedArrayKind<T>) {
    this.buffer = resizableBuffer(FIRST * kind.BYTES_PER_ELEMENT);
    this.data = this.buffer ? new kind(this.buffer, 0, FIRST) : new kind(FIRST);
  }

  push(v: number): void {
    if (this.length === this.capacity) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }

  /** Makes room for `n` values in all (`data` is a new view afterwards). */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2);
    const bytes = size * this.kind.BYTES_PER_ELEMENT;
    if (this.buffer && bytes <= this.buffer.maxByteLength) {
      this.buffer.resize(bytes);
      this.data = new this.kind(this.buffer, 0, size);
    } else {
      const bigger = new this.kind(size);
      bigger.set(this.data.subarray(0, this.length));
      this.buffer?.resize(0);
      this.buffer = undefined;
      this.data = bigger;
    }
    this.capacity = size;
  }

  /** The values as a plain array of exactly `length`; the growable is empty afterwards. */
  finish(): T {
    const out = new this.kind(this.length);
    out.set(this.data.subarray(0, this.length));
    this.buffer?.resize(0);
    this.buffer = undefined;
    this.data = new this.kind(0);
    this.capacity = 0;
    this.length = 0;
    return out;
  }
}
