// The editor's analysis worker (dist/analysisWorker.js) as the host drives it:
// a saved file is read by the worker with progress, the Problems-panel entries
// come before the trace, and a file or its text give the same entries and the
// same findings as an analysis on the host.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from '../helpers';
import { analyzeText } from '../../../extension/core/analyze';
import { findingProblems } from '../../../extension/core/report/problems';
import { deserializeTrace } from '../../../extension/core/trace/transfer';
import type { TraceSource, WorkerMessage } from '../../../extension/host/workerProtocol';

const ROOT = REPO_ROOT;
const SAMPLE = join(ROOT, 'sample-traces', 'multi-device.dmtrace');

const kindOf = (m: WorkerMessage): string => ('kind' in m ? m.kind : 'failure');
const problemsOf = (ms: WorkerMessage[]) => ms.find((m): m is Extract<WorkerMessage, { kind: 'problems' }> => kindOf(m) === 'problems');

async function request(worker: Worker, id: number, source: TraceSource): Promise<WorkerMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: WorkerMessage[] = [];
    const onMessage = (m: WorkerMessage) => {
      if (m.id !== id) return;
      messages.push(m);
      if ('ok' in m) {
        worker.off('message', onMessage);
        resolve(messages);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ id, kind: 'analyze', source, fileName: SAMPLE, map: {} });
  });
}

describe('the analysis worker', function () {
  this.timeout(20_000);
  let worker: Worker;
  before(() => (worker = new Worker(join(ROOT, 'dist', 'analysisWorker.js'))));
  after(() => worker.terminate());

  it('reads a saved file itself: progress, then the Problems entries, then findings and trace', async () => {
    const text = readFileSync(SAMPLE, 'utf8');
    const host = analyzeText(text, { fileName: SAMPLE });
    const lines = text.split('\n');
    const messages = await request(worker, 1, { path: SAMPLE });
    const kinds = messages.map(kindOf);
    assert.equal(kinds[0], 'progress');
    assert.deepEqual(kinds.slice(-2), ['problems', 'analyze']);
    const problems = problemsOf(messages);
    const done = messages[messages.length - 1];
    assert.ok(problems && 'ok' in done && done.ok && done.kind === 'analyze');
    assert.deepEqual(problems.problems, findingProblems(host.trace, host.findings, (l) => lines[l]));
    assert.deepEqual(done.findings, host.findings);
    assert.equal(deserializeTrace(done.trace).length, host.trace.length);
  });

  it('gives the same entries for the document text as for the file', async () => {
    const fromFile = await request(worker, 2, { path: SAMPLE });
    const fromText = await request(worker, 3, { text: readFileSync(SAMPLE, 'utf8') });
    assert.ok(problemsOf(fromText));
    assert.deepEqual({ ...problemsOf(fromText), id: 0 }, { ...problemsOf(fromFile), id: 0 });
  });

  it('reports a file it cannot read as a failed request, not a crash', async () => {
    const [m] = await request(worker, 4, { path: join(ROOT, 'no-such.dmtrace') });
    assert.ok('ok' in m && !m.ok && /no-such/.test(m.error));
  });
});
