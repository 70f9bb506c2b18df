// The streamed JSON writer: whatever pieces it cuts a report into, their text
// is exactly JSON.stringify(value, null, 2), the text the reports promise.

import { strict as assert } from 'node:assert';
import { LazyArray, chunked, jsonPieces } from '../../../extension/core/report/jsonText';

const finding = (k: number) => ({ rule: `DMR${1 + (k % 6)}`, line: k, related: [k, k + 1], message: `line ${k}: "quoted"\tand tabbed`, nested: { deep: [k, { k }] } });
const written = (value: unknown, indent = '') => [...jsonPieces(value, indent)].join('');
/** What the text must be: JSON.stringify, with every line after the first indented by `indent`. */
const expected = (value: unknown, indent = '') => JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);

describe('jsonPieces', () => {
  it('writes arrays of any length as JSON.stringify does, at any indent', () => {
    for (const n of [0, 1, 2, 255, 256, 257, 600]) {
      const report = { version: 1, findings: Array.from({ length: n }, (_, k) => finding(k)), tasks: Array.from({ length: n }, (_, k) => `task/${k}`) };
      for (const indent of ['', '  ', '    ']) assert.equal(written(report, indent), expected(report, indent), `${n} elements, indent ${JSON.stringify(indent)}`);
    }
  });

  it('writes undefined and function elements as null, as JSON.stringify does', () => {
    const value = { list: [1, undefined, () => 2, null, 'x'] };
    assert.equal(written(value), expected(value));
  });

  it('writes lazy arrays, also inside elements among plain ones, as the arrays they produce', () => {
    const items = Array.from({ length: 300 }, (_, k) => finding(k));
    const runs = [...items.slice(0, 260).map((f) => f as object), { results: new LazyArray(() => items.slice(0, 3)) }, ...items.slice(260)];
    const lazy = { runs: new LazyArray(() => runs), tail: new LazyArray(() => []) };
    const plain = { runs: [...items.slice(0, 260), { results: items.slice(0, 3) }, ...items.slice(260)], tail: [] };
    for (const indent of ['', '  ']) assert.equal(written(lazy, indent), expected(plain, indent));
  });

  it('cuts a long array into pieces of a few thousand characters', () => {
    const pieces = [...jsonPieces({ events: new LazyArray(() => Array.from({ length: 10000 }, (_, k) => finding(k))) })];
    const longest = Math.max(...pieces.map((p) => p.length));
    assert.ok(pieces.length > 100 && longest < 8192, `${pieces.length} pieces, longest ${longest}`);
    assert.equal([...chunked(pieces, 1 << 12)].join(''), expected({ events: Array.from({ length: 10000 }, (_, k) => finding(k)) }));
  });
});
