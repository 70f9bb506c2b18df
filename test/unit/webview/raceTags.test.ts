// A race's tag ("DMR2 error") must not cover the event labels around it: on
// the real R2 recording the tag hid the label of the very `dm_get` it was
// about. Every race of a few traces is fitted as "Fit to race" does, drawn
// through the SVG painter, and each drawn label is checked against the tags.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeText } from '../../../extension/core/analyze';
import { buildGraph } from '../../../extension/core/graph/build';
import { raceView } from '../../../webview/navigate';
import { draw } from '../../../webview/render';
import { noFilters, Scene } from '../../../webview/scene';
import { SvgPainter } from '../../../webview/svgPainter';
import type { Frame } from '../../../webview/view';
import { plotHeight } from '../../../webview/view';
import { repoPath } from '../helpers';
import { distinctPalette } from './distinctPalette';

const palette = distinctPalette;
/** A stand-in for the canvas's text metrics: 7 pixels a character (bold or not). */
const measure = (s: string) => s.length * 7;
const frame: Frame = { width: 1300, height: 700, gutter: 180, ruler: 24, minimap: 0 };

interface Box { x: number; y: number; w: number; h: number; text: string }

const attr = (tag: string, name: string): number => Number(new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1]);
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The tags' rectangles and every other text's box (11 pixels high, centred on its y) in one SVG frame. */
function boxes(svg: string): { tags: Box[]; labels: Box[] } {
  const tags: Box[] = [];
  const labels: Box[] = [];
  for (const m of svg.matchAll(/<rect [^>]*fill="(#ee0000|#eeee00)" fill-opacity="0\.95"\/>/g)) {
    tags.push({ x: attr(m[0], 'x'), y: attr(m[0], 'y'), w: attr(m[0], 'width'), h: attr(m[0], 'height'), text: '' });
  }
  for (const m of svg.matchAll(/<text [^>]*fill="#000002"[^>]*text-anchor="start"[^>]*>([^<]*)<\/text>/g)) {
    labels.push({ x: attr(m[0], 'x'), y: attr(m[0], 'y') - 5.5, w: measure(m[1]), h: 11, text: m[1] });
  }
  return { tags, labels };
}

function drawEachRace(file: string): { races: number; tagsDrawn: number; labelsDrawn: number; covered: string[] } {
  const path = repoPath(file);
  const scene = new Scene(buildGraph(analyzeText(readFileSync(path, 'utf8'), { fileName: path })));
  const filters = noFilters();
  const rows = scene.rows(filters, plotHeight(frame));
  const races = scene.graph.races;
  let tagsDrawn = 0;
  let labelsDrawn = 0;
  const covered: string[] = [];
  for (const race of races) {
    const view = raceView(scene, 'hb', rows, frame, { x0: 0, upp: 1, scrollY: 0 }, race);
    const painter = new SvgPainter(frame.width, frame.height, measure);
    draw(painter, { scene, axis: 'hb', view, frame, filters, rows, races, palette, selectedEvent: -1, selectedRace: race, hoverEvent: -1 });
    const { tags, labels } = boxes(painter.finish());
    tagsDrawn += tags.length;
    labelsDrawn += labels.length;
    for (const t of tags) for (const l of labels) if (overlap(t, l)) covered.push(`${race.rule} at event ${race.primary}: "${l.text}"`);
  }
  return { races: races.length, tagsDrawn, labelsDrawn, covered };
}

describe('race tags in the graph', () => {
  for (const file of [
    'sample-traces/real/linux-6.1/races/r2-stale-lookup-get.lookup.ftrace.txt',
    'sample-traces/real/linux-6.1/races/r1-publish-before-init.lookup.oops.ftrace.txt',
    'sample-traces/dmr2-stale-lookup-get.race.dmtrace',
    'sample-traces/dmr6-register-before-init.predictive.dmtrace',
    'sample-traces/multi-device.dmtrace',
  ]) {
    it(`cover no event label, fitted to each race of ${file.split('/').pop()}`, () => {
      const r = drawEachRace(file);
      assert.ok(r.races > 0 && r.tagsDrawn >= r.races && r.labelsDrawn > r.races, `a frame per race with its tag and labels: ${JSON.stringify(r)}`);
      assert.deepEqual(r.covered, []);
    });
  }
});
