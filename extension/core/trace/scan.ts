// Low-level scanning shared by the line-oriented parsers: blanks, tokens,
// quoted values and the error that carries a column.

export const SPACE = 32;
export const TAB = 9;
export const CR = 13;
export const QUOTE = 34;
export const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;

export const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
export const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === CR;

/** Thrown inside a line to become a diagnostic at that (1-based) column. */
export class LineError {
  constructor(
    readonly column: number,
    readonly message: string,
    readonly endColumn?: number,
  ) {}
}

/**
 * Reads a value at p: a bare token up to the next blank, or a double-quoted
 * string with `\"` and `\\` escapes. Exported for the directive reader.
 */
export function readValue(text: string, p: number): { value: string; end: number } {
  if (text.charCodeAt(p) !== QUOTE) {
    const end = tokenEnd(text, p);
    return { value: text.slice(p, end), end };
  }
  let value = '';
  let q = p + 1;
  let chunk = q;
  for (;;) {
    if (q >= text.length) throw new LineError(p + 1, 'unterminated quoted value: missing closing "', text.length + 1);
    const c = text.charCodeAt(q);
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      const next = text.charCodeAt(q + 1);
      if (next !== QUOTE && next !== BACKSLASH) {
        throw new LineError(q + 1, `unknown escape "\\${text.charAt(q + 1)}" in quoted value: only \\" and \\\\ are allowed`, q + 3);
      }
      value += text.slice(chunk, q) + text.charAt(q + 1);
      q += 2;
      chunk = q;
      continue;
    }
    q++;
  }
  return { value: value + text.slice(chunk, q), end: q + 1 };
}

export function tokenEnd(text: string, p: number): number {
  while (p < text.length && !isBlank(text.charCodeAt(p))) p++;
  return p;
}

export function skipBlanks(text: string, p: number): number {
  while (p < text.length && isBlank(text.charCodeAt(p))) p++;
  return p;
}

export function allDigits(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** Input quoted in a message is cut to this many characters (a bad 100 MB line must not make a 100 MB message). */
export const QUOTE_LIMIT = 80;

/** `text[from, to)` in double quotes for a message, cut to QUOTE_LIMIT characters with its length said. */
export function quote(text: string, from = 0, to = text.length): string {
  if (to - from <= QUOTE_LIMIT) return `"${text.slice(from, to)}"`;
  return `"${text.slice(from, from + QUOTE_LIMIT)}…" (${to - from} characters)`;
}
