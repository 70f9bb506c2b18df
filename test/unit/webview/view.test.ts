// The webview's viewport maths: zoom keeps the point under the pointer, fit
// shows the whole range, ticks are round numbers, and far-off geometry is
// clipped before it reaches the canvas.

import * as assert from 'node:assert/strict';
import { overlapDepths } from '../../../webview/drawRaces';
import { clipSegment } from '../../../webview/layout';
import { clampView, fitRange, formatTime, panBy, plotWidth, tickStep, toAxisX, toScreenX, zoomAt, type Frame } from '../../../webview/view';

const frame: Frame = { width: 1200, height: 700, gutter: 200, ruler: 26, minimap: 46 };

describe('graph viewport', () => {
  it('fits a range inside the plot, with room on both sides', () => {
    const v = fitRange(frame, 100, 600, 0, 0.05);
    const left = toScreenX(v, frame, 100);
    const right = toScreenX(v, frame, 600);
    assert.ok(left > frame.gutter && left < frame.gutter + 80, `left end at ${left}`);
    assert.ok(right < frame.width - 60 && right > frame.width - 200, `right end at ${right}`);
  });

  it('zooms around the pointer: the axis value under it stays put', () => {
    const v = fitRange(frame, 0, 1000, 0);
    const px = 700;
    const before = toAxisX(v, frame, px);
    const zoomed = zoomAt(v, frame, px, 0.25, 1e-6, 1e6);
    assert.ok(Math.abs(toAxisX(zoomed, frame, px) - before) < 1e-9);
    assert.ok(Math.abs(zoomed.upp - v.upp * 0.25) < 1e-12);
    // Bounded by the limits.
    assert.equal(zoomAt(v, frame, px, 1e-9, 0.5, 1e6).upp, 0.5);
  });

  it('pans by pixels and keeps the view near the content', () => {
    const v = fitRange(frame, 0, 1000, 0);
    const moved = panBy(v, 100, -30);
    assert.ok(Math.abs(toScreenX(moved, frame, 500) - toScreenX(v, frame, 500) - 100) < 1e-9);
    assert.equal(moved.scrollY, 30);
    const far = clampView({ ...v, x0: 1e9, scrollY: 1e6 }, frame, [0, 1000], 900);
    assert.ok(far.x0 < 1000, 'not scrolled past the end of the axis');
    assert.equal(far.scrollY, 900 - (frame.height - frame.ruler - frame.minimap) + 8);
    assert.equal(clampView({ ...v, scrollY: -5 }, frame, [0, 1000], 100).scrollY, 0);
    assert.equal(plotWidth(frame), 1000);
  });

  it('picks round tick steps and formats times with a unit fitting the step', () => {
    assert.equal(tickStep(1, 110, true), 200);
    assert.equal(tickStep(0.01, 110, true), 2);
    assert.equal(tickStep(1000, 110, false), 200000);
    assert.equal(formatTime(150000, 5000), '150 µs');
    assert.equal(formatTime(1500000, 500000), '1500 µs');
    assert.equal(formatTime(3e6, 1e6), '3 ms');
    assert.equal(formatTime(2.5e6, 5e6 / 10), '2500 µs');
    assert.equal(formatTime(2e9, 1e9), '2 s');
    assert.equal(formatTime(120, 20), '120 ns');
  });

  it('clips a segment to a box, and drops one that misses it', () => {
    assert.deepEqual(clipSegment(-100, 50, 300, 50, 0, 0, 200, 100), [0, 50, 200, 50]);
    assert.deepEqual(clipSegment(50, 50, 60, 60, 0, 0, 200, 100), [50, 50, 60, 60]);
    assert.equal(clipSegment(-100, -10, 300, -10, 0, 0, 200, 100), undefined);
    const c = clipSegment(-1e7, 0, 1e7, 100, 0, 0, 200, 100);
    assert.ok(c && c[0] === 0 && c[2] === 200, 'a line a million pixels long is cut to the box');
  });

  it('shades overlapping race windows by how many overlap, each part once', () => {
    const pieces: [number, number, number][] = [];
    // Windows 0-10, 5-20 and 8-9 in one lane; a gap; 30-40.
    overlapDepths([0, 10, 5, 20, 8, 9, 30, 40], (from, to, depth) => pieces.push([from, to, depth]));
    assert.deepEqual(pieces, [[0, 5, 1], [5, 8, 2], [8, 9, 3], [9, 10, 2], [10, 20, 1], [30, 40, 1]]);
  });
});
