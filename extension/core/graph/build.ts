// From an analysis to the graph the webview draws.

import type { Analysis } from '../analyze';
import type { Finding } from '../rules/finding';
import { Key } from '../trace/model';
import { eventClass } from '../trace/vocabulary';
import { happensBeforeRanks, laneOfTask } from './layout';
import { EDGE_KINDS, EVENT_CLASSES, type GraphModel, type GraphRace } from './model';

export interface GraphOptions {
  /** Name shown in the panel. */
  title?: string;
  /** Traces up to this many events carry a description of every event (for tooltips). */
  detailLimit?: number;
}

const DEFAULT_DETAIL_LIMIT = 20000;

export function buildGraph(analysis: Analysis, options: GraphOptions = {}): GraphModel {
  const { trace, hb, findings } = analysis;
  const n = trace.length;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const intern = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };

  const laneOf = laneOfTask(trace);
  const lanes = trace.tasks.map((t, i) => ({ task: i, name: t.name, cpu: t.firstCpu, eventCount: hb.taskEvents[i].length }));
  lanes.sort((a, b) => laneOf[a.task] - laneOf[b.task]);

  const t0 = n > 0 ? minimum(trace.time) : 0;
  const events = {
    lane: new Int32Array(n),
    time: new Float64Array(n),
    rank: happensBeforeRanks(trace, hb),
    cls: new Uint8Array(n),
    name: new Int32Array(n),
    md: new Int32Array(n),
    subject: new Int32Array(n),
    line: new Int32Array(n),
  };
  // Trace ids -> graph string ids, so each distinct name is looked up once.
  const traceToGraph = new Map<number, number>();
  const mapString = (traceId: number): number => {
    if (traceId < 0) return -1;
    let id = traceToGraph.get(traceId);
    if (id === undefined) {
      id = intern(trace.strings.get(traceId));
      traceToGraph.set(traceId, id);
    }
    return id;
  };
  const classOfName = new Map<number, number>();
  const devices = new Set<number>();
  let duration = 0;
  let maxRank = 0;
  for (let i = 0; i < n; i++) {
    events.lane[i] = laneOf[trace.task[i]];
    const t = trace.time[i] - t0;
    events.time[i] = t;
    if (t > duration) duration = t;
    if (events.rank[i] > maxRank) maxRank = events.rank[i];
    const nameId = trace.name[i];
    let cls = classOfName.get(nameId);
    if (cls === undefined) {
      cls = EVENT_CLASSES.indexOf(eventClass(trace.strings.get(nameId)));
      classOfName.set(nameId, cls);
    }
    events.cls[i] = cls;
    events.name[i] = mapString(nameId);
    const md = mapString(trace.argId(i, Key.md));
    events.md[i] = md;
    if (md >= 0) devices.add(md);
    events.subject[i] = md >= 0 ? md : mapString(subjectOf(trace, i));
    events.line[i] = trace.line[i];
  }

  const edgeCount = hb.edgeCount;
  const edgeList = Array.from({ length: edgeCount }, (_, k) => hb.edge(k)).filter((e) => trace.task[e.from] !== trace.task[e.to]);
  edgeList.sort((a, b) => events.rank[a.from] - events.rank[b.from]);
  const edges = {
    from: Int32Array.from(edgeList, (e) => e.from),
    to: Int32Array.from(edgeList, (e) => e.to),
    kind: Uint8Array.from(edgeList, (e) => EDGE_KINDS.indexOf(e.kind)),
    via: Int32Array.from(edgeList, (e) => intern(e.via)),
  };

  const races = findings.map((f, k) => graphRace(analysis, f, k, laneOf));
  const limit = options.detailLimit ?? DEFAULT_DETAIL_LIMIT;
  return {
    version: 1,
    title: options.title ?? 'trace',
    eventCount: n,
    lanes,
    strings,
    events,
    edges,
    races,
    devices: [...devices].map((d) => strings[d]).sort(),
    duration,
    maxRank,
    detail: n <= limit ? Array.from({ length: n }, (_, i) => trace.describe(i)) : undefined,
  };
}

function graphRace(analysis: Analysis, f: Finding, index: number, laneOf: Int32Array): GraphRace {
  const { trace } = analysis;
  const own = trace.task[f.primary];
  const other = f.related.find((e) => trace.task[e] !== own) ?? -1;
  return {
    finding: index,
    rule: f.rule,
    name: f.name,
    severity: f.severity,
    md: f.md,
    message: f.message,
    primary: f.primary,
    other,
    related: [...f.related],
    window: f.window.map((w) => ({ lane: laneOf[w.task], from: w.from, to: w.to })),
    witness: f.witness.map((s) => ({ event: s.event ?? -1, text: s.text })),
    consequence: f.consequence,
    fixedBy: [...f.fixedBy],
    uncertain: f.uncertain === true,
  };
}

/** The argument that names what an event acts on, in the order a reader looks for it. */
const SUBJECT_KEYS = [Key.lock, Key.disk, Key.mod, Key.obj, Key.ptr, Key.ret];

function subjectOf(trace: Analysis['trace'], event: number): number {
  for (const key of SUBJECT_KEYS) {
    const v = trace.argId(event, key);
    if (v >= 0) return v;
  }
  return -1;
}

/** Minimum of a large array (Math.min(...a) overflows the stack at 1M). */
function minimum(values: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < m) m = values[i];
  return m;
}
