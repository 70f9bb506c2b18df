// What a parsed trace costs per event: the columns are most of an analysis's memory
// (issue 13: peak RSS at most twice the file), so a widened column shows here first.

import { strict as assert } from 'node:assert';
import type { Columns, Trace } from '../../../extension/core/trace/model';
import { parseTrace } from '../../../extension/core/trace/parse';

const COLUMNS: (keyof Columns)[] = ['time', 'cpu', 'task', 'name', 'line', 'seq', 'argStart', 'argKey', 'argValue', 'argKeys', 'srcEvent', 'srcFile', 'srcLine'];

function bytesPerEvent(t: Trace): number {
  return COLUMNS.reduce((sum, c) => sum + t[c].byteLength, 0) / t.length;
}

describe('trace column bytes', () => {
  const n = 20_000;
  const line = (i: number, source = '') => `${i}.0 cpu${i % 8} t/${i % 33} dm_get md=md${i % 50} holders=${i % 7}${source}`;

  it('are 36 an event with two arguments, few cpus and tasks, no source locations', () => {
    // time 8, name, line, seq and argStart 4 each, cpu and task 1 each, an argument 1 + 4
    const t = parseTrace(Array.from({ length: n }, (_, i) => line(i)).join('\n'));
    assert.equal(t.length, n);
    assert.ok(bytesPerEvent(t) <= 36.01, `${bytesPerEvent(t)} bytes an event`);
  });

  it('add 12 only for the events with a source location', () => {
    const t = parseTrace(Array.from({ length: n }, (_, i) => line(i, i % 10 === 0 ? ' @dm.c:7' : '')).join('\n'));
    assert.ok(bytesPerEvent(t) <= 36 + 1.21, `${bytesPerEvent(t)} bytes an event`);
  });
});
