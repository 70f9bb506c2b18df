// Held locks: which locks each task holds at an event, for the rules that ask
// "under which lock?" (DMR2) and "in atomic context?" (DMR4). One walk over the
// trace, made once per trace, keeps only the answers those rules read: it runs
// over every event of a million-event trace, so it makes no object per event.

import { takeEvents } from '../eventLists';
import { Key, type Trace } from '../trace/model';
import { Ev, VOCABULARY } from '../trace/vocabulary';
import { eventsThatMaySleepAtAll } from './maySleep';
import { eventsNamed } from './queries';

/** The name an anonymous lock goes by in messages (the function tracer shows the call, not the lock). */
export const ANONYMOUS_LOCK = '<anonymous>';

/** What the rules ask of the held locks, answered for the whole trace. */
export interface HeldLockFacts {
  /**
   * The events that may sleep (mutex_lock, down_read, down_write, and idr_pre_get and kmalloc whose
   * gfp mask may sleep for some value of the reclaim bit: see maySleep.ts) while their task holds a
   * spinlock, in analysis order, each with the outermost spinlock held (its acquire and its lock).
   */
  inSpin: { event: number[]; acquire: number[]; lock: number[] };
  /**
   * The idr_finds run while their task holds a lock, each with the first later
   * release by its task of a lock held at the find (-1: none in the trace).
   */
  findRelease: Map<number, number>;
}

const factsOf = new WeakMap<Trace, HeldLockFacts>();

/** The held-lock answers for `trace`, worked out on first use. */
export function heldLockFacts(trace: Trace): HeldLockFacts {
  let facts = factsOf.get(trace);
  if (facts) return facts;
  // Anonymous acquires count only for the kinds whose anonymous release the trace records. A function
  // trace of a 6.1 x86 kernel shows `_raw_spin_lock` but not the unlock, which the kernel inlines: were
  // such acquires held, every later allocation of the task would be a false DMR4 error. Which kinds those
  // are is known only at the end of the walk; it first assumes both, and walks again if that was wrong.
  const events = takeEvents(trace, 'heldLockEvents');
  const roles = rolesOf(trace, events);
  let walk = walkHeldLocks(trace, events, roles, SPIN | MUTEX);
  if (walk.anonymousAcquired & ~walk.anonymousReleased) walk = walkHeldLocks(trace, events, roles, walk.anonymousReleased);
  facts = walk.facts;
  factsOf.set(trace, facts);
  return facts;
}

/** Lock kinds as bits: spin (atomic context while held), mutex (a sleeping lock: mutexes, semaphores, rw-semaphores). */
const SPIN = 1;
const MUTEX = 2;

/** What an event does in the walk, as bits (every name of HELD_LOCK_NAMES has a role). */
const enum Role { AcquireSpin = 1, AcquireMutex = 2, ReleaseSpin = 4, ReleaseMutex = 8, Find = 16, MaySleep = 32 }
const ACQUIRE = Role.AcquireSpin | Role.AcquireMutex;
const RELEASE = Role.ReleaseSpin | Role.ReleaseMutex;

/** By event name; atomic_dec_and_lock's is per event (rolesOf). */
const ROLES = (() => {
  const roles = new Uint8Array(VOCABULARY.length);
  roles[Ev.spin_lock] = Role.AcquireSpin;
  for (const name of [Ev.mutex_lock, Ev.down_read, Ev.down_write]) roles[name] = Role.AcquireMutex | Role.MaySleep;
  roles[Ev.spin_unlock] = Role.ReleaseSpin;
  for (const name of [Ev.mutex_unlock, Ev.up_read, Ev.up_write]) roles[name] = Role.ReleaseMutex;
  roles[Ev.idr_find] = Role.Find;
  for (const name of [Ev.idr_pre_get, Ev.kmalloc]) roles[name] = Role.MaySleep;
  return roles;
})();

/**
 * The role of each of `events`, atomic_dec_and_lock's worked out here: an acquire when it returns 1,
 * of a spinlock unless `!lock` says mutex; else nothing. (So the walk has one path for every acquire:
 * in a cold process, code first run after the walk's loop was compiled throws the compiled loop away.)
 */
function rolesOf(trace: Trace, events: Int32Array): Uint8Array {
  const roles = new Uint8Array(events.length);
  const names = trace.name;
  for (let k = 0; k < events.length; k++) roles[k] = ROLES[names[events[k]]];
  // -1: no event has that value
  const one = trace.strings.lookup('1');
  for (const i of eventsNamed(trace, Ev.atomic_dec_and_lock)) {
    const k = indexOf(events, i);
    if (one < 0 || trace.argId(i, Key.ret) !== one) continue;
    const lock = trace.argId(i, Key.lock);
    roles[k] = declaredKind(trace, i, lock < 0 ? ANONYMOUS_LOCK : trace.strings.get(lock)) === MUTEX ? Role.AcquireMutex : Role.AcquireSpin;
  }
  return roles;
}

/** The place of `event` in `events` (sorted; it is there). */
function indexOf(events: Int32Array, event: number): number {
  let lo = 0;
  let hi = events.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid] < event) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Above this many held locks a task counts its entries per lock (see HeldStack.release). */
const DEEP = 16;

/**
 * The locks one task holds, in the order taken: the first `depth` entries of parallel stacks. The stacks
 * never shrink (an array that does gives its memory back, only to take it again at the next acquire).
 */
class HeldStack {
  readonly locks: number[] = [];
  readonly acquires: number[] = [];
  readonly kinds: number[] = [];
  depth = 0;
  spins = 0;
  /** The idr_finds of the task whose held locks none of its releases has named yet, with those locks. */
  pending: { find: number; locks: number[] }[] = [];
  /**
   * How many entries of each lock the task holds, once it has held more than DEEP: a release of a lock
   * the task does not hold (a recording that starts inside a section) then costs no scan of a stack that
   * never-released locks made deep.
   */
  private counts: Map<number, number> | undefined;

