// Where things go: lanes grouped by cpu, and the happens-before x axis.

import type { HappensBefore } from '../hb/happensBefore';
import type { Trace } from '../trace/model';

/**
 * Display order of the tasks: by the cpu they started on, then by first
 * appearance, so a cpu's tasks sit together. Returns lane index per task.
 */
export function laneOfTask(trace: Trace): Int32Array {
  const tasks = trace.tasks.map((t, i) => ({ i, cpu: t.firstCpu }));
  tasks.sort((a, b) => a.cpu - b.cpu || a.i - b.i);
  const lane = new Int32Array(trace.tasks.length);
  tasks.forEach((t, k) => (lane[t.i] = k));
  return lane;
}

/**
 * The happens-before rank of every event: the length of the longest chain of
 * program-order steps and edges that ends at it. Every edge therefore points
 * strictly right, and concurrent events may share a rank. One pass over the
 * events in topological order (`hb.position`), so linear in events + edges.
 */
export function happensBeforeRanks(trace: Trace, hb: HappensBefore): Int32Array {
  const n = trace.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[hb.position[i]] = i;
  const rank = new Int32Array(n);
  const lastOfTask = new Int32Array(trace.tasks.length).fill(-1);
  for (let p = 0; p < n; p++) {
    const e = order[p];
    const t = trace.task[e];
    let r = lastOfTask[t] < 0 ? 0 : rank[lastOfTask[t]] + 1;
    for (const edge of hb.incoming(e)) if (rank[edge.from] + 1 > r) r = rank[edge.from] + 1;
    rank[e] = r;
    lastOfTask[t] = e;
  }
  return rank;
}
