// Worker thread for what would stall the extension host: parsing and running
// the rules on big traces, and the simulator's race x patch matrix. For a trace
// it reports progress while reading, then sends the Problems-panel entries
// (placed on their lines here, so the host builds diagnostics without the
// trace), then the findings and the trace's columns (transferred, not copied)
// so the host answers hovers without parsing again; the host builds
// happens-before again only when a hover or the graph needs it.
import { parentPort } from 'node:worker_threads';
import { analyzeText, type Analysis } from '../core/analyze';
import { analyzeFile } from '../core/node/readFile';
import { findingProblems, linesOfFindings } from '../core/report/problems';
import { raceMatrix, racesClosedByPatch } from '../core/simulate/matrix';
import { pickLinesOfFile, pickLinesOfText } from '../core/node/pickLines';
import { serializeTrace } from '../core/trace/transfer';
import { serializeHappensBefore } from '../core/hb/transfer';
import type { WorkerMessage, WorkerRequest } from './workerProtocol';

const post = (message: WorkerMessage, transfer?: ArrayBuffer[]) => parentPort?.postMessage(message, transfer);

/** Progress at most every 2% of the file. */
function progressReporter(id: number): (p: { bytes: number; totalBytes: number }) => void {
  let last = -1;
  return ({ bytes, totalBytes }) => {
    if (totalBytes > 0 && bytes - last < totalBytes / 50 && bytes < totalBytes) return;
    last = bytes;
    post({ id, kind: 'progress', bytes, totalBytes });
  };
}

async function analyze(request: Extract<WorkerRequest, { kind: 'analyze' }>): Promise<void> {
  const { id, source } = request;
  const options = { fileName: request.fileName, map: request.map };
  const a: Analysis = 'path' in source ? await analyzeFile(source.path, options, progressReporter(id)) : analyzeText(source.text, options);
  const wanted = linesOfFindings(a.trace, a.findings);
  const lines = 'path' in source ? pickLinesOfFile(source.path, wanted) : pickLinesOfText(source.text, wanted);
  post({ id, kind: 'problems', problems: findingProblems(a.trace, a.findings, (l) => lines.get(l)), diagnostics: a.diagnostics });
  const trace = serializeTrace(a.trace);
  const hb = serializeHappensBefore(a.hb);
  post({ id, ok: true, kind: 'analyze', trace: trace.data, hb: hb.data, findings: a.findings, diagnostics: a.diagnostics }, [...trace.transfer, ...hb.transfer]);
}

parentPort?.on('message', (request: WorkerRequest) => {
  const fail = (e: unknown) => post({ id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  try {
    if (request.kind === 'matrix') {
      const matrix = raceMatrix();
      post({ id: request.id, ok: true, kind: 'matrix', series: { matrix, closedBy: racesClosedByPatch(matrix) } });
      return;
    }
    analyze(request).catch(fail);
  } catch (e) {
    fail(e);
  }
});
