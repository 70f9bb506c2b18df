// What several rules need: event lookups by device, held locks, the window
// of a race and the finding builder.

import type { HappensBefore } from '../hb/happensBefore';
import { Key, type Trace } from '../trace/model';
import { Ev, MINOR_ALLOCED, NULL_PTR, VOCABULARY, canonicalPointer } from '../trace/vocabulary';
import { RULES, type Finding, type RuleId, type WindowLane, type WitnessStep } from './finding';

export interface RuleContext {
  trace: Trace;
  hb: HappensBefore;
  options?: RuleOptions;
}

export interface RuleOptions {
  /** The value of `__GFP_DIRECT_RECLAIM` for numeric gfp masks (default 0x400, kernels 4.10 to 6.x). */
  gfpDirectReclaim?: number;
}

/** Is `value` a real object pointer (not the placeholder, not NULL, in any of their spellings; not absent)? */
export function isRealPointer(trace: Trace, value: number): boolean {
  if (value < 0) return false;
  const s = canonicalPointer(trace.strings.get(value));
  return s !== MINOR_ALLOCED && s !== NULL_PTR;
}

const eventIndexes = new WeakMap<Trace, Int32Array[]>();
/** Lists for several names at once, by the names joined (the held-lock walks ask for the lock events twice). */
const mergedIndexes = new WeakMap<Trace, Map<string, Int32Array>>();

/**
 * The events with one of the vocabulary `names`, in analysis order. The index
 * by name is built once per trace in one pass, so a rule reads only the events
 * it is about instead of scanning the whole trace again.
 */
export function eventsNamed(trace: Trace, ...names: number[]): Int32Array {
  let index = eventIndexes.get(trace);
  if (!index) {
    index = indexByName(trace);
    eventIndexes.set(trace, index);
  }
  if (names.length === 1) return index[names[0]] ?? new Int32Array(0);
  const key = names.join(',');
  let cached = mergedIndexes.get(trace);
  if (!cached) mergedIndexes.set(trace, (cached = new Map()));
  let list = cached.get(key);
  if (!list) cached.set(key, (list = mergeNamed(trace, index, names)));
  return list;
}

/** Several names: one pass in trace order with a mask (linear, where sorting the concatenation is not). */
function mergeNamed(trace: Trace, index: Int32Array[], names: readonly number[]): Int32Array {
  const wanted = new Uint8Array(VOCABULARY.length);
  let total = 0;
  for (const name of names) {
    if (wanted[name] === 1) continue;
    wanted[name] = 1;
    total += index[name]?.length ?? 0;
  }
  const merged = new Int32Array(total);
  for (let i = 0, at = 0; at < total; i++) if (trace.name[i] < wanted.length && wanted[trace.name[i]] === 1) merged[at++] = i;
  return merged;
}

function indexByName(trace: Trace): Int32Array[] {
  const V = VOCABULARY.length;
  const counts = new Int32Array(V);
  for (let i = 0; i < trace.length; i++) if (trace.name[i] < V) counts[trace.name[i]]++;
  const index = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < trace.length; i++) {
    const name = trace.name[i];
    if (name < V) index[name][counts[name]++] = i;
  }
  return index;
}

/** Event indices grouped by the value of argument `key`, for the events named `names`. */
export function eventsByArg(trace: Trace, names: readonly number[], key: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const i of eventsNamed(trace, ...names)) {
    const v = trace.argId(i, key);
    const list = out.get(v);
    if (list) list.push(i);
    else out.set(v, [i]);
  }
  return out;
}

/** A final put: `dm_put holders=0`, or `atomic_dec_and_lock ret=1`. */
export function isFinalPut(trace: Trace, event: number): boolean {
  const name = trace.name[event];
  if (name === Ev.dm_put) return trace.arg(event, 'holders') === '0';
  if (name === Ev.atomic_dec_and_lock) return trace.arg(event, 'ret') === '1';
  return false;
}

