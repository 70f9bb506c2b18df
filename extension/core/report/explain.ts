// Explanations in prose for hovers: what an event is, what orders it, and for
// an event in a race the window, the witness schedule and the consequence.
// Pure functions of the analysis (no vscode import) so they are unit-tested.
// They return Markdown: every string a trace wrote goes through ./markdown.
import type { Edge, HappensBefore } from '../hb/happensBefore';
import type { Finding } from '../rules/finding';
import type { Trace } from '../trace/model';
import { Ev, isVocabulary, MEANING } from '../trace/vocabulary';
import { mdCode, mdCodeBlock, mdText } from './markdown';

/** Seconds with microsecond precision, as the native format writes them. */
export function formatTime(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** `dm_get md=md0 holders=1`: the event as written (plain text, not Markdown). */
export function eventText(trace: Trace, e: number): string {
  return trace.describe(e);
}

/** One incoming edge, from the point of view of its target. */
export function edgeReason(trace: Trace, edge: Edge): string {
  const from = `${mdCode(trace.eventName(edge.from))} at line ${trace.line[edge.from]} (${mdText(trace.taskName(edge.from))})`;
  switch (edge.kind) {
    case 'lock':
      return `after ${from} through ${mdText(edge.via)}`;
    case 'reads-from':
      return `reads the pointer stored by ${from} in ${mdText(edge.via)}`;
    case 'uevent':
      return `receives the uevent of disk ${mdText(edge.via)} sent by ${from}`;
    case 'declared':
      return `after ${from} (declared by \`!hb\`)`;
    case 'task':
      return trace.name[edge.to] === Ev.task_wait ? `reaps task ${mdText(edge.via)}, whose last event is ${from}` : `first event of task ${mdText(edge.via)}, forked by ${from}`;
    case 'module':
      return `unloads ${mdText(edge.via)} after the module reference dropped by ${from}`;
  }
}

/** What orders event `e`: its program-order predecessor and every incoming edge. */
export function orderingFacts(trace: Trace, hb: HappensBefore, e: number): string[] {
  const facts: string[] = [];
  const prev = hb.lastBefore(e, trace.task[e]);
  if (prev >= 0) facts.push(`after ${mdCode(eventText(trace, prev))} at line ${trace.line[prev]} in program order`);
  else facts.push(`first event of ${mdText(trace.taskName(e))}`);
  for (const edge of hb.incoming(e)) facts.push(edgeReason(trace, edge));
  return facts;
}

/**
 * The other tasks' events that are unordered with `e` (ranges of lines), the
 * heart of "predictive". Tasks in `prefer` (the race's other side) come first;
 * past `maxTasks` the rest are counted.
 */
export function concurrencyFacts(trace: Trace, hb: HappensBefore, e: number, maxTasks = 4, prefer: readonly number[] = []): string[] {
  const order = [...new Set([...prefer, ...trace.tasks.keys()])].filter((t) => t !== trace.task[e]);
  const out: string[] = [];
  let more = 0;
  for (const t of order) {
    const range = hb.concurrentRange(e, t);
    if (!range) continue;
    if (out.length === maxTasks) {
      more++;
      continue;
    }
    const a = trace.line[range.from];
    const b = trace.line[range.to];
    out.push(`unordered with ${mdText(trace.tasks[t].name)} ${a === b ? `line ${a}` : `lines ${a}–${b}`}`);
  }
  if (more > 0) out.push(`and with ${more} other task${more === 1 ? '' : 's'}`);
  return out;
}

/** Events shown at each end of a long lane of the window timeline. */
const TIMELINE_EDGE = 8;

function lineCell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/**
 * The window as a small timeline: one column per task of the window, one row
 * per event in analysis order, the event's line number on the left and `▶` on
 * the finding's own events. Plain text: explainFinding puts it in a code block.
 */
export function windowTimeline(trace: Trace, hb: HappensBefore, f: Finding, width = 30): string {
  const lanes = f.window;
  if (lanes.length === 0) return '';
  const marked = new Set([f.primary, ...f.related]);
  // a long lane shows its first and last TIMELINE_EDGE events and its marked ones; one row says how many are left out
  const rows: { e: number; col: number; elided?: number }[] = [];
  lanes.forEach((lane, col) => {
    const events = hb.taskEvents[lane.task];
    const first = trace.seq[lane.from] - 1;
    const last = Math.min(trace.seq[lane.to] - 1, events.length - 1);
    let skipped = 0;
    for (let s = first; s <= last; s++) {
      const e = events[s];
      if (s - first < TIMELINE_EDGE || last - s < TIMELINE_EDGE || marked.has(e)) {
        if (skipped > 0) rows.push({ e: events[s - 1], col, elided: skipped });
        skipped = 0;
        rows.push({ e, col });
      } else skipped++;
    }
  });
  rows.sort((a, b) => hb.positionOf(a.e) - hb.positionOf(b.e));
  const header = `line  ${lanes.map((l) => lineCell(`${trace.tasks[l.task].name} (cpu${trace.tasks[l.task].firstCpu})`, width)).join(' │ ')}`;
  const rule = `----  ${lanes.map(() => '-'.repeat(width)).join('-┼-')}`;
  const body = rows.map(({ e, col, elided }) => {
    const text = elided ? `  ⋮ ${elided} more events` : `${marked.has(e) ? '▶ ' : '  '}${eventText(trace, e)}`;
    const cells = lanes.map((_, c) => (c === col ? lineCell(text, width) : ' '.repeat(width)));
    return `${elided ? '    ' : String(trace.line[e]).padStart(4)}  ${cells.join(' │ ')}`.trimEnd();
  });
  return [header, rule, ...body].join('\n');
}

/** The window in one sentence: which stretch of each task may interleave. */
export function windowProse(trace: Trace, f: Finding): string {
  const parts = f.window.map((lane) => {
    const a = trace.line[lane.from];
    const b = trace.line[lane.to];
    const span = a === b ? `line ${a}` : `lines ${a}–${b}`;
    return `${mdText(trace.tasks[lane.task].name)} ${span} (${mdCode(trace.eventName(lane.from))} … ${mdCode(trace.eventName(lane.to))})`;
  });
  if (parts.length === 1) return `The window is ${parts[0]}: another task's event scheduled inside it triggers the race.`;
  return `The window: ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]} are not ordered by happens-before, so any interleaving of them can run.`;
}

/** The witness schedule as a numbered markdown list. */
export function witnessList(f: Finding): string {
  return f.witness
    .map((step, i) => {
      const key = step.event !== undefined && (step.event === f.primary || f.related.includes(step.event));
      const text = step.event === undefined && step.elided === undefined ? `*${mdText(step.text)}* (not in this trace)` : mdText(step.text);
      return `${i + 1}. ${key ? `**${text}**` : text}`;
    })
    .join('\n');
}

/** Hover header for any event. */
export function eventHeader(trace: Trace, e: number): string {
  const name = trace.eventName(e);
  const meaning = isVocabulary(name) ? MEANING[name] : 'not in the dm vocabulary: shown, ignored by the rules';
  const src = trace.source(e);
  return [
    `**${mdCode(eventText(trace, e))}** — ${meaning}`,
    '',
    `${mdText(trace.taskName(e))} on cpu${trace.cpu[e]} at ${formatTime(trace.time[e])}, line ${trace.line[e]} (event ${trace.seq[e]} of its task)${src ? `, source ${mdCode(`${src.file}:${src.line}`)}` : ''}`,
  ].join('\n');
}

/** The findings an event takes part in, its own (primary) first. */
export function findingsOf(findings: readonly Finding[], e: number): number[] {
  const own: number[] = [];
  const part: number[] = [];
  findings.forEach((f, i) => {
    if (f.primary === e) own.push(i);
    else if (f.related.includes(e)) part.push(i);
  });
  return [...own, ...part];
}

/** The race section of a hover (without links, which the host adds). */
export function explainFinding(trace: Trace, hb: HappensBefore, f: Finding): string {
  return [
    `**${f.rule} ${f.name}** (${f.severity}${f.uncertain ? ', uncertain: the window spans lost events' : ''}) on ${mdText(f.md)}`,
    '',
    mdText(f.message),
    '',
    windowProse(trace, f),
    '',
    mdCodeBlock(windowTimeline(trace, hb, f)),
    '',
    'Witness schedule (consistent with happens-before):',
    '',
    witnessList(f),
    '',
    `**Consequence:** ${mdText(f.consequence)}`,
  ].join('\n');
}
