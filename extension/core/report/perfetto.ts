// Chrome / Perfetto trace-event JSON of an analysed trace: one thread per task,
// an instant event per trace event (its arguments, cpu and line in `args`), a
// flow arrow per cross-task happens-before edge, and each finding as a marker
// on its primary event. The recorded-format parser reads flows back as `!hb`.
import type { Analysis } from '../analyze';

interface TraceEvent {
  name: string;
  ph: string;
  ts?: number;
  pid: number;
  tid: number;
  s?: string;
  id?: number;
  bp?: string;
  cat?: string;
  args?: Record<string, string | number>;
}

const PID = 1;

export function toPerfetto({ trace, hb, findings }: Analysis): { traceEvents: TraceEvent[]; displayTimeUnit: string } {
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: 'dm-race-lens trace' } }];
  trace.tasks.forEach((t, k) => events.push({ name: 'thread_name', ph: 'M', pid: PID, tid: k + 1, args: { name: t.name } }));
  const us = (e: number) => trace.time[e] / 1000;
  for (let e = 0; e < trace.length; e++) {
    const args: Record<string, string | number> = { cpu: trace.cpu[e], line: trace.line[e] };
    for (const [k, v] of trace.argList(e)) args[k] = v;
    events.push({ name: trace.eventName(e), cat: 'dm', ph: 'i', s: 't', ts: us(e), pid: PID, tid: trace.task[e] + 1, args });
  }
  let flow = 1;
  for (let k = 0; k < hb.edgeCount; k++) {
    const edge = hb.edge(k);
    if (trace.task[edge.from] === trace.task[edge.to]) continue;
    const id = flow++;
    events.push({ name: `${edge.kind} ${edge.via}`, cat: 'happens-before', ph: 's', id, ts: us(edge.from), pid: PID, tid: trace.task[edge.from] + 1 });
    events.push({ name: `${edge.kind} ${edge.via}`, cat: 'happens-before', ph: 'f', bp: 'e', id, ts: us(edge.to), pid: PID, tid: trace.task[edge.to] + 1 });
  }
  for (const f of findings) {
    events.push({
      name: `${f.rule} ${f.name}`,
      cat: `race,${f.severity}`,
      ph: 'i',
      s: 'g',
      ts: us(f.primary),
      pid: PID,
      tid: trace.task[f.primary] + 1,
      args: { message: f.message, line: trace.line[f.primary], fixedBy: f.fixedBy.join(' + ') },
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
