// Worker thread for big traces: parses and runs the rules off the extension
// host's main thread. It sends back the findings, the input diagnostics and the
// trace's columns (transferred, not copied) so the host can answer hovers
// without parsing again; the host builds happens-before again only when a hover
// or the graph needs it.
import { parentPort } from 'node:worker_threads';
import { analyzeText } from '../core/analyze';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';
import { serializeTrace } from './workerProtocol';

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    const { trace, findings, diagnostics } = analyzeText(request.text, { fileName: request.fileName, map: request.map });
    const { data, transfer } = serializeTrace(trace);
    const response: WorkerResponse = { id: request.id, ok: true, trace: data, findings, diagnostics };
    parentPort?.postMessage(response, transfer);
  } catch (e) {
    const response: WorkerResponse = { id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    parentPort?.postMessage(response);
  }
});
