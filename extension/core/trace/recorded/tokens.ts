// Whitespace-separated tokens of a line with their positions, for the layouts
// that are easiest to read field by field (perf script, bpftrace).

import { skipBlanks, tokenEnd } from '../scan';

export interface Token {
  text: string;
  /** 0-based start. */
  start: number;
  end: number;
}

export function tokens(text: string, from = 0, limit = Infinity): Token[] {
  const out: Token[] = [];
  let p = skipBlanks(text, from);
  while (p < text.length && out.length < limit) {
    const end = tokenEnd(text, p);
    out.push({ text: text.slice(p, end), start: p, end });
    p = skipBlanks(text, end);
  }
  return out;
}

export const isUnsigned = (s: string): boolean => s.length > 0 && s.length <= 20 && /^\d+$/.test(s);
