// The happens-before edges (README.md, "The trace format in short") that the trace itself implies (all but program
// order and `!hb`): lock hand-off (reader-writer semaphores included),
// reads-from, uevent delivery, task life and module release. One pass in
// analysis order; every edge points forward in it.

import { IdInts, Key, moduleName, type Trace } from '../trace/model';
import { unloadPoint } from '../trace/unloadPoint';
import { Ev, canonicalPointer } from '../trace/vocabulary';

import { EDGE_KINDS } from './edgeKinds';

export { EDGE_KINDS, type EdgeKind } from './edgeKinds';

const LOCK = EDGE_KINDS.indexOf('lock');
const READS_FROM = EDGE_KINDS.indexOf('reads-from');
const UEVENT = EDGE_KINDS.indexOf('uevent');
const TASK = EDGE_KINDS.indexOf('task');
const MODULE = EDGE_KINDS.indexOf('module');

/**
 * Receives the edges; `kind` indexes EDGE_KINDS, `via` is an interned string:
 * the lock, the disk, the child pid or the module (-1 for reads-from: see slotOf).
 */
export interface EdgeSink {
  add(from: number, to: number, kind: number, via: number): void;
}

/**
 * What the pass below does with an event, by event name id (0: nothing). The
 * names' ids are looked up once here, not per event: most events order nothing.
 */
const enum Step { None, Release, Acquire, DecAndLock, ReaderWriter, Store, Find, Announce, Receive, Fork, Wait, Put, Unload }
const STEPS: ReadonlyArray<readonly [number, Step]> = [
  [Ev.spin_unlock, Step.Release], [Ev.mutex_unlock, Step.Release],
  [Ev.spin_lock, Step.Acquire], [Ev.mutex_lock, Step.Acquire], [Ev.atomic_dec_and_lock, Step.DecAndLock],
  [Ev.down_read, Step.ReaderWriter], [Ev.up_read, Step.ReaderWriter], [Ev.down_write, Step.ReaderWriter], [Ev.up_write, Step.ReaderWriter],
  [Ev.idr_get_new, Step.Store], [Ev.idr_replace, Step.Store], [Ev.idr_find, Step.Find],
  [Ev.add_disk, Step.Announce], [Ev.uevent, Step.Announce], [Ev.uevent_recv, Step.Receive],
  [Ev.task_fork, Step.Fork], [Ev.task_wait, Step.Wait], [Ev.module_put, Step.Put], [Ev.delete_module, Step.Unload],
];
const STEP_OF = new Uint8Array(Math.max(...STEPS.map(([ev]) => ev)) + 1);
for (const [ev, step] of STEPS) STEP_OF[ev] = step;

/** Non-zero for the event name ids that can make an edge (index past the end: none can). */
export const MAKES_EDGES: Uint8Array = STEP_OF;

/**
 * The edges among `events`: the trace's events that can make one (see MAKES_EDGES), in file order. Each
 * edge is owed to one event, no event owes two, so there are at most as many edges as `events`: an
 * acquire, down_read, find, fork or wait owes the one edge it gets, a down_write the one from the up_write
 * before it, an up_read, announce or module_put the one edge it gives (it is then dropped).
 */
export function collectTraceEdges(trace: Trace, taskEvents: readonly Int32Array[], events: Int32Array, edges: EdgeSink): void {
  const locks = new LockHandOff(trace.strings.size, edges);
  const others = new OtherEdges(trace, taskEvents, edges, locks);
  // Most of these events are spinlocks and mutexes: this loop is kept small (quick to compile in a
  // cold process) and has one branch for all the rarer events, OtherEdges'.
  const names = trace.name;
  const lockKey = Key.lock;
  const lastRelease = locks.lastRelease.dense;
  for (let k = 0; k < events.length; k++) {
    const i = events[k];
    const step: Step = STEP_OF[names[i]];
    if (step !== Step.Release && step !== Step.Acquire) {
      others.event(step, i);
      continue;
    }
    const lock = trace.argId(i, lockKey);
    if (lock < 0) continue;
    if (step === Step.Acquire) locks.acquire(lock, i);
    else if (lock < lastRelease.length) lastRelease[lock] = i + 1;
    else locks.lastRelease.set(lock, i + 1);
  }
}

