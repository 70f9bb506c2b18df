// The lock and idr events, each at the call sites of the functions that take
// the lock or change the idr. lib/idr.c is notrace in distribution kernels, so
// the idr is recorded in its callers: results at the instruction after the call,
// where the callee-saved registers still hold what the caller kept.

import { ARGUMENT_REGISTERS } from './dataflow';
import type { ArgType, ProbeArg, ProbeFilter } from './model';
import type { Sites } from './sites';

/** The locks of the dm races, by the name of their variable, and the acquire/release functions that take them. */
const LOCKS = ['_minor_lock', '_hash_lock'];
const LOCK_FUNCTIONS: Record<string, { event: string; acquire: boolean }> = {
  _raw_spin_lock: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_irq: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_irqsave: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_bh: { event: 'spin_lock', acquire: true },
  _raw_spin_unlock: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_irq: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_irqrestore: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_bh: { event: 'spin_unlock', acquire: false },
  mutex_lock: { event: 'mutex_lock', acquire: true },
  mutex_unlock: { event: 'mutex_unlock', acquire: false },
  down_read: { event: 'down_read', acquire: true },
  down_write: { event: 'down_write', acquire: true },
  up_read: { event: 'up_read', acquire: false },
  up_write: { event: 'up_write', acquire: false },
};

/** Acquires after the call (once held), releases at the call; a `!lock` header line for each spin lock and mutex. */
export function placeLocks(s: Sites): void {
  const kinds = new Map<string, string>();
  for (const [callee, what] of Object.entries(LOCK_FUNCTIONS)) {
    for (const site of s.callSites(callee)) {
      const lock = s.argument(site, 0);
      if (lock.kind !== 'sym' || !LOCKS.includes(lock.name)) continue;
      kinds.set(lock.name, what.event.startsWith('spin') ? 'spin' : what.event.startsWith('mutex') ? 'mutex' : 'rwsem');
      const arg: ProbeArg = { name: 'lock', fetch: `\\"${lock.name}"`, type: 'string' };
      if (!what.acquire) {
        s.add(what.event, what.event, site.fn, site.index, [arg], `${callee} of ${lock.name} at ${s.where(site)} (before the release)`);
      } else if (s.afterCallOk(site)) {
        s.add(what.event, what.event, site.fn, site.index + 1, [arg], `${callee} of ${lock.name} at ${s.where(site)} (once held: the instruction after the call)`);
      } else {
        s.set.partial.push(`${what.event} of ${lock.name} at ${s.where(site)} not placed: the instruction after the call is reached from elsewhere too (or it is a tail call)`);
      }
    }
  }
  for (const lock of LOCKS) {
    const kind = kinds.get(lock);
    if (kind === 'spin' || kind === 'mutex') s.set.header.push({ text: `!lock ${lock} ${kind}` });
  }
}

export function placeIdr(s: Sites): void {
  for (const callee of ['idr_alloc', 'idr_alloc_u32', 'idr_alloc_cyclic']) {
    afterCall(s, callee, 'idr_alloc', 'idr_get_new', [['idr', 'x64'], ['ptr', 'x64']], ['minor', 's32'], { arg: 'minor', op: '>=', value: 0 });
  }
  afterCall(s, 'idr_find', 'idr_find', 'idr_find', [['idr', 'x64'], ['minor', 's32']], ['ret', 'x64']);
  atCall(s, 'idr_replace', 'idr_replace', [['idr', 'x64'], ['ptr', 'x64'], ['minor', 's32']]);
  atCall(s, 'idr_remove', 'idr_remove', [['idr', 'x64'], ['minor', 's32']]);
  atCall(s, 'idr_preload', 'idr_pre_get', [['gfp', 'x32']]);
}

/**
 * A probe at the instruction after each call of `callee`: the arguments from where the caller kept
 * them (callee-saved registers), and the call's result (%ax) as `result`.
 */
function afterCall(s: Sites, callee: string, base: string, vocabulary: string, params: [string, ArgType][], [result, resultType]: [string, ArgType], filter?: ProbeFilter): void {
  for (const site of s.callSites(callee)) {
    if (!s.afterCallOk(site)) {
      s.set.partial.push(`${callee} at ${s.where(site)}: the instruction after the call is reached from elsewhere too; not placed`);
      continue;
    }
    const regs = s.registers(site.fn, site.index + 1);
    const missing: string[] = [];
    const args = [
      ...params.map(([name, type], n) => s.arg(name, s.argument(site, n), regs, type, missing)),
      { name: result, fetch: '%ax', type: resultType },
    ].filter((a): a is ProbeArg => !!a);
    if (missing.length) s.set.partial.push(`${callee} at ${s.where(site)}: ${missing.join(', ')} not recoverable after the call`);
    s.add(base, vocabulary, site.fn, site.index + 1, args, `after the call of ${callee} at ${s.where(site)} (${result} = its result)`, filter);
  }
}

/** One probe at each call of `callee`, the arguments read from the calling convention. */
function atCall(s: Sites, callee: string, vocabulary: string, params: [string, ArgType][]): void {
  for (const site of s.callSites(callee)) {
    const regs = s.registers(site.fn, site.index);
    const missing: string[] = [];
    // at the call the argument registers hold the arguments; a constant is printed as itself
    const args = params.map(([name, type], n): ProbeArg => {
      const value = s.argument(site, n);
      return s.arg(name, value, regs, type, missing) ?? { name, fetch: '%' + ARGUMENT_REGISTERS[n], type };
    });
    s.add(callee, vocabulary, site.fn, site.index, args, `at the call of ${callee} at ${s.where(site)}`);
  }
}
