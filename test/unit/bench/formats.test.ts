// The benchmark compares the formats' speeds on one generated trace written in
// each of them (bench/renderFormats.ts). That comparison is only fair if every
// rendering holds the same work: here each one, read with its format detected
// from the content, gives the native file's events (name, task, time, cpu,
// arguments, line after its header) and exactly the planted races.

import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { generateTrace, type GeneratedTrace } from '../../../bench/generate';
import { checkPlanted } from '../../../bench/planted';
import { SUFFIX, TEXT_FORMATS } from '../../../bench/renderFormats';
import type { Trace, TraceFormat } from '../../../extension/core/trace/model';
import { analyzeFile, parseFile } from '../../../extension/core/node/readFile';

const FORMATS: TraceFormat[] = ['chrome-json', ...TEXT_FORMATS];

/** Event `i` as the analysis sees it, with its line counted from the first event. */
function eventAt(trace: Trace, i: number, headerLines: number): string {
  return `${trace.line[i] - headerLines} ${trace.time[i]} cpu${trace.cpu[i]} ${trace.taskName(i)} ${trace.describe(i)}`;
}

describe('benchmark trace renderings (bench/renderFormats.ts)', () => {
  let dir: string;
  let gen: GeneratedTrace;
  const file = (format: TraceFormat) => join(dir, `gen${SUFFIX[format]}`);

  before(() => {
    dir = tempDir('dm-race-lens-formats-');
    const others = Object.fromEntries(FORMATS.map((f) => [f, file(f)]));
    gen = generateTrace({ events: 6_000, seed: 11, plantEvery: 1_000, unloadEvery: 1 }, file('dmtrace'), others);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of FORMATS) {
    it(`${format}: detected from the content, the native trace's events, exactly the planted races`, async () => {
      const native = await parseFile(file('dmtrace'));
      const a = await analyzeFile(file(format));
      assert.equal(a.trace.format, format);
      assert.deepEqual(a.trace.diagnostics, []);
      assert.equal(a.trace.length, native.length);
      for (let i = 0; i < native.length; i++) {
        assert.equal(eventAt(a.trace, i, gen.headerLines[format]), eventAt(native, i, gen.headerLines.dmtrace), `event ${i}`);
      }
      const check = checkPlanted(gen, gen.headerLines[format], a.trace, a.findings);
      assert.deepEqual(check.missing, []);
      assert.deepEqual(check.unexpected, []);
      assert.equal(check.expected, 5 * 6, "five blocks of six races");
    });
  }

  it('writes every format it was asked for, and counts its bytes', () => {
    for (const format of ['dmtrace', ...FORMATS] as TraceFormat[]) assert.ok((gen.bytes[format] ?? 0) > 100_000, format);
  });
});
