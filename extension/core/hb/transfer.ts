// How happens-before crosses a thread boundary with its trace (the editor's
// analysis worker builds it for the rules; the host answers hovers with it):
// its typed arrays transferred, not copied, and nothing recomputed on arrival.
import type { Trace } from '../trace/model';
import { HappensBefore, type HappensBeforeState } from './happensBefore';

export type SerializedHappensBefore = HappensBeforeState;

/** `hb`'s state and the buffers to transfer; `hb` must not be used once they are sent. */
export function serializeHappensBefore(hb: HappensBefore): { data: SerializedHappensBefore; transfer: ArrayBuffer[] } {
  const state = hb.state();
  const transfer = new Set<ArrayBuffer>();
  // A view on a bigger buffer (a trimmed or preallocated array) is copied so only its bytes cross,
  // and so is an array whose buffer is already listed: a buffer may be transferred only once.
  const exact = <T extends Int32Array | Uint16Array | Uint8Array>(a: T): T => {
    const own = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !transfer.has(a.buffer as ArrayBuffer) ? a : (a.slice() as T);
    transfer.add(own.buffer as ArrayBuffer);
    return own;
  };
  const { edges: e, clockRuns: r, declared: d } = state;
  const data: SerializedHappensBefore = {
    ...state,
    taskEvents: exact(state.taskEvents),
    taskStarts: exact(state.taskStarts),
    clockPool: exact(state.clockPool),
    clockRuns: { clocks: exact(r.clocks), blockRun: exact(r.blockRun), step: exact(r.step) },
    edges: { from: exact(e.from), to: exact(e.to), kind: exact(e.kind), via: exact(e.via) },
    declared: { start: d.start, line: exact(d.line), column: exact(d.column) },
    incomingOrder: state.incomingOrder && exact(state.incomingOrder),
    positions: state.positions && exact(state.positions),
  };
  return { data, transfer: [...transfer] };
}

/** Happens-before of `trace` (deserialised from the same thread's message) as the sender built it. */
export function deserializeHappensBefore(trace: Trace, data: SerializedHappensBefore): HappensBefore {
  return new HappensBefore(trace, {}, data);
}
