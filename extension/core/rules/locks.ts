// Held locks: which locks each task holds at an event, for the rules that ask
// "under which lock?" (DMR2) and "in atomic context?" (DMR4). One walk over the
// trace, made once per trace, keeps only the answers those rules read: it runs
// over every event of a million-event trace, so it makes no object per event.

import { Key, type Trace } from '../trace/model';
import { Ev, VOCABULARY } from '../trace/vocabulary';

/** The name an anonymous lock goes by in messages (the function tracer shows the call, not the lock). */
export const ANONYMOUS_LOCK = '<anonymous>';

/** What the rules ask of the held locks, answered for the whole trace. */
export interface HeldLockFacts {
  /**
   * The events that may sleep by their name (mutex_lock, down_read, down_write,
   * idr_pre_get, kmalloc: see maySleep.ts) while their task holds a spinlock,
   * in analysis order, each with the outermost spinlock held (its acquire and its lock).
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
  let walk = walkHeldLocks(trace, SPIN | MUTEX);
  if (walk.anonymousAcquired & ~walk.anonymousReleased) walk = walkHeldLocks(trace, walk.anonymousReleased);
  facts = walk.facts;
  factsOf.set(trace, facts);
  return facts;
}

/** Lock kinds as bits: spin (atomic context while held), mutex (a sleeping lock: mutexes, semaphores, rw-semaphores). */
const SPIN = 1;
const MUTEX = 2;

/** What an event name does in the walk, as bits. */
const Role = { AcquireSpin: 1, AcquireMutex: 2, AcquireDeclared: 4, ReleaseSpin: 8, ReleaseMutex: 16, Find: 32, MaySleep: 64 } as const;
const ROLES = (() => {
  const roles = new Uint8Array(VOCABULARY.length);
  roles[Ev.spin_lock] = Role.AcquireSpin;
  for (const name of [Ev.mutex_lock, Ev.down_read, Ev.down_write]) roles[name] = Role.AcquireMutex | Role.MaySleep;
  roles[Ev.atomic_dec_and_lock] = Role.AcquireDeclared;
  roles[Ev.spin_unlock] = Role.ReleaseSpin;
  for (const name of [Ev.mutex_unlock, Ev.up_read, Ev.up_write]) roles[name] = Role.ReleaseMutex;
  roles[Ev.idr_find] = Role.Find;
  for (const name of [Ev.idr_pre_get, Ev.kmalloc]) roles[name] = Role.MaySleep;
  return roles;
})();

/** Above this many held locks a task counts its entries per lock (see HeldStack.release). */
const DEEP = 16;

/** The locks one task holds, in the order taken (parallel stacks). */
class HeldStack {
  readonly locks: number[] = [];
  readonly acquires: number[] = [];
  readonly kinds: number[] = [];
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
    this.locks.push(lock);
    this.acquires.push(acquire);
    this.kinds.push(kind);
    if (kind === SPIN) this.spins++;
    if (this.counts) this.counts.set(lock, (this.counts.get(lock) ?? 0) + 1);
    else if (this.locks.length > DEEP) {
      this.counts = new Map();
      for (const l of this.locks) this.counts.set(l, (this.counts.get(l) ?? 0) + 1);
    }
  }

  /** Ends the innermost entry of `lock` (of an anonymous lock: the innermost of its kind), if the task holds one. */
  release(lock: number, kind: number, anonymous: number): void {
    if (this.counts && !this.counts.get(lock)) return;
    const { locks, acquires, kinds } = this;
    for (let h = locks.length - 1; h >= 0; h--) {
      if (locks[h] !== lock || (lock === anonymous && kinds[h] !== kind)) continue;
      if (kinds[h] === SPIN) this.spins--;
      // removed in place (splice would allocate an array of the removed entry)
      for (let m = h + 1; m < locks.length; m++) {
        locks[m - 1] = locks[m];
        acquires[m - 1] = acquires[m];
        kinds[m - 1] = kinds[m];
      }
      locks.pop();
      acquires.pop();
      kinds.pop();
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
 * Walks the trace keeping, per task, the locks it holds, and notes what the
 * rules ask at each event, from the locks held just before it. A named lock is
 * released by the release naming it; anonymous locks nest: a release without
 * `lock` ends the innermost anonymous lock of its kind. Anonymous acquires of a
 * kind not in `anonymousKinds` are not held at all.
 */
function walkHeldLocks(trace: Trace, anonymousKinds: number): { facts: HeldLockFacts; anonymousAcquired: number; anonymousReleased: number } {
  const facts: HeldLockFacts = { inSpin: { event: [], acquire: [], lock: [] }, findRelease: new Map() };
  const stacks: (HeldStack | undefined)[] = new Array(trace.tasks.length);
  const anonymous = trace.strings.intern(ANONYMOUS_LOCK);
  // atomic_dec_and_lock takes the lock when it returns 1 (-1: no event has that value)
  const one = trace.strings.lookup('1');
  const { name: names, task: tasks } = trace;
  const V = VOCABULARY.length;
  let anonymousAcquired = 0;
  let anonymousReleased = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const role = name < V ? ROLES[name] : 0;
    if (role === 0) continue;
    const task = tasks[i];
    let held = stacks[task];
    if (!held) stacks[task] = held = new HeldStack();
    if (role & Role.MaySleep && held.spins > 0) {
      const h = held.outermostSpin();
      facts.inSpin.event.push(i);
      facts.inSpin.acquire.push(held.acquires[h]);
      facts.inSpin.lock.push(held.locks[h]);
    }
    if (role & Role.Find) {
      if (held.locks.length > 0) {
        facts.findRelease.set(i, -1);
        held.pending.push({ find: i, locks: held.locks.slice() });
      }
      continue;
    }
    if (role & (Role.ReleaseSpin | Role.ReleaseMutex)) {
      const named = trace.argId(i, Key.lock);
      const lock = named >= 0 ? named : anonymous;
      const kind = role & Role.ReleaseSpin ? SPIN : MUTEX;
      if (named < 0) anonymousReleased |= kind;
      if (held.pending.length > 0) noteRelease(facts, held, lock, i);
      held.release(lock, kind, anonymous);
    } else if (role & (Role.AcquireSpin | Role.AcquireMutex | Role.AcquireDeclared)) {
      if (role & Role.AcquireDeclared && (one < 0 || trace.argId(i, Key.ret) !== one)) continue;
      const named = trace.argId(i, Key.lock);
      const lock = named >= 0 ? named : anonymous;
      const kind = role & Role.AcquireSpin ? SPIN : role & Role.AcquireMutex ? MUTEX : declaredKind(trace, i, lock);
      if (named < 0) {
        anonymousAcquired |= kind;
        if (!(anonymousKinds & kind)) continue;
      }
      held.push(lock, i, kind);
    }
  }
  return { facts, anonymousAcquired, anonymousReleased };
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
function declaredKind(trace: Trace, acquire: number, lock: number): number {
  return trace.declaredLockKind(trace.strings.get(lock), trace.line[acquire]) === 'mutex' ? MUTEX : SPIN;
}
