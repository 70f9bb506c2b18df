// Property tests: whatever a recorder (or a truncated copy-paste) hands us,
// every recorded-format parser returns, quickly, with diagnostics that point
// at a real line and column, and reads the same trace whatever the chunking.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeText } from '../../../../extension/core/analyze';
import type { Trace, TraceFormat } from '../../../../extension/core/trace/model';
import { createParser } from '../../../../extension/core/trace/parse';
import { fuzzRuns, repoPath } from '../../helpers';

const DIR = repoPath('sample-traces', 'recorded');
const SAMPLES: Record<Exclude<TraceFormat, 'dmtrace'>, string> = {
  ftrace: 'session.ftrace.txt',
  'trace-cmd': 'session.trace-cmd.txt',
  'perf-script': 'session.perf-script.txt',
  bpftrace: 'session.bpftrace.txt',
  'chrome-json': 'session.chrome.json',
};
const FORMATS = Object.keys(SAMPLES) as (keyof typeof SAMPLES)[];
/** A generous guard: a 10 KB input takes a few milliseconds; a hang or a quadratic blow-up would not pass. */
const GUARD_MS = 1000;

function parseChunks(format: TraceFormat, chunks: string[]): Trace {
  const p = createParser(format);
  for (const c of chunks) p.feed(c);
  return p.end();
}

function checkDiagnostics(text: string, trace: Trace, diagnostics = trace.diagnostics): void {
  const lines = text.split('\n').length;
  for (const d of diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1, `line ${d.line} of ${lines}: ${d.message}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}: ${d.message}`);
    assert.ok(d.message.length > 0);
  }
  for (let i = 0; i < trace.length; i++) assert.ok(trace.line[i] >= 1 && trace.line[i] <= lines, `event line ${trace.line[i]}`);
}

/** Text edits a recording suffers: lost bytes, stray bytes, duplicated or truncated lines. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom(...'{}[]":,\\ \n\t-=/()<>#!0123456789abcdefx.@:'.split('')), maxLength: 12 }) }),
  fc.record({ kind: fc.constant('insertAny' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % text.length;
  switch (e.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.length);
    case 'insert':
    case 'insertAny':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicateLine': {
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      const line = text.slice(start, end < 0 ? text.length : end + 1);
      return text.slice(0, start) + line + text.slice(start);
    }
  }
}

describe('recorded formats under fuzzing', () => {
  for (const format of FORMATS) {
    const sample = readFileSync(join(DIR, SAMPLES[format]), 'utf8').slice(0, 10_000);

    describe(format, () => {
      it('mutated recordings never throw, return quickly, and place every diagnostic', () => {
        fc.assert(
          fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
            const text = edits.reduce(apply, sample);
            const started = performance.now();
            const a = analyzeText(text, { format });
            assert.ok(performance.now() - started < GUARD_MS);
            checkDiagnostics(text, a.trace, a.diagnostics);
          }),
          { numRuns: fuzzRuns(150) },
        );
      });

      it('stays linear on one pathological megabyte-long line', () => {
        for (const unit of [') [0] ', '-1 [2] ', 'a=', '"', '[', '{"a":', '1 ', '(x<-y ', '\\"']) {
          const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
          const started = performance.now();
          const t = parseChunks(format, [text]);
          assert.ok(performance.now() - started < 4 * GUARD_MS, `${JSON.stringify(unit)} took ${Math.round(performance.now() - started)} ms`);
          checkDiagnostics(text, t);
        }
      });

      it('random text never throws and places every diagnostic', () => {
        const line = fc.array(fc.oneof(fc.constantFrom('dmsetup-4211', '[002]', '....', '8123.456790:', 'p_dm_get_0:', '(dm_get+0x0/0x30', '[dm_mod])', 'md=0x1', 'holders=0', 'CPU:1', '[LOST', '3', 'EVENTS]', '<-dm_get_md', '4211', 'probe:dm_get:', '# !alias', '0x1=md0', '{', '}', '"ph":"X"', ','), fc.string({ maxLength: 6 })), { maxLength: 14 });
        fc.assert(
          fc.property(fc.array(line.map((t) => t.join(' ')), { maxLength: 40 }), (lines) => {
            const text = lines.join('\n');
            const started = performance.now();
            const t = parseChunks(format, [text]);
            assert.ok(performance.now() - started < GUARD_MS);
            checkDiagnostics(text, t);
          }),
          { numRuns: fuzzRuns(200) },
        );
      });

      it('reads the same events and diagnostics whatever the chunking, damaged or not', () => {
        const shape = (t: Trace) => ({
          events: [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} ${t.describe(i)}`),
          diagnostics: t.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
        });
        fc.assert(
          fc.property(fc.array(edit, { maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 60 }), (edits, sizes) => {
            const text = edits.reduce(apply, sample);
            const chunks: string[] = [];
            let at = 0;
            for (let k = 0; at < text.length; k++) {
              const size = sizes[k % sizes.length];
              chunks.push(text.slice(at, at + size));
              at += size;
            }
            assert.deepEqual(shape(parseChunks(format, chunks)), shape(parseChunks(format, [text])));
          }),
          { numRuns: fuzzRuns(100) },
        );
      });
    });
  }
});
