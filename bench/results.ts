// What `npm run bench` measures, as written to bench/results/latest.json.

import type { TraceFormat } from '../extension/core/trace/model';
import type { GraphBenchResult } from './graphBench';
import type { PlantedCheck } from './planted';

/** What a child measures for one trace file in one format (the pipeline in-process: parse, happens-before, rules). */
export interface SizeResult {
  events: number;
  format: TraceFormat;
  fileBytes: number;
  /** Passes made; each phase's figure is its best pass. */
  repeats: number;
  /** Seconds. */
  baseline: number;
  parse: number;
  hb: number;
  rules: number;
  total: number;
  /**
   * CPU seconds (all threads) of the baseline and of the whole pipeline. On an
   * oversubscribed machine wall time also measures the wait for a cpu; these do not.
   */
  baselineCpu: number;
  totalCpu: number;
  mbPerCpuSecond: number;
  mbPerSecond: number;
  eventsPerSecond: number;
  /** total / baseline. */
  vsBaseline: number;
  peakRssBytes: number;
  /** Heap and typed arrays still held with the trace, happens-before and findings alive, after a GC. */
  retainedBytes: number;
  retainedBytesPerEvent: number;
  peakRssPerFileByte: number;
  tasks: number;
  /** Bytes of vector clocks (HappensBefore.clockBytes). */
  clockBytes: number;
  edges: number;
  findings: number;
  planted: PlantedCheck;
  maxOldSpaceMb: number;
}

/** One whole process, as its own resource usage reports it at exit; medians over the runs. */
export interface ProcessFigures {
  /** Seconds from spawn to exit, as the parent sees it. */
  wall: number;
  /** User + system CPU seconds of the process, all threads. */
  cpu: number;
  peakRssBytes: number;
}

/** `node dist/cli.js analyze --format json FILE` against a process that only reads and splits FILE. */
export interface WholeProcessResult {
  events: number;
  fileBytes: number;
  /** Runs of each (alternating), medians reported. */
  runs: number;
  floor: ProcessFigures;
  cli: ProcessFigures;
  /** A process that starts Node and exits: what both of the others pay before their first line. */
  start: ProcessFigures;
  /** The CLI's exit status (1: findings reported). */
  cliStatus: number;
}

/** The native JSON.parse on the Chrome JSON file: read whole, decoded and parsed at once (best of 3). */
export interface JsonParseResult {
  events: number;
  fileBytes: number;
  cpu: number;
  wall: number;
  mbPerCpuSecond: number;
}

/** Seconds of one step of the editor path: wall clock, and CPU of the whole process (all threads). */
export interface Timed {
  wall: number;
  cpu: number;
}

export interface EditorResult {
  events: number;
  /** The extension's worker given the document text (an edited document): until the Problems entries are back. */
  workerTextToDiagnostics: number;
  /** The worker reading the saved file itself (only the path goes in): until the Problems entries are back. */
  workerFileToDiagnostics: number;
  /** First hover, with happens-before as the worker sent it. */
  firstHover: number;
  /** Median of later hovers on finding lines. */
  hoverMedian: number;
  hoverMax: number;
  /** The steps in detail (wall and cpu): to the entries, to the trace rebuilt on the host, the hand-off alone. */
  detail?: {
    findings: number;
    fileToProblems: Timed;
    fileToTrace: Timed;
    textToProblems: Timed;
    textToTrace: Timed;
    /** One thread: the trace serialised and structured-cloned with its columns transferred, or cloned. */
    handOffTransfer: Timed;
    handOffClone: Timed;
    /** The findings alone structured-cloned. */
    findingsClone: Timed;
    /** Placing the entries from the document's lines on the host (what the host did before the worker sent them). */
    problemsOnHost: Timed;
    /** The first hover when the host built happens-before itself (before the worker sent it), seconds. */
    firstHoverBuildingHb?: number;
  };
}

/** One row of the ratio table: a target of issue 13, what this run measured, and whether it met it. */
export interface TargetRow {
  target: string;
  /** Events of the trace it was measured on ('' for targets over every size). */
  at: string;
  value: string;
  /** undefined: not measured in this run (size or tool missing). */
  ok?: boolean;
}

export interface Results {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtStart: number; loadAverageAtEnd?: number };
  seed: number;
  plantEvery: number;
  unloadEvery: number;
  /** The native format at every size. */
  sizes: SizeResult[];
  /** Chrome JSON and the recorded text formats, at the sizes up to 1M. */
  recorded: SizeResult[];
  wholeProcess: WholeProcessResult[];
  jsonParse: JsonParseResult[];
  scaling: { from: number; to: number; total: number; parse: number; hb: number; rules: number }[];
  editor?: EditorResult;
  /** The graph webview in headless chromium (absent when chromium is not installed). */
  graph?: GraphBenchResult[];
  targets: TargetRow[];
}
