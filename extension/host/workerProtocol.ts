// Messages between the extension host and dist/analysisWorker.js (a Trace
// crosses as core/trace/transfer.ts serialises it, its happens-before as core/hb/transfer.ts does).
import type { FindingProblem } from '../core/report/problems';
import type { Finding, RuleId } from '../core/rules/finding';
import type { PatchId } from '../core/simulate/config';
import type { MatrixResult } from '../core/simulate/matrix';
import type { Diagnostic } from '../core/trace/model';
import type { SerializedTrace } from '../core/trace/transfer';
import type { SerializedHappensBefore } from '../core/hb/transfer';

/** A saved document is read from its file in the worker; an edited one is sent as text. */
export type TraceSource = { text: string } | { path: string };

export type WorkerRequest =
  | { id: number; kind: 'analyze'; source: TraceSource; fileName: string; map: Record<string, string> }
  /** The simulator's race x patch matrix (about a second of exploration). */
  | { id: number; kind: 'matrix' };

/** What the Patch series view shows: the matrix and, per patch, the races it makes go away. */
export interface SeriesMatrix {
  matrix: MatrixResult;
  closedBy: Record<PatchId, RuleId[]>;
}

/**
 * Sent before the final response of an analysis: how much of the file is read
 * (`progress`), then the Problems-panel entries as soon as the rules are done
 * (`problems`), while the trace itself is still being packed.
 */
export type WorkerUpdate =
  | { id: number; kind: 'progress'; bytes: number; totalBytes: number }
  | { id: number; kind: 'problems'; problems: FindingProblem[]; diagnostics: Diagnostic[] };

export type WorkerResponse =
  | { id: number; ok: true; kind: 'analyze'; trace: SerializedTrace; hb: SerializedHappensBefore; findings: Finding[]; diagnostics: Diagnostic[] }
  | { id: number; ok: true; kind: 'matrix'; series: SeriesMatrix }
  | { id: number; ok: false; error: string };

export type WorkerMessage = WorkerResponse | WorkerUpdate;

export const isUpdate = (m: WorkerMessage): m is WorkerUpdate => !('ok' in m);
