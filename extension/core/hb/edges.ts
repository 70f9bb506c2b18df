// The happens-before edges (README.md, "The trace format in short") that the trace itself implies (all but program
// order and `!hb`): lock hand-off (reader-writer semaphores included),
// reads-from, uevent delivery, task life and module release. One pass in
// analysis order; every edge points forward in it.

import { Key, moduleName, type Trace } from '../trace/model';
import { unloadPoint } from '../trace/unloadPoint';
import { Ev, canonicalPointer } from '../trace/vocabulary';

import type { EdgeKind } from './edgeKinds';

export { EDGE_KINDS, type EdgeKind } from './edgeKinds';

/** Receives one edge; `via` is an interned string: the lock, the slot, the disk, the child pid or the module. */
export type AddEdge = (from: number, to: number, kind: EdgeKind, via: number) => void;

export function collectTraceEdges(trace: Trace, taskEvents: readonly Int32Array[], addEdge: AddEdge): void {
  // Per lock (by id; absent = anonymous, which hands nothing off): the last release not yet handed to an
  // acquire, as event + 1 (0: none). Arrays, not Maps: this runs for every lock event.
  const size = trace.strings.size;
  const lastRelease = new Int32Array(size);
  const rwsem = new ReaderWriterHandOff(size, addEdge);
  const latestStore = new Map<string, number>();
  const pendingUevents = new Map<number, number[]>();
  const pendingPuts = new Map<string, Map<number, number>>();
  const taskOfPid = new Map(trace.tasks.map((t, i) => [t.pid, i]));
  const slotKey = slotKeys(trace);
  for (let i = 0; i < trace.length; i++) {
    const ev = trace.name[i];
    switch (ev) {
      case Ev.spin_unlock:
      case Ev.mutex_unlock: {
        const lock = trace.argId(i, Key.lock);
        if (lock >= 0) lastRelease[lock] = i + 1;
        break;
      }
      case Ev.spin_lock:
      case Ev.mutex_lock:
      case Ev.atomic_dec_and_lock: {
        if (ev === Ev.atomic_dec_and_lock && trace.arg(i, 'ret') !== '1') break;
        const lock = trace.argId(i, Key.lock);
        const release = lock >= 0 ? lastRelease[lock] - 1 : -1;
        if (release >= 0) {
          addEdge(release, i, 'lock', lock);
          lastRelease[lock] = 0;
        }
        break;
      }
      case Ev.down_read:
      case Ev.up_read:
      case Ev.down_write:
      case Ev.up_write: {
        const lock = trace.argId(i, Key.lock);
        if (lock >= 0) rwsem.event(ev, lock, i);
        break;
      }
      case Ev.idr_get_new:
      case Ev.idr_replace:
        latestStore.set(slotKey(i, Key.ptr), i);
        break;
      case Ev.idr_find: {
        const store = latestStore.get(slotKey(i, Key.ret));
        if (store !== undefined) addEdge(store, i, 'reads-from', trace.strings.intern(`${trace.arg(i, 'idr') ?? ''}[${trace.arg(i, 'minor') ?? ''}]`));
        break;
      }
      case Ev.add_disk:
      case Ev.uevent: {
        const disk = trace.argId(i, Key.disk);
        const list = pendingUevents.get(disk);
        if (list) list.push(i);
        else pendingUevents.set(disk, [i]);
        break;
      }
      case Ev.uevent_recv: {
        const disk = trace.argId(i, Key.disk);
        const list = pendingUevents.get(disk);
        if (!list) break;
        const task = trace.task[i];
        const sameTask = list.filter((s) => trace.task[s] === task);
        for (const s of list) if (trace.task[s] !== task) addEdge(s, i, 'uevent', disk);
        pendingUevents.set(disk, sameTask);
        break;
      }
      case Ev.task_fork: {
        const child = taskOfPid.get(pidValue(trace.arg(i, 'child')));
        const first = child === undefined ? -1 : taskEvents[child][0];
        if (first > i) addEdge(i, first, 'task', trace.strings.intern(trace.tasks[child as number].pid));
        break;
      }
      case Ev.task_wait: {
        const child = taskOfPid.get(pidValue(trace.arg(i, 'ret')));
        if (child === undefined || child === trace.task[i]) break;
        const last = lastEventBefore(taskEvents[child], i);
        if (last >= 0) addEdge(last, i, 'task', trace.strings.intern(trace.tasks[child].pid));
        break;
      }
      case Ev.module_put: {
        const mod = trace.arg(i, 'mod');
        if (mod === undefined) break;
        const key = moduleName(mod);
        let puts = pendingPuts.get(key);
        if (!puts) pendingPuts.set(key, (puts = new Map()));
        // per task its latest put: program order carries the earlier ones
        puts.set(trace.task[i], i);
        break;
      }
      case Ev.delete_module: {
        const mod = trace.arg(i, 'mod');
        if (mod === undefined || trace.arg(i, 'ret') !== '0') break;
        const key = moduleName(mod);
        const puts = pendingPuts.get(key);
        if (!puts) break;
        const via = trace.strings.intern(key);
        // the refcount was checked where the call entered; a put recorded after that point (while the
        // exit path ran) keeps the merged event as its target, so every edge still points forward
        const point = unloadPoint(trace, taskEvents, i);
        for (const put of puts.values()) addEdge(put, put < point ? point : i, 'module', via);
        pendingPuts.delete(key);
        break;
      }
    }
  }
}

/**
 * Hand-off of a reader-writer semaphore (README.md, "The trace format in short"): an up_write
 * orders every down_read after it up to the next down_write, and that
 * down_write; each up_read orders the next down_write. Readers do not order
 * each other.
 */
class ReaderWriterHandOff {
  /** Per lock, the up_write readers and the next writer acquire after, as event + 1 (0: none). */
  private readonly lastUpWrite: Int32Array;
  /** Per lock, the up_reads since the last down_write. */
  private readonly upReads = new Map<number, number[]>();

  constructor(size: number, private readonly addEdge: AddEdge) {
    this.lastUpWrite = new Int32Array(size);
  }

  event(ev: number, lock: number, i: number): void {
    const upWrite = this.lastUpWrite[lock] - 1;
    switch (ev) {
      case Ev.up_write:
        this.lastUpWrite[lock] = i + 1;
        break;
      case Ev.up_read: {
        const list = this.upReads.get(lock);
        if (list) list.push(i);
        else this.upReads.set(lock, [i]);
        break;
      }
      case Ev.down_read:
        if (upWrite >= 0) this.addEdge(upWrite, i, 'lock', lock);
        break;
      case Ev.down_write:
        if (upWrite >= 0) this.addEdge(upWrite, i, 'lock', lock);
        for (const r of this.upReads.get(lock) ?? []) this.addEdge(r, i, 'lock', lock);
        this.lastUpWrite[lock] = 0;
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
  const canonical = new Int32Array(trace.strings.size).fill(-1);
  return (event, pointerKey) => {
    let ptr = trace.argId(event, pointerKey);
    if (ptr >= 0) {
      if (canonical[ptr] < 0) canonical[ptr] = trace.strings.intern(canonicalPointer(trace.strings.get(ptr)));
      ptr = canonical[ptr];
    }
    return `${trace.argId(event, Key.idr)},${trace.argId(event, Key.minor)},${ptr}`;
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