/** Spinlocks and mutexes: a release orders the next acquire of the same lock. */
class LockHandOff {
  /**
   * Per lock (by id; absent = anonymous, which hands nothing off): the last release not yet handed to an
   * acquire, as event + 1 (0: none). An array (IdInts: a Map only for locks named by a number): this is read for
   * every lock event.
   */
  readonly lastRelease: IdInts;

  constructor(size: number, private readonly edges: EdgeSink) {
    this.lastRelease = new IdInts(size);
  }

  acquire(lock: number, i: number): void {
    const release = this.lastRelease.get(lock) - 1;
    if (release < 0) return;
    this.edges.add(release, i, LOCK, lock);
    this.lastRelease.set(lock, 0);
  }
}

/**
 * The edges of the events other than spinlocks and mutexes, one event at a
 * time in analysis order: a method a step, so that a cold process compiles
 * only those its trace uses often.
 */
class OtherEdges {
  private readonly rwsem: ReaderWriterHandOff;
  private readonly latestStore = new Map<string, number>();
  private readonly pendingUevents = new Map<number, number[]>();
  private readonly pendingPuts = new Map<string, Map<number, number>>();
  private readonly taskOfPid: Map<string, number>;
  private readonly slotKey: (event: number, pointerKey: number) => string;

  /** atomic_dec_and_lock takes the lock only when it returns 1. */
  private readonly one: number;

  constructor(
    private readonly trace: Trace,
    private readonly taskEvents: readonly Int32Array[],
    private readonly edges: EdgeSink,
    private readonly locks: LockHandOff,
  ) {
    this.one = trace.strings.lookup('1');
    this.rwsem = new ReaderWriterHandOff(trace.strings.size, edges);
    this.taskOfPid = new Map(trace.tasks.map((t, i) => [t.pid, i]));
    this.slotKey = slotKeys(trace);
  }

  event(step: Step, i: number): void {
    switch (step) {
      case Step.DecAndLock: return this.decAndLock(i);
      case Step.ReaderWriter: return this.readerWriter(i);
      case Step.Store: return this.store(i);
      case Step.Find: return this.find(i);
      case Step.Announce: return this.announce(i);
      case Step.Receive: return this.receive(i);
      case Step.Fork: return this.fork(i);
      case Step.Wait: return this.wait(i);
      case Step.Put: return this.put(i);
      case Step.Unload: return this.unload(i);
    }
  }

  private decAndLock(i: number): void {
    const lock = this.trace.argId(i, Key.lock);
    if (lock >= 0 && this.one >= 0 && this.trace.argId(i, Key.ret) === this.one) this.locks.acquire(lock, i);
  }

  private readerWriter(i: number): void {
    const lock = this.trace.argId(i, Key.lock);
    if (lock >= 0) this.rwsem.event(this.trace.name[i], lock, i);
  }

  private store(i: number): void {
    this.latestStore.set(this.slotKey(i, Key.ptr), i);
  }

  /** Reads-from: its `via` is the slot, named when asked for (slotOf). */
  private find(i: number): void {
    const store = this.latestStore.get(this.slotKey(i, Key.ret));
    if (store !== undefined) this.edges.add(store, i, READS_FROM, -1);
  }

  private announce(i: number): void {
    const disk = this.trace.argId(i, Key.disk);
    const list = this.pendingUevents.get(disk);
    if (list) list.push(i);
    else this.pendingUevents.set(disk, [i]);
  }

  private receive(i: number): void {
    const { trace } = this;
    const disk = trace.argId(i, Key.disk);
    const list = this.pendingUevents.get(disk);
    if (!list) return;
    const task = trace.task[i];
    const sameTask = list.filter((s) => trace.task[s] === task);
    for (const s of list) if (trace.task[s] !== task) this.edges.add(s, i, UEVENT, disk);
    this.pendingUevents.set(disk, sameTask);
  }

  private fork(i: number): void {
    const { trace } = this;
    const child = this.taskOfPid.get(pidValue(trace.arg(i, 'child')));
    const first = child === undefined ? -1 : this.taskEvents[child][0];
    if (first > i) this.edges.add(i, first, TASK, trace.strings.intern(trace.tasks[child as number].pid));
  }

  private wait(i: number): void {
    const { trace } = this;
    const child = this.taskOfPid.get(pidValue(trace.arg(i, 'ret')));
    if (child === undefined || child === trace.task[i]) return;
    const last = lastEventBefore(this.taskEvents[child], i);
    if (last >= 0) this.edges.add(last, i, TASK, trace.strings.intern(trace.tasks[child].pid));
  }

