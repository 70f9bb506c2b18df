// The range every parser checks a number against before it goes into the
// trace model: a value out of range is a diagnostic at its token, never a
// silent Infinity (a 400-digit time) or a wrapped integer (cpu4294967297 as
// cpu1, an ftrace `[99999999999999999999]` cpu as 1661992960).

import { quote } from './scan';

export type NumberKind = 'time' | 'cpu' | 'source line';

/** The kernel's clocks are u64 nanoseconds (about 584 years); a trace is stored in float64 nanoseconds. */
export const MAX_TIME_NS = 2 ** 64;
/** 10^k for k = 0..15: the scale of a fraction's digits when a parser reads a decimal number. */
export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** cpu ids and source lines are stored as int32. */
export const MAX_INT32 = 2 ** 31 - 1;

const LIMITS: Record<NumberKind, { max: number; text: string }> = {
  time: { max: MAX_TIME_NS, text: 'at most 2^64 ns (18446744073.709551616 s), the range of the kernel clocks' },
  cpu: { max: MAX_INT32, text: `at most ${MAX_INT32}` },
  'source line': { max: MAX_INT32, text: `at most ${MAX_INT32}` },
};

/** Is `value` a number of this kind the trace model can hold? (Non-negative, finite, within the kind's limit.) */
export function inRange(kind: NumberKind, value: number): boolean {
  return value >= 0 && value <= LIMITS[kind].max;
}

/**
 * The message for a value out of range, or undefined when it is in range.
 * `token` is the text the value was read from, quoted (cut) in the message.
 */
export function rangeProblem(kind: NumberKind, value: number, token: string): string | undefined {
  if (inRange(kind, value)) return undefined;
  return `${kind} ${quote(token)} is out of range: ${LIMITS[kind].text}`;
}
