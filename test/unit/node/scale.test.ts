// The benchmark's generated traces at a small size: the streaming file reader
// and the analysis find every planted race and nothing else, in both formats.

import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { generateTrace, type GeneratedTrace } from '../../../bench/generate';
import { checkPlanted } from '../../../bench/planted';
import { analyzeText } from '../../../extension/core/analyze';
import { analyzeFile, parseFile } from '../../../extension/core/node/readFile';
import { summary } from '../helpers';

describe('generated traces (bench/generate.ts)', () => {
  let dir: string;
  let gen: GeneratedTrace;
  const native = () => join(dir, 'gen.dmtrace');
  const chrome = () => join(dir, 'gen.json');

  before(() => {
    dir = tempDir('dm-race-lens-scale-');
    gen = generateTrace({ events: 20_000, seed: 42, plantEvery: 2_500, unloadEvery: 1 }, native(), { 'chrome-json': chrome() });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('plants one race of each rule per block, in error and warning shapes', () => {
    assert.equal(gen.planted.length % 6, 0);
    assert.ok(gen.planted.length >= 6 * 6, `${gen.planted.length} planted`);
    for (const rule of ['DMR1', 'DMR2', 'DMR3', 'DMR4', 'DMR5', 'DMR6']) assert.ok(gen.planted.some((p) => p.rule === rule), rule);
    assert.ok(gen.planted.some((p) => p.severity === 'warning'));
    assert.ok(statSync(native()).size > 1 << 20, 'the file spans more than one read chunk');
  });

  it('is deterministic by seed', () => {
    const again = generateTrace({ events: 20_000, seed: 42, plantEvery: 2_500, unloadEvery: 1 }, join(dir, 'again.dmtrace'));
    assert.deepEqual(readFileSync(join(dir, 'again.dmtrace')), readFileSync(native()));
    assert.deepEqual(again.planted, gen.planted);
    generateTrace({ events: 20_000, seed: 43, plantEvery: 2_500, unloadEvery: 1 }, join(dir, 'other.dmtrace'));
    assert.notDeepEqual(readFileSync(join(dir, 'other.dmtrace')), readFileSync(native()));
  });

  it('analyzeFile (streamed) finds every planted race and nothing else', async () => {
    const a = await analyzeFile(native());
    assert.equal(a.trace.length, 20_000);
    assert.deepEqual(a.diagnostics, []);
    const check = checkPlanted(gen, gen.headerLines.dmtrace, a.trace, a.findings);
    assert.deepEqual(check.missing, []);
    assert.deepEqual(check.unexpected, []);
    assert.equal(check.found, gen.planted.length);
  });

  it('streamed and whole-text analysis give the same findings', async () => {
    const streamed = await analyzeFile(native());
    const whole = analyzeText(readFileSync(native(), 'utf8'));
    assert.deepEqual(summary(streamed), summary(whole));
    assert.deepEqual(streamed.findings.map((f) => f.message), whole.findings.map((f) => f.message));
  });

  it('the Chrome JSON rendering of the same trace gives the same races', async function () {
    let a;
    try {
      a = await analyzeFile(chrome(), { format: 'chrome-json' });
    } catch (e) {
      if (String(e).includes('not supported yet')) this.skip();
      throw e;
    }
    const check = checkPlanted(gen, gen.headerLines['chrome-json'], a.trace, a.findings);
    assert.deepEqual(check.missing, []);
    assert.deepEqual(check.unexpected, []);
  });
});

describe('parseFile', () => {
  let dir: string;
  before(() => (dir = tempDir('dm-race-lens-read-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes a multi-byte character that straddles two read chunks', async () => {
    // The comment line ends so that "é" (2 bytes in UTF-8) starts at byte 2^20 - 1.
    const first = '1.000001 cpu0 a/1 md_access md=md0 field="caf';
    const pad = '#'.padEnd((1 << 20) - 1 - first.length - 1, 'x') + '\n';
    const text = pad + first + 'é"\n2.000000 cpu1 b/2 md_access md=md0 field=x\n';
    writeFileSync(join(dir, 'utf8.dmtrace'), text);
    const trace = await parseFile(join(dir, 'utf8.dmtrace'));
    assert.equal(trace.length, 2);
    assert.equal(trace.arg(0, 'field'), 'café');
    assert.equal(trace.line[1], 3);
    assert.deepEqual(trace.diagnostics, []);
  });

  it('reports progress up to the file size', async () => {
    writeFileSync(join(dir, 'p.dmtrace'), '1.000001 cpu0 a/1 md_alloc md=md0\n');
    const seen: number[] = [];
    await analyzeFile(join(dir, 'p.dmtrace'), {}, (p) => seen.push(p.bytes));
    assert.equal(seen.at(-1), statSync(join(dir, 'p.dmtrace')).size);
  });
});
