// Every race's event is ringed in its severity's colour. Zoomed out, many
// races share a pixel and the ring there is stroked once (each ring costs the
// canvas), and rings the plot cannot show are not stroked: every race whose
// event is on the plot must still have its ring, centred within a pixel.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeText } from '../../../extension/core/analyze';
import { buildGraph } from '../../../extension/core/graph/build';
import { laneCenter } from '../../../webview/layout';
import { raceView } from '../../../webview/navigate';
import { draw } from '../../../webview/render';
import { noFilters, Scene } from '../../../webview/scene';
import { SvgPainter } from '../../../webview/svgPainter';
import { fitRange, plotHeight, toScreenX, type Frame, type Viewport } from '../../../webview/view';
import { repoPath } from '../helpers';
import { distinctPalette } from './distinctPalette';

const palette = distinctPalette;
const frame: Frame = { width: 1300, height: 1400, gutter: 180, ruler: 24, minimap: 46 };
const plotBottom = frame.height - frame.minimap;

interface Ring { x: number; y: number; color: string }

/** The centres of the rings stroked around primary events (2.5 pixels wide, radius 8.5) in one SVG frame. */
function rings(svg: string): Ring[] {
  const out: Ring[] = [];
  for (const path of svg.matchAll(/<path d="([^"]*)" fill="none" stroke="(#ee0000|#eeee00)" stroke-width="2.5"\/>/g)) {
    for (const c of path[1].matchAll(/M(-?[\d.]+) (-?[\d.]+)a8\.5 8\.5/g)) out.push({ x: Number(c[1]) + 8.5, y: Number(c[2]), color: path[2] });
  }
  return out;
}

describe('race rings in the graph', () => {
  const file = 'sample-traces/real/linux-6.1/races/r2-stale-lookup-get.lookup.ftrace.txt';
  const path = repoPath(file);
  const scene = new Scene(buildGraph(analyzeText(readFileSync(path, 'utf8'), { fileName: path })));
  const filters = noFilters();
  const rows = scene.rows(filters, plotHeight(frame));
  const races = scene.graph.races;
  const [lo, hi] = scene.extent('hb');
  const views: [string, Viewport][] = [
    ['the whole trace', fitRange(frame, lo, hi, 0)],
    ['the whole trace, zoomed out further', fitRange(frame, lo - (hi - lo) * 2, hi + (hi - lo) * 2, 0)],
    ['the whole trace, the lanes scrolled half out of view', fitRange(frame, lo, hi, 600)],
    ...races.slice(0, 8).map((race, k): [string, Viewport] => [`race ${k + 1}`, raceView(scene, 'hb', rows, frame, { x0: 0, upp: 1, scrollY: 0 }, race)]),
  ];
  for (const [name, view] of views) {
    it(`ring every race whose event is on the plot, and none off it: ${name}`, () => {
      const painter = new SvgPainter(frame.width, frame.height, (s) => s.length * 7);
      const state = { scene, axis: 'hb' as const, view, frame, filters, rows, races, palette, selectedEvent: -1, selectedRace: undefined, hoverEvent: -1 };
      draw(painter, state);
      const drawn = rings(painter.finish());
      let onPlot = 0;
      for (const race of races) {
        const x = toScreenX(view, frame, scene.graph.events.rank[race.primary]);
        const y = laneCenter(state, scene.graph.events.lane[race.primary]);
        if (y === undefined || x < frame.gutter || x > frame.width || y < frame.ruler || y > plotBottom) continue;
        onPlot++;
        const color = race.severity === 'error' ? palette.error : palette.warning;
        assert.ok(
          drawn.some((r) => r.color === color && Math.abs(r.x - x) < 1 && Math.abs(r.y - y) < 0.01),
          `${race.rule} ${race.severity} at event ${race.primary} (${x.toFixed(1)}, ${y}) has no ring`,
        );
      }
      assert.ok(onPlot > 0, 'some race is on the plot');
      for (const r of drawn) {
        assert.ok(r.x > frame.gutter - 10 && r.x < frame.width + 10 && r.y > frame.ruler - 10 && r.y < plotBottom + 10, `a ring off the plot at (${r.x}, ${r.y})`);
      }
    });
  }
});
