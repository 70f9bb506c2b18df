// Happens-before handed from the editor's analysis worker to the host
// (extension/core/hb/transfer.ts) must answer every query as the relation the
// host would build itself: hovers and the graph read it as is.

import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DENSE_TASK_LIMIT, type ClockOptions } from '../../../extension/core/hb/clocks';
import { HappensBefore } from '../../../extension/core/hb/happensBefore';
import { deserializeHappensBefore, serializeHappensBefore } from '../../../extension/core/hb/transfer';
import { parseFile } from '../../../extension/core/node/readFile';
import { parseTrace } from '../../../extension/core/trace/parse';
import type { Trace } from '../../../extension/core/trace/model';
import { deserializeTrace, serializeTrace } from '../../../extension/core/trace/transfer';
import { repoPath, trace as traceText } from '../helpers';

const SAMPLES = repoPath('sample-traces');

/** Both relations give the same answer to every query (all pairs of events on small traces, a spread of them on big ones). */
function assertSameRelation(copy: HappensBefore, fresh: HappensBefore): void {
  const n = fresh.trace.length;
  const tasks = fresh.trace.tasks.length;
  assert.equal(copy.trace.length, n);
  assert.deepEqual(copy.diagnostics, fresh.diagnostics);
  assert.equal(copy.edgeCount, fresh.edgeCount);
  for (let k = 0; k < fresh.edgeCount; k++) assert.deepEqual(copy.edge(k), fresh.edge(k));
  assert.deepEqual([...copy.position], [...fresh.position]);
  assert.equal(copy.clockBytes, fresh.clockBytes);
  const stride = Math.max(1, Math.floor(n / 300));
  for (let a = 0; a < n; a += stride) {
    assert.deepEqual(copy.incoming(a), fresh.incoming(a));
    for (let b = 0; b < n; b += stride) assert.equal(copy.happensBefore(a, b), fresh.happensBefore(a, b), `${a} -> ${b}`);
    for (let t = 0; t < tasks; t++) {
      assert.equal(copy.component(a, t), fresh.component(a, t));
      assert.equal(copy.lastBefore(a, t), fresh.lastBefore(a, t));
      assert.equal(copy.firstAfter(a, t), fresh.firstAfter(a, t));
      assert.deepEqual(copy.concurrentRange(a, t), fresh.concurrentRange(a, t));
    }
  }
  for (let t = 0; t < tasks; t++) assert.deepEqual([...copy.taskEvents[t]], [...fresh.taskEvents[t]]);
}

/** What the worker and the host do: build, post (a structured clone moving the buffers), rebuild on the other side. */
function handOff(trace: Trace, options: ClockOptions = {}): { copy: HappensBefore; fresh: HappensBefore } {
  const sent = new HappensBefore(trace, options);
  const t = serializeTrace(trace);
  const hb = serializeHappensBefore(sent);
  const message = structuredClone({ trace: t.data, hb: hb.data }, { transfer: [...t.transfer, ...hb.transfer] });
  assert.ok(hb.transfer.every((b) => b.byteLength === 0), 'the arrays were moved, not copied');
  const received = deserializeTrace(message.trace);
  return { copy: deserializeHappensBefore(received, message.hb), fresh: new HappensBefore(received, options) };
}

describe('happens-before transfer between threads', () => {
  const files = [
    ...readdirSync(SAMPLES).filter((f) => f.endsWith('.dmtrace')).map((f) => join(SAMPLES, f)),
    ...readdirSync(join(SAMPLES, 'recorded')).map((f) => join(SAMPLES, 'recorded', f)),
  ];

  it('covers the samples', () => assert.ok(files.length > 30, `${files.length} samples`));

  for (const file of files) {
    const name = file.slice(SAMPLES.length + 1);
    it(`answers as a freshly built one on ${name}, as flat rows and as tries`, async () => {
      const trace = await parseFile(file);
      const flat = handOff(trace);
      assertSameRelation(flat.copy, flat.fresh);
      const tries = handOff(await parseFile(file), { denseTaskLimit: 0 });
      assertSameRelation(tries.copy, tries.fresh);
    });
  }

  it('answers as a freshly built one with more tasks than flat rows hold (tries of three levels), and as rows that wide', () => {
    // 300 tasks pass a lock round three times, and each also signals a later task with a declared edge.
    const tasks = 300;
    const lines: string[] = [];
    for (let round = 0; round < 3; round++) for (let k = 0; k < tasks; k++) lines.push(`w/${k} spin_lock lock=L`, `w/${k} spin_unlock lock=L`);
    for (let k = 0; k + 7 < tasks; k += 5) lines.push(`!hb w/${k}:1 -> w/${k + 7}:6`);
    const trace = parseTrace(traceText(...lines));
    assert.ok(trace.tasks.length > DENSE_TASK_LIMIT);
    const { copy, fresh } = handOff(trace);
    assert.ok(fresh.edgeCount > tasks);
    assertSameRelation(copy, fresh);
    const rows = handOff(trace, { denseTaskLimit: tasks });
    assert.ok(rows.fresh.clockBytes > fresh.clockBytes, 'rows of 300 tasks take more room than tries');
    assertSameRelation(rows.copy, rows.fresh);
  });

  it('keeps a topological order other than file order (a declared edge pointing backwards)', () => {
    const trace = parseTrace(traceText('b/2 x', 'a/1 x', 'a/1 y', '!hb a/1:2 -> b/2:1'));
    const { copy, fresh } = handOff(trace);
    assert.notEqual(fresh.positionOf(0), 0, 'the order is not file order');
    assert.ok(copy.happensBefore(2, 0));
    assertSameRelation(copy, fresh);
  });
});
