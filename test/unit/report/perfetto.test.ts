// `analyze --format perfetto`: what Perfetto's UI shows (threads, slices, flow
// arrows, finding markers) and what comes back when the file is read again.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, type Analysis } from '../../../extension/core/analyze';
import { toPerfetto, writePerfetto } from '../../../extension/core/report/perfetto';
import { repoPath } from '../helpers';

const SAMPLES = repoPath('sample-traces');
const outcome = (a: Analysis) => a.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`).sort();

describe('Perfetto export', () => {
  const a = analyzeText(readFileSync(join(SAMPLES, 'recorded/session.native.dmtrace'), 'utf8'));
  const out = toPerfetto(a);
  const of = (ph: string) => out.traceEvents.filter((e) => e.ph === ph);

  it('has a named thread per task and a slice per event carrying its line and arguments', () => {
    const names = of('M').filter((e) => e.name === 'thread_name').map((e) => `${String((e.args as { name: string }).name)}/${String(e.tid)}`);
    for (const t of a.trace.tasks) assert.ok(names.includes(t.name), `${t.name} in ${names.join(', ')}`);
    const slices = of('X');
    assert.equal(slices.length, a.trace.length);
    const find = slices.find((e) => e.name === 'idr_find');
    assert.deepEqual(find?.args, { cpu: 1, idr: '_minor_idr', minor: '0', ret: 'md0', line: 11 });
  });

  it('draws every happens-before edge other than program order as a flow', () => {
    let edges = 0;
    for (let i = 0; i < a.trace.length; i++) edges += a.hb.incoming(i).length;
    assert.ok(edges > 0);
    assert.equal(of('s').length, edges);
    assert.equal(of('f').length, edges);
    assert.ok(of('f').every((e) => e.bp === 'e'));
  });

  it('marks each finding with an instant on the findings track', () => {
    const marks = of('i');
    assert.deepEqual(marks.map((m) => `${String(m.name)} ${String((m.args as { line: number }).line)}`), a.findings.map((f) => `${f.rule} ${f.name} ${a.trace.line[f.primary]}`));
    assert.ok(marks.every((m) => m.tid === marks[0].tid) && !a.trace.tasks.some((t) => t.name.endsWith(`/${String(marks[0].tid)}`)));
  });

  it('writes the same trace as text in pieces, one event per line', () => {
    const pieces: string[] = [];
    writePerfetto(a, (text) => pieces.push(text));
    const text = pieces.join('');
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(out)));
    assert.equal(text.split('\n').length, out.traceEvents.length + 3);
    // a trace big enough to need several pieces
    const big = analyzeText(Array.from({ length: 3000 }, (_, k) => `${(1 + k / 1e6).toFixed(6)} cpu0 t/${1 + (k % 3)} spin_lock lock=L${k}`).join('\n'));
    const bigPieces: string[] = [];
    writePerfetto(big, (t) => bigPieces.push(t));
    assert.ok(bigPieces.length > 1 && bigPieces.every((p) => p.length < 70_000));
    assert.equal(JSON.parse(bigPieces.join('')).traceEvents.length, toPerfetto(big).traceEvents.length);
  });

  it('reads back, through the chrome-json parser, to the same findings and the same edges', () => {
    const files = [...readdirSync(SAMPLES).filter((f) => f.endsWith('.dmtrace')), ...readdirSync(join(SAMPLES, 'recorded')).map((f) => `recorded/${f}`)];
    assert.ok(files.length >= 10);
    for (const file of files) {
      const original = analyzeText(readFileSync(join(SAMPLES, file), 'utf8'), { fileName: file });
      const back = analyzeText(JSON.stringify(toPerfetto(original)));
      assert.equal(back.trace.format, 'chrome-json', file);
      assert.deepEqual(back.diagnostics, [], `${file}: the export reads back cleanly (no flow against time, no cycle)`);
      assert.equal(back.trace.length, original.trace.length, `${file}: finding markers are not read back as events`);
      assert.deepEqual(outcome(back), outcome(original), file);
      // each exported flow came back as a declared edge between the same two events
      const key = (x: Analysis, from: number, to: number) => `${x.trace.taskName(from)}:${x.trace.seq[from]}->${x.trace.taskName(to)}:${x.trace.seq[to]}`;
      const originalEdges = new Set<string>();
      for (let i = 0; i < original.trace.length; i++) for (const e of original.hb.incoming(i)) originalEdges.add(key(original, e.from, e.to));
      const declared = new Set(back.trace.declaredEdges.map((d) => `${d.fromTask}:${d.fromSeq}->${d.toTask}:${d.toSeq}`));
      assert.deepEqual(declared, originalEdges, file);
    }
  });
});