  push(lock: number, acquire: number, kind: number): void {
    const d = this.depth++;
    this.locks[d] = lock;
    this.acquires[d] = acquire;
    this.kinds[d] = kind;
    if (kind === SPIN) this.spins++;
    if (this.counts) this.counts.set(lock, (this.counts.get(lock) ?? 0) + 1);
    else if (this.depth > DEEP) {
      this.counts = new Map();
      for (let h = 0; h < this.depth; h++) this.counts.set(this.locks[h], (this.counts.get(this.locks[h]) ?? 0) + 1);
    }
  }

  /** The locks held, in the order taken (a copy). */
  held(): number[] {
    return this.locks.slice(0, this.depth);
  }

  /** Ends the innermost entry of `lock` (of an anonymous lock: the innermost of its kind), if the task holds one. */
  release(lock: number, kind: number, anonymous: number): void {
    if (this.counts && !this.counts.get(lock)) return;
    const { locks, acquires, kinds } = this;
    for (let h = this.depth - 1; h >= 0; h--) {
      if (locks[h] !== lock || (lock === anonymous && kinds[h] !== kind)) continue;
      if (kinds[h] === SPIN) this.spins--;
      for (let m = h + 1; m < this.depth; m++) {
        locks[m - 1] = locks[m];
        acquires[m - 1] = acquires[m];
        kinds[m - 1] = kinds[m];
      }
      this.depth--;
      if (this.counts) this.counts.set(lock, this.counts.get(lock)! - 1);
      return;
    }
  }

  /** The first spinlock entry in the order taken (the task holds one). */
  outermostSpin(): number {
    let h = 0;
    while (this.kinds[h] !== SPIN) h++;
    return h;
  }
}

/**
 * Walks `events` (those of HELD_LOCK_NAMES, in file order, each with its role) keeping, per task, the
 * locks it holds, and notes what the rules ask at each event, from the locks held just before it. A named
 * lock is released by the release naming it; anonymous locks nest: a release without `lock` ends the
 * innermost anonymous lock of its kind. Anonymous acquires of a kind not in `anonymousKinds` are not held at all.
 */
function walkHeldLocks(trace: Trace, events: Int32Array, roles: Uint8Array, anonymousKinds: number): { facts: HeldLockFacts; anonymousAcquired: number; anonymousReleased: number } {
  const facts: HeldLockFacts = { inSpin: { event: [], acquire: [], lock: [] }, findRelease: new Map() };
  const stacks: (HeldStack | undefined)[] = new Array(trace.tasks.length);
  const anonymous = trace.strings.intern(ANONYMOUS_LOCK);
  const tasks = trace.task;
  const lockKey = Key.lock;
  const maySleep = eventsThatMaySleepAtAll(trace);
  let anonymousAcquired = 0;
  let anonymousReleased = 0;
  for (let k = 0; k < events.length; k++) {
    const role = roles[k];
    if (role === 0) continue;
    const i = events[k];
    const task = tasks[i];
    let held = stacks[task];
    if (!held) stacks[task] = held = new HeldStack();
    if (role & Role.MaySleep && held.spins > 0 && maySleep(i)) noteInSpin(facts, held, i);
    if (role & Role.Find) {
      if (held.depth > 0) noteFind(facts, held, i);
      continue;
    }
    if ((role & (ACQUIRE | RELEASE)) === 0) continue;
    const named = trace.argId(i, lockKey);
    const lock = named >= 0 ? named : anonymous;
    const kind = role & (Role.AcquireSpin | Role.ReleaseSpin) ? SPIN : MUTEX;
    // Without branches of their own (see rolesOf): all ones when the lock is anonymous.
    const anonymousMask = named >> 31;
    if (role & RELEASE) {
      anonymousReleased |= kind & anonymousMask;
      if (held.pending.length > 0) noteRelease(facts, held, lock, i);
      held.release(lock, kind, anonymous);
    } else {
      anonymousAcquired |= kind & anonymousMask;
      if ((kind & anonymousMask & ~anonymousKinds) === 0) held.push(lock, i, kind);
    }
  }
  return { facts, anonymousAcquired, anonymousReleased };
}

/** A call that may sleep at `event` while its task holds a spinlock: noted with the outermost one. */
function noteInSpin(facts: HeldLockFacts, held: HeldStack, event: number): void {
  const h = held.outermostSpin();
  facts.inSpin.event.push(event);
  facts.inSpin.acquire.push(held.acquires[h]);
  facts.inSpin.lock.push(held.locks[h]);
}

/** An idr_find under the locks `held` holds: its release is the first later one of any of them. */
function noteFind(facts: HeldLockFacts, held: HeldStack, find: number): void {
  facts.findRelease.set(find, -1);
  held.pending.push({ find, locks: held.held() });
}

/** A release of `lock` at `event`: the pending finds that held it are released here. */
function noteRelease(facts: HeldLockFacts, held: HeldStack, lock: number, event: number): void {
  let released = false;
  for (const p of held.pending) {
    if (!p.locks.includes(lock)) continue;
    facts.findRelease.set(p.find, event);
    released = true;
  }
  if (released) held.pending = held.pending.filter((p) => !p.locks.includes(lock));
}

/** The kind of lock atomic_dec_and_lock takes: `!lock` says, else spin (it takes a spinlock). */
function declaredKind(trace: Trace, acquire: number, lock: string): number {
  return trace.declaredLockKind(lock, trace.line[acquire]) === 'mutex' ? MUTEX : SPIN;
}