/**
 * Per device, the events that end its life: its final puts, and with
 * `withFrees` its free_devs too, in analysis order.
 */
export function endsOfLife(trace: Trace, withFrees: boolean): Map<number, number[]> {
  const names = withFrees ? [Ev.dm_put, Ev.atomic_dec_and_lock, Ev.free_dev] : [Ev.dm_put, Ev.atomic_dec_and_lock];
  const all = eventsByArg(trace, names, Key.md);
  for (const [md, events] of all) all.set(md, events.filter((e) => trace.name[e] === Ev.free_dev || isFinalPut(trace, e)));
  return all;
}

/** The first `md_init_done` of each (task, md), keyed `task:mdId`. */
export function initDoneByTaskAndMd(trace: Trace): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of eventsNamed(trace, Ev.md_init_done)) {
    const key = `${trace.task[i]}:${trace.argId(i, Key.md)}`;
    if (!out.has(key)) out.set(key, i);
  }
  return out;
}

export interface HeldLock {
  /** The lock's name id; an anonymous lock (a lock event without `lock`) has the id of ANONYMOUS_LOCK. */
  lock: number;
  acquire: number;
  /** spin: atomic context while held; mutex: a sleeping lock (mutexes, semaphores, rw-semaphores). */
  kind: 'spin' | 'mutex';
}

/** The name an anonymous lock goes by in messages (the function tracer shows the call, not the lock). */
export const ANONYMOUS_LOCK = '<anonymous>';

const ACQUIRES: ReadonlySet<number> = new Set([Ev.spin_lock, Ev.mutex_lock, Ev.down_read, Ev.down_write, Ev.atomic_dec_and_lock]);
const RELEASES: ReadonlySet<number> = new Set([Ev.spin_unlock, Ev.mutex_unlock, Ev.up_read, Ev.up_write]);
const LOCK_EVENTS = [...ACQUIRES, ...RELEASES];

/** Is the event a lock release (spin_unlock, mutex_unlock, up_read, up_write)? */
export function isRelease(trace: Trace, event: number): boolean {
  return RELEASES.has(trace.name[event]);
}

/** The lock an acquire or release names: its `lock`, or the anonymous lock when it names none. */
export function lockOf(trace: Trace, event: number): number {
  const lock = trace.argId(event, Key.lock);
  return lock >= 0 ? lock : trace.strings.intern(ANONYMOUS_LOCK);
}

/**
 * Walks the trace keeping, per task, the locks it holds. `visit` sees each
 * event with the locks held just before it: every event, or, given `only`,
 * the lock events and the events named in `only` (only lock events change
 * what is held, so the others can be skipped). A named lock is released by
 * the release naming it; anonymous locks nest: a release without `lock` ends
 * the innermost anonymous lock of its kind. Anonymous locks of a kind whose
 * release the trace never records are not held at all (see anonymousReleaseKinds).
 */
export function walkHeldLocks(trace: Trace, visit: (event: number, held: readonly HeldLock[]) => void, only?: readonly number[]): void {
  const heldByTask: HeldLock[][] = trace.tasks.map(() => []);
  // How many entries of each lock each task holds: a release of a lock its task does not hold (a recording
  // that starts inside a section) costs no scan of a stack that never-released locks made deep
  const heldCount: Map<number, number>[] = trace.tasks.map(() => new Map());
  const anonymous = trace.strings.intern(ANONYMOUS_LOCK);
  const releasedKinds = anonymousReleaseKinds(trace);
  const events = only ? eventsNamed(trace, ...LOCK_EVENTS, ...only) : undefined;
  const count = events ? events.length : trace.length;
  for (let k = 0; k < count; k++) {
    const i = events ? events[k] : k;
    const held = heldByTask[trace.task[i]];
    visit(i, held);
    const name = trace.name[i];
    if (ACQUIRES.has(name)) {
      if (name === Ev.atomic_dec_and_lock && trace.arg(i, 'ret') !== '1') continue;
      const lock = lockOf(trace, i);
      const kind = lockKind(trace, i, lock);
      if (lock === anonymous && !releasedKinds.has(kind)) continue;
      held.push({ lock, acquire: i, kind });
      const counts = heldCount[trace.task[i]];
      counts.set(lock, (counts.get(lock) ?? 0) + 1);
    } else if (RELEASES.has(name)) {
      const lock = lockOf(trace, i);
      const counts = heldCount[trace.task[i]];
      if (!counts.get(lock)) continue;
      const kind = name === Ev.spin_unlock ? 'spin' : 'mutex';
      for (let k = held.length - 1; k >= 0; k--) {
        if (held[k].lock === lock && (lock !== anonymous || held[k].kind === kind)) {
          held.splice(k, 1);
          counts.set(lock, counts.get(lock)! - 1);
          break;
        }
      }
    }
  }
}

