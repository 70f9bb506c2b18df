// A trace sent to or from the editor's analysis worker (extension/core/trace/transfer.ts)
// must come out the same trace: analysing the copy gives the report of the original.

import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTrace } from '../../../extension/core/analyze';
import { toJson } from '../../../extension/core/report/json';
import { parseFile } from '../../../extension/core/node/readFile';
import { deserializeTrace, serializeTrace } from '../../../extension/core/trace/transfer';
import { repoPath } from '../helpers';

const SAMPLES = repoPath('sample-traces');

describe('trace transfer between threads', () => {
  const files = [
    ...readdirSync(SAMPLES).filter((f) => f.endsWith('.dmtrace')).map((f) => join(SAMPLES, f)),
    ...readdirSync(join(SAMPLES, 'recorded')).map((f) => join(SAMPLES, 'recorded', f)),
    // the simulated ones write source locations (@dm.c:LINE)
    ...readdirSync(join(SAMPLES, 'simulated')).filter((f) => f.endsWith('.dmtrace')).slice(0, 3).map((f) => join(SAMPLES, 'simulated', f)),
  ];

  it('covers the samples', () => assert.ok(files.length > 30, `${files.length} samples`));

  for (const file of files) {
    it(`round-trips ${file.slice(SAMPLES.length + 1)} with its columns transferred`, async () => {
      const trace = await parseFile(file);
      const { data, transfer } = serializeTrace(trace);
      // What postMessage does: a structured clone that moves the column buffers.
      const copy = deserializeTrace(structuredClone(data, { transfer }));
      assert.ok(transfer.every((b) => b.byteLength === 0), 'the columns were moved, not copied');
      assert.deepEqual(toJson(analyzeTrace(copy)), toJson(analyzeTrace(trace)));
      assert.equal(copy.length, trace.length);
      assert.ok(copy.length > 0);
      for (let e = 0; e < trace.length; e++) assert.deepEqual(copy.source(e), trace.source(e), `source of event ${e}`);
    });
  }

  it('covers samples with source locations', async () => {
    const located = await Promise.all(files.map(async (f) => (await parseFile(f)).srcEvent.length));
    assert.ok(located.some((n) => n > 0));
  });
});
