// Level of detail: the buckets keep every event counted at every level, and
// the buckets in view at any zoom are bounded by the pixels, not the events.

import * as assert from 'node:assert/strict';
import { buildAxisLod, nearestEvent, pickLevel, visibleBuckets, visibleEvents } from '../../../webview/lod';

/** A deterministic pseudo-random trace: `n` events over `lanes` lanes with clustered x. */
function synthetic(n: number, lanes: number, seed = 7) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const lane = new Int32Array(n);
  const x = new Float64Array(n);
  const cls = new Uint8Array(n);
  const marked = new Uint8Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += rand() < 0.01 ? rand() * 1e6 : rand() * 10; // bursts and gaps
    lane[i] = Math.floor(rand() * lanes);
    x[i] = t;
    cls[i] = Math.floor(rand() * 7);
  }
  marked[Math.floor(n / 2)] = 1;
  return { lane, x, cls, marked };
}

describe('graph level of detail', () => {
  const n = 100_000;
  const data = synthetic(n, 8);
  const lod = buildAxisLod(data.lane, 8, data.x, data.cls, data.marked);

  it('counts every event of a lane at every level, down to one bucket', () => {
    for (const lane of lod.lanes) {
      for (const level of lane.levels) assert.equal(level.count.reduce((a, b) => a + b, 0), lane.order.length);
      assert.equal(lane.levels[lane.levels.length - 1].index.length, 1);
      for (let k = 1; k < lane.levels.length; k++) {
        assert.equal(lane.levels[k].width, lane.levels[k - 1].width * 2);
        assert.ok(lane.levels[k].index.length <= lane.levels[k - 1].index.length);
      }
    }
    assert.equal(lod.lanes.reduce((a, l) => a + l.order.length, 0), n);
  });

  it('keeps the union of classes and the race mark in coarse buckets', () => {
    const marked = data.marked.indexOf(1);
    const lane = lod.lanes[data.lane[marked]];
    const top = lane.levels[lane.levels.length - 1];
    assert.equal(top.marked[0], 1);
    assert.equal(top.classes[0], 0b1111111);
    assert.ok(lod.lanes.filter((l) => l !== lane).every((l) => l.levels[l.levels.length - 1].marked[0] === 0));
  });

  it('puts every event in the bucket that covers its x', () => {
    const lane = lod.lanes[3];
    const level = lane.levels[4];
    for (let k = 0; k < lane.order.length; k += 97) {
      const b = Math.floor((lane.xs[k] - lod.origin) / level.width);
      const pos = Array.prototype.indexOf.call(level.index, b);
      assert.ok(pos >= 0, `bucket ${b} exists`);
    }
  });

  it('draws O(pixels) buckets per lane at every zoom', () => {
    const span = data.x[n - 1] - data.x[0];
    for (const pixels of [200, 1000, 4000]) {
      for (let zoom = 1; zoom <= 2 ** 20; zoom *= 4) {
        const width = span / zoom;
        const x0 = data.x[0] + span / 3;
        const upp = width / pixels;
        for (const lane of lod.lanes) {
          const level = pickLevel(lane, upp);
          const [a, b] =
            level < 0 ? visibleEvents(lane, x0, x0 + width) : visibleBuckets(lane.levels[level], lod.origin, x0, x0 + width);
          if (level >= 0) assert.ok(b - a <= pixels + 2, `${b - a} buckets for ${pixels} px at zoom ${zoom}`);
          // Raw events are drawn only when even the finest bucket is wider than a pixel.
          else assert.ok(lane.levels[0].width > upp);
        }
      }
    }
  });

  it('finds the visible raw events and the event nearest to a click', () => {
    const lane = lod.lanes[0];
    const [a, b] = visibleEvents(lane, lane.xs[10], lane.xs[20]);
    assert.equal(a, 10);
    assert.equal(b, 21);
    assert.equal(nearestEvent(lane, lane.xs[15] + 1e-9), lane.order[15]);
    assert.equal(nearestEvent(lane, -1e12), lane.order[0]);
    assert.equal(nearestEvent(lane, 1e18), lane.order[lane.order.length - 1]);
  });

  it('sorts a lane whose timestamps go backwards', () => {
    const lod2 = buildAxisLod(Int32Array.of(0, 0, 0), 1, [5, 1, 3], Uint8Array.of(0, 1, 2), new Uint8Array(3));
    assert.deepEqual(Array.from(lod2.lanes[0].order), [1, 2, 0]);
    assert.deepEqual(Array.from(lod2.lanes[0].xs), [1, 3, 5]);
  });

  it('handles an empty lane and a single-point axis', () => {
    const lod3 = buildAxisLod(Int32Array.of(1, 1), 2, [4, 4], Uint8Array.of(0, 0), new Uint8Array(2));
    assert.equal(lod3.lanes[0].order.length, 0);
    assert.equal(nearestEvent(lod3.lanes[0], 4), -1);
    assert.equal(lod3.lanes[1].levels[0].count[0], 2);
  });
});
