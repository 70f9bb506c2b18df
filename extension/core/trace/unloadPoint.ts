// Where a successful delete_module decides the unload (docs/rules.md, DMR5).
// The kernel checks the module's refcount when the call enters, before the
// exit path runs; a recorded entry and return merge into one event at the
// return's line (the contract, section 6), after everything the exit path
// did. So the unload is decided at the unloading task's first event after the
// line the call entered at: the merged event itself when nothing lies in
// between, and for an event with no entry line (a native trace).

import type { Trace } from './model';

/** The unload point of delete_module event `event`; `taskEvents` holds each task's events in program order. */
export function unloadPoint(trace: Trace, taskEvents: readonly Int32Array[], event: number): number {
  const entryLine = trace.callEntryLine.get(event);
  if (entryLine === undefined) return event;
  const events = taskEvents[trace.task[event]];
  let k = trace.seq[event] - 1;
  while (k > 0 && trace.line[events[k - 1]] > entryLine) k--;
  return events[k];
}
