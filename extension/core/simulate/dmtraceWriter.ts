// Writes an explored schedule as a .dmtrace file (spec sections 1 and 2):
// one line per event, `@dm.c:LINE` at the statement's `@step` marker, the
// faults the run hit as comments just above the event where they happened.

import type { Execution } from './execution';
import { MINOR_LOCK, type Fault, type SimEvent } from './kernel';

export interface TraceLocation {
  /** Marker -> line in the configuration's dm.c; without it events carry no location. */
  lines?: ReadonlyMap<string, number>;
  /** The `!source dm.c=PATH` path, relative to the trace file. */
  sourcePath?: string;
}

/** What a written trace needs to know of a run. */
export interface ScheduleRecord {
  scenario: string;
  title: string;
  config: string;
  taskNames: string[];
  lockKind: 'mutex' | 'spin';
  choices: number[];
  preemptions: number;
  events: SimEvent[];
  faults: Fault[];
}

export function recordOf(run: Execution): ScheduleRecord {
  return {
    scenario: run.scenario.name,
    title: run.scenario.title,
    config: run.config.name,
    taskNames: run.scenario.tasks.map((t) => t.name),
    lockKind: run.machine.state.lockKind,
    choices: [...run.choices],
    preemptions: run.preemptions,
    events: run.machine.events,
    faults: run.machine.faults,
  };
}

const START_NS = 100_000_000_000;
const STEP_NS = 10_000;

export function writeDmtrace(record: ScheduleRecord, where: TraceLocation = {}): string {
  const out: string[] = [
    `# dm-race-lens simulated schedule: ${record.scenario} with patches ${record.config}`,
    `# ${record.title}`,
    `# tasks: ${record.taskNames.map((n, i) => `${n} on cpu${i}`).join(', ')}; ${record.preemptions} preemption(s)`,
    `# schedule (task index per step): ${record.choices.join(' ')}`,
  ];
  if (record.faults.length === 0) out.push('# faults: none in this run');
  const headline = new Set(record.faults.map((f) => `# fault ${f.race} ${f.kind} in ${record.taskNames[f.task]}: ${f.message}`));
  for (const line of headline) out.push(line);
  if (where.sourcePath) out.push(`!source dm.c=${where.sourcePath}`);
  out.push(`!lock ${MINOR_LOCK} ${record.lockKind}`);

  const seq: number[] = [];
  const perTask = new Map<number, number>();
  record.events.forEach((e, i) => {
    const n = (perTask.get(e.task) ?? 0) + 1;
    perTask.set(e.task, n);
    seq[i] = n;
  });
  record.events.forEach((e, i) => {
    for (const f of record.faults) if (f.event === i) out.push(`# ^ below: ${f.race} ${f.kind} in ${record.taskNames[f.task]}: ${f.message}`);
    out.push(eventLine(record, e, i, where));
    for (const from of e.syncsWith ?? []) {
      out.push(`!hb ${record.taskNames[from.task]}:${seq[from.event]} -> ${record.taskNames[e.task]}:${seq[i]}`);
    }
  });
  for (const f of record.faults) if (f.event >= record.events.length) out.push(`# fault at the end: ${f.race} ${f.kind}: ${f.message}`);
  return out.join('\n') + '\n';
}

function eventLine(record: ScheduleRecord, e: SimEvent, index: number, where: TraceLocation): string {
  const time = `${START_NS + index * STEP_NS}ns`;
  const args = e.args.map(([k, v]) => `${k}=${/[\s"]/.test(v) ? JSON.stringify(v) : v}`).join(' ');
  const line = e.marker ? where.lines?.get(e.marker) : undefined;
  if (e.marker && where.lines && line === undefined) throw new Error(`@step ${e.marker} is not in the model source of ${record.config}`);
  const at = line === undefined ? '' : ` @dm.c:${line}`;
  return `${time} cpu${e.task} ${record.taskNames[e.task]} ${e.name}${args ? ' ' + args : ''}${at}`;
}
