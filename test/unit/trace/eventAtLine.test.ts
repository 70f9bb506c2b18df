// A hover finds its event by line (Trace.eventAtLine): in a dm trace the events
// are in line order and are searched as they are; time-sorted recorded formats
// need an index. Either way the answer is the first event written on that line.

import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../../extension/core/node/readFile';
import { repoPath } from '../helpers';

const SAMPLES = repoPath('sample-traces');

describe('event at a line', () => {
  const files = [
    ...readdirSync(SAMPLES).filter((f) => f.endsWith('.dmtrace')).map((f) => join(SAMPLES, f)),
    ...readdirSync(join(SAMPLES, 'recorded')).map((f) => join(SAMPLES, 'recorded', f)),
  ];

  it('is the first event on the line, or -1, on every sample (in line order or not)', async () => {
    let outOfOrder = 0;
    for (const file of files) {
      const trace = await parseFile(file);
      const first = new Map<number, number>();
      for (let e = trace.length - 1; e >= 0; e--) first.set(trace.line[e], e);
      if (trace.line.some((l, e) => e > 0 && l < trace.line[e - 1])) outOfOrder++;
      const last = Math.max(0, ...trace.line);
      for (let line = 0; line <= last + 1; line++) assert.equal(trace.eventAtLine(line), first.get(line) ?? -1, `${file}:${line}`);
    }
    assert.ok(outOfOrder > 0, 'some sample is not in line order');
  });
});
