// Growable: the arrays the trace builder and happens-before grow while they
// read, which must end as exact, plain typed arrays with every value kept.

import { strict as assert } from 'node:assert';
import { Growable, NarrowGrowable, RESERVE_FIRST } from '../../../extension/core/trace/growable';

describe('Growable', () => {
  it('keeps every value across many growths and ends exact-size', () => {
    const g = new Growable(Int32Array);
    for (let i = 0; i < 300_000; i++) g.push(i * 7 - 5);
    const out = g.finish();
    assert.equal(out.length, 300_000);
    assert.equal(out[0], -5);
    assert.equal(out[299_999], 299_999 * 7 - 5);
    assert.ok(out.every((v, i) => v === i * 7 - 5));
  });

  it('ends as a plain array (not a view of a resizable buffer), for the hot loops and for transfer', () => {
    const g = new Growable(Float64Array);
    for (let i = 0; i < 10_000; i++) g.push(i / 3);
    const out = g.finish();
    assert.equal((out.buffer as ArrayBuffer & { resizable?: boolean }).resizable ?? false, false);
    assert.equal(out.byteLength, 10_000 * 8);
    assert.equal(out[9_999], 9_999 / 3);
  });

  it('reserve makes room without losing what was written through data', () => {
    const g = new Growable(Int32Array);
    g.reserve(50_000);
    for (let i = 0; i < 50_000; i++) g.data[i] = i;
    g.length = 50_000;
    g.reserve(200_000);
    assert.equal(g.data[49_999], 49_999);
    assert.ok(g.data.length >= 200_000);
    assert.deepEqual(Array.from(g.finish().subarray(49_990)), [49_990, 49_991, 49_992, 49_993, 49_994, 49_995, 49_996, 49_997, 49_998, 49_999]);
  });

  it('keeps every value when it outgrows its first reservation (moved a step at a time)', () => {
    const g = new Growable(Int32Array);
    const n = RESERVE_FIRST / 4 + 300_001; // past the first reservation, not a whole step
    for (let i = 0; i < n; i++) g.push(i ^ 0x5a5a);
    const out = g.finish();
    assert.equal(out.length, n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (out[i] !== (i ^ 0x5a5a)) wrong++;
    assert.equal(wrong, 0);
  });

  it('keeps values written past length when a reserve replaces the reservation', () => {
    const g = new Growable(Float64Array);
    const n = RESERVE_FIRST / 8;
    g.reserve(n);
    for (let i = 0; i < n; i++) g.data[i] = i + 0.5;
    g.length = 10;
    g.reserve(n + 1);
    assert.equal(g.data[n - 1], n - 0.5);
    assert.equal(g.data[12_345], 12_345.5);
    g.length = n;
    const out = g.finish();
    assert.equal(out[0], 0.5);
    assert.equal(out[n - 1], n - 0.5);
  });

  it('expect: keeps the values (also those written past length), grows past the expectation, and ends exact', () => {
    for (const [expected, n] of [[100_000, 90_000], [100_000, 250_000], [100_000, 30_000]]) {
      const g = new Growable(Int32Array);
      for (let i = 0; i < 1000; i++) g.push(i);
      g.data[1000] = 1000; // written past length, as the trace builder writes its event columns
      g.expect(expected);
      assert.ok(g.data.length >= expected);
      assert.equal(g.data[1000], 1000);
      g.length = 1001;
      for (let i = 1001; i < n; i++) g.push(i);
      const out = g.finish();
      assert.equal(out.length, n);
      assert.ok(out.every((v, i) => v === i), `${expected} expected, ${n} pushed`);
      assert.equal((out.buffer as ArrayBuffer & { resizable?: boolean }).resizable ?? false, false);
      // a view of the plain array when at least half of it is used, else a copy of its own
      assert.equal(out.buffer.byteLength === out.byteLength, 2 * n < expected);
      assert.equal(g.length, 0);
    }
  });

  it('is empty after finish, and an empty growable finishes to an empty array', () => {
    const g = new Growable(Int32Array);
    g.push(1);
    g.finish();
    assert.equal(g.length, 0);
    assert.equal(new Growable(Int32Array).finish().length, 0);
  });
});

describe('NarrowGrowable', () => {
  it('stays bytes while values are small, and widens keeping every value (also those past length)', () => {
    const g = new NarrowGrowable();
    for (let i = 0; i < 10_000; i++) g.push(i % 256);
    assert.equal(g.store.data.constructor, Uint8Array);
    g.store.data[10_001] = 7; // written past length, as the trace builder writes its event columns
    g.push(300);
    assert.equal(g.store.data.constructor, Uint16Array);
    assert.equal(g.store.data[10_001], 7);
    g.push(-1);
    assert.equal(g.store.data.constructor, Int32Array);
    g.push(70_000);
    const out = g.store.finish();
    assert.ok(out instanceof Int32Array);
    assert.deepEqual(Array.from(out.subarray(9_998)), [9_998 % 256, 9_999 % 256, 300, -1, 70_000]);
    assert.ok(Array.from(out.subarray(0, 10_000)).every((v, i) => v === i % 256));
  });

  it('goes straight to 32 bits for a value past 16 bits', () => {
    const g = new NarrowGrowable();
    g.push(1);
    g.push(100_000);
    assert.deepEqual(Array.from(g.store.finish()), [1, 100_000]);
  });
});
