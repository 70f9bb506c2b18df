// Argument names and values as a probe prints them, turned into the forms the
// rules compare. Kprobe fetch args print in hex by default (`holders=0x0`),
// a kretprobe prints a pointer's -1 as 0xffffffffffffffff and an errno as a
// huge unsigned number, and an unnamed fetch arg is called `arg1`. Only the
// cases below are rewritten; every other value is kept as printed (after
// `!alias`), so a user always sees what the recorder wrote.

import { Ev, MINOR_ALLOCED, NULL_PTR } from '../vocabulary';

/**
 * Parameter names of the kernel functions behind the vocabulary, by position,
 * for unnamed kprobe arguments (`p dm_get %di` prints `arg1=0x...`). '' marks
 * a parameter the vocabulary has no name for.
 */
const KERNEL_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  dm_get: ['md'],
  dm_put: ['md'],
  free_dev: ['md'],
  spin_lock: ['lock'],
  spin_unlock: ['lock'],
  mutex_lock: ['lock'],
  mutex_unlock: ['lock'],
  down: ['lock'],
  up: ['lock'],
  down_read: ['lock'],
  up_read: ['lock'],
  down_write: ['lock'],
  up_write: ['lock'],
  idr_pre_get: ['idr', 'gfp'],
  idr_preload: ['gfp'],
  idr_get_new: ['idr', 'ptr'],
  idr_get_new_above: ['idr', 'ptr'],
  idr_alloc: ['idr', 'ptr'],
  idr_find: ['idr', 'minor'],
  idr_remove: ['idr', 'minor'],
  idr_replace: ['idr', 'ptr', 'minor'],
  kmalloc: ['', 'gfp'],
  add_disk: ['disk'],
  device_add_disk: ['', 'disk'],
  atomic_dec_and_lock: ['', 'lock'],
  try_module_get: ['mod'],
  __module_get: ['mod'],
  module_put: ['mod'],
};

/** The parameter name for an unnamed argument `argN` of kernel function `base`, or undefined to keep `argN`. */
export function parameterName(base: string, key: string, vocabularyName: string): string | undefined {
  if (key.length < 4 || key.charCodeAt(0) !== 97 /* a */ || !key.startsWith('arg')) return undefined;
  const n = Number(key.slice(3));
  if (!Number.isInteger(n) || n < 1) return undefined;
  const params = KERNEL_PARAMETERS[base] ?? KERNEL_PARAMETERS[vocabularyName];
  const name = params?.[n - 1];
  return name ? name : undefined;
}

/** Argument names of the vocabulary (README.md, "The trace format in short"): a user who named a return probe's value so meant it. */
const VOCABULARY_KEYS = new Set(['md', 'lock', 'ptr', 'minor', 'idr', 'holders', 'gfp', 'disk', 'action', 'mod', 'count', 'flag', 'field', 'obj', 'old', 'child']);

/**
 * The name of a return probe's argument: `$retval` is the event's `ret`
 * whether it prints as `arg1` (unnamed), `retval` or `ret`, and a return
 * probe's only argument is its return value whatever the user called it,
 * unless that name is a vocabulary argument (`md=$retval`). Never the name of
 * one of the function's parameters: those belong to the entry.
 */
export function returnArgumentName(key: string, argCount: number): string {
  if (key === 'arg1' || key === 'retval' || key === 'ret') return 'ret';
  return argCount === 1 && !VOCABULARY_KEYS.has(key) ? 'ret' : key;
}

/** A pid as the scheduling events compare it: decimal (`child_pid=4500`, a syscall's `0x1194`). */
export function pidValue(value: string): string {
  return signedDecimal(value);
}

/** GFP_KERNEL's value across kernel versions (2.6 to 6.x); other masks are kept as printed. */
const GFP_KERNEL_VALUES = new Set(['0xd0', '0x24000c0', '0x14000c0', '0x6000c0', '0xcc0', '208', '37748928', '20971712', '6291648', '3264']);

const INT_KEYS = new Set(['holders', 'count', 'minor']);
const POINTER_KEYS = new Set(['ptr', 'ret', 'old']);

/** Does normalizeValue rewrite any value of `key` for event `name`? (No: every value is kept as printed.) */
export function rewritesValues(name: number, key: string): boolean {
  const idrEvent = name === Ev.idr_find || name === Ev.idr_get_new || name === Ev.idr_replace;
  return key === 'gfp' || (POINTER_KEYS.has(key) && idrEvent) || INT_KEYS.has(key) || (key === 'ret' && (name === Ev.atomic_dec_and_lock || name === Ev.delete_module));
}

/** The value the rules should see for `key` of event `name` (a vocabulary id or -1). */
export function normalizeValue(name: number, key: string, value: string): string {
  if (!rewritesValues(name, key)) return value;
  if (key === 'gfp') return GFP_KERNEL_VALUES.has(value.toLowerCase()) ? 'GFP_KERNEL' : value;
  const idrPointer = POINTER_KEYS.has(key) && (name === Ev.idr_find || name === Ev.idr_get_new || name === Ev.idr_replace);
  if (idrPointer) {
    const v = value.toLowerCase();
    if (v === '0xffffffffffffffff' || v === '0xffffffff' || v === '-1') return MINOR_ALLOCED;
    if (v === '0x0' || v === '0' || v === '(null)' || v === '0000000000000000') return NULL_PTR;
    return value;
  }
  if (INT_KEYS.has(key) || (key === 'ret' && (name === Ev.atomic_dec_and_lock || name === Ev.delete_module))) return signedDecimal(value);
  return value;
}

/** `0x0` -> `0`, `0xfffffffffffffff0` -> `-16`; anything that is not a hex number is kept. */
function signedDecimal(value: string): string {
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(value)) return value;
  let n = BigInt(value);
  if (value.length === 18 && n >= 1n << 63n) n -= 1n << 64n;
  return n.toString();
}
