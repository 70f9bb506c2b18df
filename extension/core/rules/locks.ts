// Held locks: which locks each task holds at an event, for the rules that ask
// "under which lock?" (DMR2) and "in atomic context?" (DMR4).

import { Key, type Trace } from '../trace/model';
import { Ev } from '../trace/vocabulary';
import { eventsNamed } from './queries';

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

/** What a lock event does to the locks its task holds (0: nothing, an acquire that does not count). */
const Step = { AcquireSpin: 1, AcquireMutex: 2, ReleaseSpin: 3, ReleaseMutex: 4 } as const;

/** The lock events of a trace, each with its lock and its step: worked out once, read by every walk. */
interface LockSteps {
  events: Int32Array;
  lock: Int32Array;
  step: Uint8Array;
}

const lockStepsOf = new WeakMap<Trace, LockSteps>();

function lockSteps(trace: Trace): LockSteps {
  let steps = lockStepsOf.get(trace);
  if (steps) return steps;
  const events = eventsNamed(trace, ...LOCK_EVENTS);
  const anonymous = trace.strings.intern(ANONYMOUS_LOCK);
  const releasedKinds = anonymousReleaseKinds(trace, events);
  const lock = new Int32Array(events.length);
  const step = new Uint8Array(events.length);
  for (let k = 0; k < events.length; k++) {
    const i = events[k];
    const name = trace.name[i];
    lock[k] = lockOf(trace, i);
    if (ACQUIRES.has(name)) {
      if (name === Ev.atomic_dec_and_lock && trace.arg(i, 'ret') !== '1') continue;
      const kind = lockKind(trace, i, lock[k]);
      if (lock[k] === anonymous && !releasedKinds.has(kind)) continue;
      step[k] = kind === 'spin' ? Step.AcquireSpin : Step.AcquireMutex;
    } else {
      step[k] = name === Ev.spin_unlock ? Step.ReleaseSpin : Step.ReleaseMutex;
    }
  }
  steps = { events, lock, step };
  lockStepsOf.set(trace, steps);
  return steps;
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
  const steps = lockSteps(trace);
  const lockEvents = steps.events;
  // The other events visited, merged with the lock events as both lists go (each is in analysis order).
  const others = only ? eventsNamed(trace, ...only) : undefined;
  const otherCount = others ? others.length : trace.length;
  // Past the last event: a small integer, never a heap number (this loop runs for every lock event).
  const none = trace.length;
  let k = 0;
  let o = 0;
  while (k < lockEvents.length || o < otherCount) {
    const other = o < otherCount ? (others ? others[o] : o) : none;
    const i = k < lockEvents.length && lockEvents[k] <= other ? lockEvents[k] : other;
    if (i === other) o++;
    const held = heldByTask[trace.task[i]];
    visit(i, held);
    if (k === lockEvents.length || lockEvents[k] !== i) continue;
    const step = steps.step[k];
    const lock = steps.lock[k];
    k++;
    if (step === Step.AcquireSpin || step === Step.AcquireMutex) {
      held.push({ lock, acquire: i, kind: step === Step.AcquireSpin ? 'spin' : 'mutex' });
      const counts = heldCount[trace.task[i]];
      counts.set(lock, (counts.get(lock) ?? 0) + 1);
    } else if (step === Step.ReleaseSpin || step === Step.ReleaseMutex) {
      const counts = heldCount[trace.task[i]];
      if (!counts.get(lock)) continue;
      const kind = step === Step.ReleaseSpin ? 'spin' : 'mutex';
      for (let h = held.length - 1; h >= 0; h--) {
        if (held[h].lock === lock && (lock !== anonymous || held[h].kind === kind)) {
          // removed in place (splice would allocate an array of the removed entry on every release)
          for (let m = h + 1; m < held.length; m++) held[m - 1] = held[m];
          held.length--;
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
function anonymousReleaseKinds(trace: Trace, lockEvents: Int32Array): Set<'spin' | 'mutex'> {
  const kinds = new Set<'spin' | 'mutex'>();
  for (let k = 0; k < lockEvents.length; k++) {
    const i = lockEvents[k];
    if (RELEASES.has(trace.name[i]) && trace.argId(i, Key.lock) < 0) kinds.add(trace.name[i] === Ev.spin_unlock ? 'spin' : 'mutex');
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
