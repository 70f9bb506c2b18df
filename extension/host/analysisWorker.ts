// Worker thread for what would stall the extension host: parsing and running
// the rules on big traces, and the simulator's race x patch matrix. For a trace
// it sends back the findings, the input diagnostics and the trace's columns
// (transferred, not copied) so the host answers hovers without parsing again;
// the host builds happens-before again only when a hover or the graph needs it.
import { parentPort } from 'node:worker_threads';
import { analyzeText } from '../core/analyze';
import { raceMatrix, racesClosedByPatch } from '../core/simulate/matrix';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';
import { serializeTrace } from '../core/trace/transfer';

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    if (request.kind === 'matrix') {
      const matrix = raceMatrix();
      const response: WorkerResponse = { id: request.id, ok: true, kind: 'matrix', series: { matrix, closedBy: racesClosedByPatch(matrix) } };
      parentPort?.postMessage(response);
      return;
    }
    const { trace, findings, diagnostics } = analyzeText(request.text, { fileName: request.fileName, map: request.map });
    const { data, transfer } = serializeTrace(trace);
    const response: WorkerResponse = { id: request.id, ok: true, kind: 'analyze', trace: data, findings, diagnostics };
    parentPort?.postMessage(response, transfer);
  } catch (e) {
    const response: WorkerResponse = { id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    parentPort?.postMessage(response);
  }
});
