// The graph the webview draws: a compact, serialisable picture of one
// analysis. Events keep their trace index (so a click maps back to a line),
// stored column by column in typed arrays so that a 1M-event trace crosses the
// host/webview boundary as a few buffers, not a million objects.

import type { RuleId } from '../rules/finding';
import type { Severity } from '../trace/model';
import type { EventClass } from '../trace/vocabulary';

/** Class ids of `events.cls`, in this order (the webview colours by index). */
export const EVENT_CLASSES: readonly EventClass[] = ['lock', 'idr', 'refcount', 'lifecycle', 'disk', 'module', 'other'];

/** Kind ids of `edges.kind`, in this order. */
export const GRAPH_EDGE_KINDS = ['lock', 'reads-from', 'uevent', 'declared', 'task', 'module'] as const;
export type GraphEdgeKind = (typeof GRAPH_EDGE_KINDS)[number];

/** One horizontal lane: one task. Lanes are in display order, grouped by cpu. */
export interface GraphLane {
  task: number;
  /** `comm/pid`, straight from the trace: draw it as text, never as markup. */
  name: string;
  /** The cpu of the task's first event (the group the lane is drawn in). */
  cpu: number;
  eventCount: number;
}

/** The part of one lane inside a race window, as event indices (inclusive). */
export interface GraphWindow {
  lane: number;
  from: number;
  to: number;
}

export interface GraphWitnessStep {
  /** The event of the step, or -1 for a step another schedule would add. */
  event: number;
  text: string;
}

/** One finding, as the graph draws it. */
export interface GraphRace {
  /** Index of the finding in the analysis (what `showGraph({ finding })` names). */
  finding: number;
  rule: RuleId;
  name: string;
  severity: Severity;
  md: string;
  message: string;
  primary: number;
  /** The other side of the conflict (an event of another task), or -1 when the trace has none. */
  other: number;
  related: number[];
  window: GraphWindow[];
  witness: GraphWitnessStep[];
  consequence: string;
  fixedBy: string[];
  uncertain: boolean;
}

export interface GraphEvents {
  lane: Int32Array;
  /** Nanoseconds since the first event. */
  time: Float64Array;
  /** Happens-before rank: every edge and program-order step goes to a strictly larger rank. */
  rank: Int32Array;
  /** Index into EVENT_CLASSES. */
  cls: Uint8Array;
  /** Event name, index into `strings`. */
  name: Int32Array;
  /** The `md` argument, index into `strings`, or -1. */
  md: Int32Array;
  /** What the event acts on, for its label (`md0`, `_minor_lock`, the pointer an IDR call stores or finds), index into `strings`, or -1. */
  subject: Int32Array;
  /** 1-based line in the trace file. */
  line: Int32Array;
}

export interface GraphEdges {
  from: Int32Array;
  to: Int32Array;
  /** Index into GRAPH_EDGE_KINDS. */
  kind: Uint8Array;
  /** Lock, slot or disk the edge goes through, index into `strings`. */
  via: Int32Array;
}

export interface GraphModel {
  version: 1;
  /** What the panel is about (the file name). */
  title: string;
  eventCount: number;
  lanes: GraphLane[];
  /** Event names, device names and edge labels, interned. */
  strings: string[];
  events: GraphEvents;
  /** Cross-lane edges (lock hand-off, reads-from, uevent, `!hb`), sorted by source rank. */
  edges: GraphEdges;
  races: GraphRace[];
  /** Devices named by events, sorted. */
  devices: string[];
  /** Total duration of the trace in ns (time of the last event). */
  duration: number;
  /** Largest rank. */
  maxRank: number;
  /** Per event, its native-text description (`dm_get md=md0 holders=2`); only for small traces. */
  detail?: string[];
}