  private put(i: number): void {
    const mod = this.trace.arg(i, 'mod');
    if (mod === undefined) return;
    const key = moduleName(mod);
    let puts = this.pendingPuts.get(key);
    if (!puts) this.pendingPuts.set(key, (puts = new Map()));
    // per task its latest put: program order carries the earlier ones
    puts.set(this.trace.task[i], i);
  }

  private unload(i: number): void {
    const { trace } = this;
    const mod = trace.arg(i, 'mod');
    if (mod === undefined || trace.arg(i, 'ret') !== '0') return;
    const key = moduleName(mod);
    const puts = this.pendingPuts.get(key);
    if (!puts) return;
    const via = trace.strings.intern(key);
    // the refcount was checked where the call entered; a put recorded after that point (while the
    // exit path ran) keeps the merged event as its target, so every edge still points forward
    const point = unloadPoint(trace, this.taskEvents, i);
    for (const put of puts.values()) this.edges.add(put, put < point ? point : i, MODULE, via);
    this.pendingPuts.delete(key);
  }
}

/** The slot a reads-from edge into idr_find event `find` is through, as its `via` names it: `idr[minor]`. */
export function slotOf(trace: Trace, find: number): string {
  const idr = trace.argId(find, Key.idr);
  const minor = trace.argId(find, Key.minor);
  return `${idr < 0 ? '' : trace.strings.get(idr)}[${minor < 0 ? '' : trace.strings.get(minor)}]`;
}

/**
 * Hand-off of a reader-writer semaphore (README.md, "The trace format in short"): an up_write
 * orders every down_read after it up to the next down_write, and that
 * down_write; each up_read orders the next down_write. Readers do not order
 * each other.
 */
class ReaderWriterHandOff {
  /** Per lock, the up_write readers and the next writer acquire after, as event + 1 (0: none). */
  private readonly lastUpWrite: IdInts;
  /** Per lock, the up_reads since the last down_write. */
  private readonly upReads = new Map<number, number[]>();

  constructor(size: number, private readonly edges: EdgeSink) {
    this.lastUpWrite = new IdInts(size);
  }

  event(ev: number, lock: number, i: number): void {
    const upWrite = this.lastUpWrite.get(lock) - 1;
    switch (ev) {
      case Ev.up_write:
        this.lastUpWrite.set(lock, i + 1);
        break;
      case Ev.up_read: {
        const list = this.upReads.get(lock);
        if (list) list.push(i);
        else this.upReads.set(lock, [i]);
        break;
      }
      case Ev.down_read:
        if (upWrite >= 0) this.edges.add(upWrite, i, LOCK, lock);
        break;
      case Ev.down_write:
        if (upWrite >= 0) this.edges.add(upWrite, i, LOCK, lock);
        for (const r of this.upReads.get(lock) ?? []) this.edges.add(r, i, LOCK, lock);
        this.lastUpWrite.set(lock, 0);
        this.upReads.delete(lock);
        break;
    }
  }
}

/**
 * `(idr, minor)` slot plus the pointer stored or read, as one map key; the
 * pointer in its canonical spelling (`-1` is `MINOR_ALLOCED`), worked out once per value.
 */
function slotKeys(trace: Trace): (event: number, pointerKey: number) => string {
  // By value id: not interned into the trace's strings, which would cost a hash lookup a pointer.
  const canonical = new Map<number, string>();
  return (event, pointerKey) => {
    const slot = `${trace.argId(event, Key.idr)},${trace.argId(event, Key.minor)}`;
    const ptr = trace.argId(event, pointerKey);
    if (ptr < 0) return slot;
    let value = canonical.get(ptr);
    if (value === undefined) canonical.set(ptr, (value = canonicalPointer(trace.strings.get(ptr))));
    // idr and minor are ids: the second comma ends them, whatever the pointer's spelling holds
    return `${slot},${value}`;
  };
}

/** A pid as written in `child=`/`ret=` (decimal, or hex as a probe prints it), as task names write it. */
function pidValue(value: string | undefined): string {
  if (value === undefined) return '';
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? String(n) : value;
}

/** The last of `events` (sorted) before `event`, or -1. */
function lastEventBefore(events: Int32Array, event: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid] < event) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? events[lo - 1] : -1;
}
