// Source locations (`@file:line`) are kept only for the events that have one;
// every event must still answer `source()` as written, in the text and the byte parser.

import { strict as assert } from 'node:assert';
import { createParser, parseTrace } from '../../../extension/core/trace/parse';
import type { Trace } from '../../../extension/core/trace/model';

const TEXT = [
  '1.0 cpu0 a/1 dm_get md=md0 holders=1',
  '2.0 cpu1 b/2 idr_get_new idr=_minor_idr minor=0 ptr=md0 @dm.c:214',
  '3.0 cpu0 a/1 dm_put md=md0 holders=0',
  '4.0 cpu0 a/1 dm_get md=md0 holders=1 @dm-ioctl.c:7',
  '5.0 cpu1 b/2 dm_put md=md0 holders=0 @dm.c:3',
  '6.0 cpu1 b/2 dm_get md=md0 holders=1',
].join('\n');
const EXPECTED = [undefined, { file: 'dm.c', line: 214 }, undefined, { file: 'dm-ioctl.c', line: 7 }, { file: 'dm.c', line: 3 }, undefined];

function sources(t: Trace) {
  return Array.from({ length: t.length }, (_, e) => t.source(e));
}

describe('source locations', () => {
  it('are given for the events that have one and for no other', () => {
    assert.deepEqual(sources(parseTrace(TEXT)), EXPECTED);
  });

  it('are the same from the byte parser', () => {
    const parser = createParser('dmtrace');
    parser.feedBytes?.(new TextEncoder().encode(TEXT));
    assert.deepEqual(sources(parser.end()), EXPECTED);
  });

  it('cost nothing per event when no event has one', () => {
    const t = parseTrace(Array.from({ length: 1000 }, (_, i) => `${i}.0 cpu0 a/1 dm_get md=md0 holders=1`).join('\n'));
    assert.equal(t.srcEvent.length + t.srcFile.length + t.srcLine.length, 0);
    assert.equal(t.source(999), undefined);
  });

  it('of the first, the last and every event', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${i}.0 cpu0 a/1 dm_get md=md0 holders=1 @f${i}.c:${i + 1}`);
    const t = parseTrace(lines.join('\n'));
    assert.deepEqual(sources(t), lines.map((_, i) => ({ file: `f${i}.c`, line: i + 1 })));
  });

  it('are the same asked in any order (the editor scans in order, a hover asks for one)', () => {
    // every third event has a location
    const lines = Array.from({ length: 300 }, (_, i) => `${i}.0 cpu0 a/1 dm_get md=md0 holders=1${i % 3 === 1 ? ` @f.c:${i}` : ''}`);
    const t = parseTrace(lines.join('\n'));
    const expected = (e: number) => (e % 3 === 1 ? { file: 'f.c', line: e } : undefined);
    const order = [299, 0, 1, 2, 150, 149, 151, 152, 4, 298, 297, 296, 7, 7, 8, -1, 300];
    for (let k = 0; k < 1000; k++) order.push((k * 7919) % 300);
    for (const e of order) assert.deepEqual(t.source(e), expected(e), `event ${e}`);
    for (let e = 299; e >= 0; e--) assert.deepEqual(t.source(e), expected(e), `event ${e} (backwards)`);
  });
});
