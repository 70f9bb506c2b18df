// Draws one frame of the graph through a Painter (canvas on screen, SVG for
// export). Every loop is bounded by what is on screen: lanes outside the
// viewport are skipped, and inside a lane the level of detail limits the
// work to O(pixels) buckets; raw events are drawn only when zoomed in enough
// that the finest buckets would be wider than a pixel.

import { drawEdges } from './drawEdges';
import { drawLane } from './drawLanes';
import { drawRacePairs, drawRaceWindows, drawSelection, drawWitness, raceTags, racesInView } from './drawRaces';
import { fitTaskName, font, rowTop, type DrawState, type FrameStats } from './layout';
import type { Painter } from './painter';
import type { Row } from './scene';
import { formatTime, plotHeight, plotWidth, tickStep, toScreenX } from './view';

export function draw(p: Painter, s: DrawState): FrameStats {
  const { frame, palette } = s;
  const stats: FrameStats = { rawEvents: 0, buckets: 0, edges: 0, edgesHidden: 0 };
  const top = frame.ruler;
  const plotH = plotHeight(frame);
  p.clip(frame.gutter, top, plotWidth(frame), plotH);
  const visibleRows = s.rows.filter((r) => r.y + r.height > s.view.scrollY && r.y < s.view.scrollY + plotH);
  // Rectangles first (the canvas painter writes them all as pixels in one go), then lines, markers and text over them.
  // The plot's background and the rows' stripes do not move while zooming and panning.
  p.still([frame, palette, s.rows, s.view.scrollY], () => {
    // The plot's background only: the gutter, the ruler and the overview strip paint their own.
    p.rect(frame.gutter, top, plotWidth(frame), plotH, palette.background);
    drawRowBackgrounds(p, s, visibleRows);
  });
  drawGrid(p, s);
  drawRaceWindows(p, s);
  const inView = racesInView(s);
  const tags = raceTags(p, s, inView);
  for (const row of visibleRows) if (row.kind === 'lane') drawLane(p, s, row, stats, 'rects', tags);
  drawEdges(p, s, stats);
  for (const row of visibleRows) if (row.kind === 'lane') drawLane(p, s, row, stats, 'marks', tags);
  drawRacePairs(p, s, inView, tags);
  if (s.selectedRace) drawWitness(p, s, s.selectedRace);
  drawSelection(p, s);
  p.unclip();
  drawGutter(p, s, visibleRows);
  drawRuler(p, s);
  return stats;
}

function drawRowBackgrounds(p: Painter, s: DrawState, rows: Row[]): void {
  const { frame, palette } = s;
  for (const row of rows) {
    const y = rowTop(s, row);
    if (row.kind === 'cpu') {
      p.rect(frame.gutter, y, plotWidth(frame), row.height, palette.gutter, 0.9);
      p.line(frame.gutter, y + 0.5, frame.width, y + 0.5, palette.grid, 1);
    } else {
      if (row.lane % 2 === 1) p.rect(frame.gutter, y, plotWidth(frame), row.height, palette.laneStripe);
      p.line(frame.gutter, y + row.height / 2, frame.width, y + row.height / 2, palette.grid, 1);
    }
  }
}

function drawGrid(p: Painter, s: DrawState): void {
  const { frame, view, palette } = s;
  const step = tickStep(view.upp, 110, s.axis === 'hb');
  const first = Math.ceil(view.x0 / step) * step;
  const end = view.x0 + plotWidth(frame) * view.upp;
  for (let x = first; x <= end; x += step) {
    const px = Math.round(toScreenX(view, frame, x)) + 0.5;
    p.line(px, frame.ruler, px, frame.height - frame.minimap, palette.grid, 1, [], 0.35);
  }
}

function drawRuler(p: Painter, s: DrawState): void {
  const { frame, view, palette } = s;
  p.rect(0, 0, frame.width, frame.ruler, palette.gutter);
  p.line(0, frame.ruler - 0.5, frame.width, frame.ruler - 0.5, palette.grid, 1);
  const step = tickStep(view.upp, 110, s.axis === 'hb');
  const first = Math.ceil(view.x0 / step) * step;
  const end = view.x0 + plotWidth(frame) * view.upp;
  const style = { color: palette.muted, font: font(palette, 11), baseline: 'middle' as const };
  p.text(s.axis === 'hb' ? 'happens-before order' : 'time since first event', 8, frame.ruler / 2, style);
  p.clip(frame.gutter, 0, plotWidth(frame), frame.ruler);
  for (let x = first; x <= end; x += step) {
    const px = Math.round(toScreenX(view, frame, x)) + 0.5;
    p.line(px, frame.ruler - 6, px, frame.ruler, palette.muted, 1);
    p.text(s.axis === 'hb' ? `step ${Math.round(x)}` : formatTime(x, step), px + 3, frame.ruler / 2, style);
  }
  p.unclip();
}

function drawGutter(p: Painter, s: DrawState, rows: Row[]): void {
  const { frame, palette, scene } = s;
  p.rect(0, frame.ruler, frame.gutter, plotHeight(frame), palette.gutter);
  p.line(frame.gutter - 0.5, frame.ruler, frame.gutter - 0.5, frame.height - frame.minimap, palette.grid, 1);
  p.clip(0, frame.ruler, frame.gutter, plotHeight(frame));
  for (const row of rows) {
    const y = rowTop(s, row) + row.height / 2;
    if (row.kind === 'cpu') {
      p.text(`cpu${row.cpu}`, 8, y, { color: palette.muted, font: font(palette, 11, 'bold') });
    } else {
      const lane = scene.graph.lanes[row.lane];
      const f = font(palette, 12);
      const name = fitTaskName(p, lane.name, f, frame.gutter - 28);
      p.text(name, 18, y - 6, { color: palette.foreground, font: f });
      p.text(`${lane.eventCount} event${lane.eventCount === 1 ? '' : 's'}`, 18, y + 9, { color: palette.muted, font: font(palette, 10) });
    }
  }
  p.unclip();
}
