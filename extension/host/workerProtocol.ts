// Messages between the extension host and dist/analysisWorker.js (a Trace
// crosses as core/trace/transfer.ts serialises it).
import type { Finding, RuleId } from '../core/rules/finding';
import type { PatchId } from '../core/simulate/config';
import type { MatrixResult } from '../core/simulate/matrix';
import type { Diagnostic } from '../core/trace/model';
import type { SerializedTrace } from '../core/trace/transfer';

export type WorkerRequest =
  | { id: number; kind: 'analyze'; text: string; fileName: string; map: Record<string, string> }
  /** The simulator's race x patch matrix (about a second of exploration). */
  | { id: number; kind: 'matrix' };

/** What the Patch series view shows: the matrix and, per patch, the races it makes go away. */
export interface SeriesMatrix {
  matrix: MatrixResult;
  closedBy: Record<PatchId, RuleId[]>;
}

export type WorkerResponse =
  | { id: number; ok: true; kind: 'analyze'; trace: SerializedTrace; findings: Finding[]; diagnostics: Diagnostic[] }
  | { id: number; ok: true; kind: 'matrix'; series: SeriesMatrix }
  | { id: number; ok: false; error: string };