/**
 * The kinds of lock whose anonymous release the trace records. A function
 * trace of a 6.1 x86 kernel shows `_raw_spin_lock` but not the unlock, which
 * the kernel inlines: were such acquires held, every later allocation of the
 * task would be a false DMR4 error. So an anonymous acquire counts only when
 * the recording also traces anonymous releases of its kind.
 */
function anonymousReleaseKinds(trace: Trace): Set<'spin' | 'mutex'> {
  const kinds = new Set<'spin' | 'mutex'>();
  for (const i of eventsNamed(trace, ...RELEASES)) {
    if (trace.argId(i, Key.lock) < 0) kinds.add(trace.name[i] === Ev.spin_unlock ? 'spin' : 'mutex');
  }
  return kinds;
}

/** The kind of lock an acquire takes: its own event says, else `!lock`, else spin (atomic_dec_and_lock takes a spinlock). */
function lockKind(trace: Trace, acquire: number, lock: number): 'spin' | 'mutex' {
  const name = trace.name[acquire];
  if (name === Ev.spin_lock) return 'spin';
  if (name === Ev.mutex_lock || name === Ev.down_read || name === Ev.down_write) return 'mutex';
  return trace.declaredLockKind(trace.strings.get(lock), trace.line[acquire]) ?? 'spin';
}

/** The events of one task from `a` to `b` (same task, program order). */
export function span(trace: Trace, a: number, b: number): WindowLane {
  return trace.seq[a] <= trace.seq[b] ? { task: trace.task[a], from: a, to: b } : { task: trace.task[a], from: b, to: a };
}

/** The lane of `task` holding the events concurrent with `event`, widened to include `mustInclude`. */
export function concurrentLane(ctx: RuleContext, event: number, task: number, mustInclude: number): WindowLane {
  const range = ctx.hb.concurrentRange(event, task);
  const { seq } = ctx.trace;
  if (!range) return { task, from: mustInclude, to: mustInclude };
  return {
    task,
    from: seq[range.from] <= seq[mustInclude] ? range.from : mustInclude,
    to: seq[range.to] >= seq[mustInclude] ? range.to : mustInclude,
  };
}

/** `dmsetup/4121 (line 12)` */
export function at(trace: Trace, event: number): string {
  return `line ${trace.line[event]}`;
}

export function who(trace: Trace, event: number): string {
  return `${trace.taskName(event)} on cpu${trace.cpu[event]}`;
}

export function mdOf(trace: Trace, event: number): string {
  return trace.arg(event, 'md') ?? '';
}

export function finding(
  rule: RuleId,
  severity: Finding['severity'],
  fields: { primary: number; related: number[]; md: string; message: string; window: WindowLane[]; witness: WitnessStep[] },
): Finding {
  const info = RULES[rule];
  const related = [...new Set(fields.related)].filter((e) => e !== fields.primary && e >= 0);
  return { rule, name: info.name, severity, ...fields, related, consequence: info.consequence, fixedBy: info.fixedBy };
}
