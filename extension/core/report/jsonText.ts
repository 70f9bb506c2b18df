// JSON written as a stream of text pieces: a report of 200k findings is
// bigger than the longest string JavaScript allows (about 512 M characters),
// so no writer ever makes the whole report one string. The text is exactly
// what JSON.stringify(value, null, 2) gives; an array can be a LazyArray, whose
// elements are made only as they are written.

/** An array whose elements are produced while it is written (they never all exist at once). */
export class LazyArray<T> {
  constructor(readonly items: () => Iterable<T>) {}
}

/**
 * `value` as pretty-printed JSON (two-space indent), in pieces: an object key
 * by key, an array element by element. An element is one piece (it is small:
 * a finding, an event), unless it holds a LazyArray itself.
 */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  if (value instanceof LazyArray) {
    yield* arrayPieces(value.items(), indent);
  } else if (Array.isArray(value)) {
    yield* arrayPieces(value, indent);
  } else if (value !== null && typeof value === 'object') {
    const inner = `${indent}  `;
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      yield `${first ? '{\n' : ',\n'}${inner}${JSON.stringify(k)}: `;
      yield* jsonPieces(v, inner);
      first = false;
    }
    yield first ? '{}' : `\n${indent}}`;
  } else {
    yield JSON.stringify(value) ?? 'null';
  }
}

/**
 * Elements that hold no LazyArray are joined into one piece until it has PIECE_CHARS characters:
 * a piece is a step of every generator it passes through (jsonPieces, chunked), which in a one-shot
 * CLI process run unoptimised; a report's thousand findings took 4-8 ms more as a piece each.
 */
const PIECE_CHARS = 4096;

function* arrayPieces(items: Iterable<unknown>, indent: string): Generator<string> {
  const inner = `${indent}  `;
  const newline = `\n${inner}`;
  let first = true;
  let piece = '';
  for (const v of items) {
    const separator = first ? `[${newline}` : `,${newline}`;
    first = false;
    if (holdsLazyArray(v)) {
      yield piece + separator;
      piece = '';
      yield* jsonPieces(v, inner);
      continue;
    }
    piece += separator + (JSON.stringify(v, null, 2) ?? 'null').replaceAll('\n', newline);
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield piece + (first ? '[]' : `\n${indent}]`);
}

function holdsLazyArray(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  for (const key in v) if ((v as Record<string, unknown>)[key] instanceof LazyArray) return true;
  return false;
}

/** Joins small pieces into chunks of about `size` characters for a writer. */
export function* chunked(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let buffer = '';
  for (const p of pieces) {
    buffer += p;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}
