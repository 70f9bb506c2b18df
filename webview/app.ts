// The graph app: the state of one panel (graph, axis, filters, view,
// selection), what host messages and the user do to it, and drawing a frame.
// The toolbar, the input bindings and the test probe are in their own modules.

import type { GraphModel, GraphRace } from '../extension/core/graph/model';
import type { GraphFocus, HostMessage } from '../extension/protocol';
import { CanvasPainter } from './canvasPainter';
import { onHostMessage, postToHost } from './hostApi';
import { bindInput, type InputTarget } from './input';
import { eventAt, eventPosition, type DrawState } from './layout';
import { Minimap } from './minimap';
import { raceView, revealView } from './navigate';
import { frameProbe, probeFrame, probeGraphReceived } from './probe';
import { RaceList } from './raceList';
import { draw } from './render';
import { ALL_CLASSES, noFilters, Scene, type Axis, type Filters, type Row } from './scene';
import { SvgPainter } from './svgPainter';
import { readPalette, watchTheme, type Palette } from './theme';
import { Toolbar } from './toolbar';
import { registerToolkit } from './toolkit';
import { clampView, fitRange, plotHeight, plotWidth, zoomAt, type Frame, type Viewport } from './view';

/** Numbers in the status line as toLocaleString writes them (one formatter: toLocaleString builds one per call, every frame). */
const count = new Intl.NumberFormat();

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`webview markup lacks #${id}`);
  return el as T;
}

export class GraphApp implements InputTarget {
  private scene?: Scene;
  private axis: Axis = 'hb';
  private filters: Filters = noFilters();
  view: Viewport = { x0: 0, upp: 1, scrollY: 0 };
  private rows: Row[] = [];
  private races: GraphRace[] = [];
  private selectedEvent = -1;
  private selectedRace: GraphRace | undefined;
  private hoverEvent = -1;
  private palette: Palette = readPalette();
  frame: Frame = { width: 800, height: 400, gutter: 170, ruler: 26, minimap: 46 };
  private dpr = 1;
  private pending = false;
  private readonly minimap = new Minimap();
  /** Kept across frames: it owns the pixel layer and the text width cache. */
  private painter?: CanvasPainter;
  private painterDpr = 0;
  private readonly canvas = byId<HTMLCanvasElement>('graph');
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tooltip = byId('tooltip');
  private readonly status = byId('status');
  private readonly raceList = new RaceList(byId('race-list'), byId('announce'));
  private readonly toolbar: Toolbar;

  constructor() {
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2d canvas');
    this.ctx = ctx;
    registerToolkit();
    this.toolbar = new Toolbar(byId('toolbar'), {
      setAxis: (axis) => this.setAxis(axis),
      pickRace: (finding) => {
        const r = this.scene?.graph.races.find((x) => String(x.finding) === finding);
        if (r) this.selectRace(r, true, true);
      },
      setFilter: (change) => this.setFilter(change),
      fitRace: () => this.fitRace(),
      fitAll: () => this.fitAll(),
      exportSvg: () => this.exportSvg(),
      exportPng: () => this.exportPng(),
    });
    bindInput(this.canvas, this);
    new ResizeObserver(() => this.resize()).observe(byId('stage'));
    watchTheme(() => {
      this.palette = readPalette();
      this.toolbar.showClasses(this.filters, this.palette);
      this.request();
    });
    onHostMessage((m) => this.onMessage(m));
    const probe = frameProbe();
    if (probe) probe.locate = (event) => this.locate(event);
    this.resize();
    postToHost({ type: 'ready' });
  }

  // ---- messages ----

  private onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'graph':
        this.setGraph(m.graph, m.focus);
        break;
      case 'highlight':
        this.selectEvent(m.event, m.reveal, false);
        break;
      case 'focusRace': {
        const race = this.scene?.graph.races.find((r) => r.finding === m.finding);
        if (race) this.selectRace(race, true, false);
        break;
      }
    }
  }

  private setGraph(graph: GraphModel, focus?: GraphFocus): void {
    probeGraphReceived();
    const first = !this.scene || this.scene.graph.title !== graph.title;
    this.scene = new Scene(graph);
    if (first) this.filters = noFilters();
    this.selectedRace = this.selectedRace && graph.races.find((r) => r.finding === this.selectedRace?.finding);
    if (this.selectedEvent >= graph.eventCount) this.selectedEvent = -1;
    this.hoverEvent = -1;
    this.refreshControls();
    this.applyFilters();
    if (first) this.fitAll();
    const race = focus?.finding !== undefined ? graph.races.find((r) => r.finding === focus.finding) : undefined;
    if (race) this.selectRace(race, true, false);
    if (focus?.event !== undefined) this.selectEvent(focus.event, true, false);
    this.canvas.setAttribute(
      'aria-label',
      `Happens-before graph of ${graph.title}: ${graph.eventCount} events in ${graph.lanes.length} tasks, ${graph.races.length} race${graph.races.length === 1 ? '' : 's'}. ` +
        'Arrow keys pan, plus and minus zoom, comma and period step through events, n and p go to the next and previous race, Enter shows the event in the editor.',
    );
    this.request();
  }

  // ---- filters ----

  private refreshControls(): void {
    if (this.scene) this.toolbar.showGraph(this.scene.graph, this.filters, this.palette);
  }

  private refreshRaceControls(): void {
    const g = this.scene?.graph;
    if (!g) return;
    this.toolbar.showRaces(g, this.races, this.selectedRace);
    this.raceList.show(this.races, (e) => g.events.line[e], (r) => this.selectRace(r, true, true));
  }

  private setFilter(change: Partial<Filters>): void {
    this.filters = { ...this.filters, ...change };
    this.applyFilters();
    this.request();
  }

  private applyFilters(): void {
    if (!this.scene) return;
    this.rows = this.scene.rows(this.filters, plotHeight(this.frame));
    this.races = this.scene.races(this.filters);
    if (this.selectedRace && !this.races.includes(this.selectedRace)) this.selectedRace = undefined;
    this.selectedRace ??= this.races[0];
    this.refreshRaceControls();
    this.view = this.clamp(this.view);
  }

  private setAxis(axis: Axis): void {
    if (axis === this.axis || !this.scene) return;
    // Keep the same events in view: map the visible range through the selected (or middle) event.
    this.axis = axis;
    this.toolbar.showAxis(axis);
    if (this.selectedRace) this.fitRace();
    else this.fitAll();
  }

  // ---- navigation ----

  private clamp(v: Viewport): Viewport {
    if (!this.scene) return v;
    const content = this.rows.length ? this.rows[this.rows.length - 1].y + this.rows[this.rows.length - 1].height : 0;
    return clampView(v, this.frame, this.scene.extent(this.axis), content);
  }

  setView(v: Viewport): void {
    this.view = this.clamp(v);
    this.request();
  }

  /** A view asked for by the user's wheel, drag or keys: the wheel past a zoom limit or a drag against an edge leaves the view as shown, and nothing is drawn again. */
  moveView(v: Viewport): void {
    const next = this.clamp(v);
    if (next.x0 !== this.view.x0 || next.upp !== this.view.upp || next.scrollY !== this.view.scrollY) this.setView(next);
  }

  fitAll(): void {
    if (!this.scene) return;
    const [lo, hi] = this.scene.extent(this.axis);
    this.setView(fitRange(this.frame, lo, hi, 0, 0.02));
  }

  fitRace(): void {
    if (this.scene && this.selectedRace) this.setView(raceView(this.scene, this.axis, this.rows, this.frame, this.view, this.selectedRace));
  }

  private selectRace(race: GraphRace, fit: boolean, notifyHost: boolean): void {
    this.selectedRace = race;
    this.toolbar.showRace(race);
    if (fit) this.fitRace();
    const line = this.scene?.graph.events.line[race.primary];
    this.raceList.announce(`${race.rule} ${race.severity} at line ${line}: ${race.message}`);
    if (notifyHost) postToHost({ type: 'selectRace', finding: race.finding });
    this.request();
  }

  stepRace(delta: number): void {
    if (this.races.length === 0) return;
    const k = this.selectedRace ? this.races.indexOf(this.selectedRace) : -1;
    this.selectRace(this.races[(k + delta + this.races.length) % this.races.length], true, true);
  }

  /** Selects an event; `reveal` scrolls it into view, `notifyHost` tells the editor to show its line. */
  selectEvent(event: number, reveal: boolean, notifyHost: boolean): void {
    const scene = this.scene;
    if (!scene || event < 0 || event >= scene.graph.eventCount) return;
    this.selectedEvent = event;
    const lane = scene.graph.events.lane[event];
    if (!this.rows.some((r) => r.kind === 'lane' && r.lane === lane)) {
      // Filtered out: show everything again rather than select something invisible.
      this.filters = { ...noFilters(), classes: ALL_CLASSES };
      this.refreshControls();
      this.applyFilters();
    }
    if (reveal) this.scrollIntoView(event);
    const g = scene.graph;
    this.raceList.announce(`Selected ${g.lanes[lane].name}: ${scene.label(event)}, line ${g.events.line[event]}`);
    if (notifyHost) postToHost({ type: 'reveal', event });
    this.request();
  }

  private scrollIntoView(event: number): void {
    if (this.scene) this.setView(revealView(this.scene, this.axis, this.rows, this.frame, this.view, event));
  }

  /** The next or previous event in the selected event's lane. */
  stepEvent(delta: number): void {
    const scene = this.scene;
    if (!scene) return;
    if (this.selectedEvent < 0) {
      const first = scene.lod(this.axis).lanes.find((l) => l.order.length > 0);
      if (first) this.selectEvent(first.order[0], true, true);
      return;
    }
    const lane = scene.lod(this.axis).lanes[scene.graph.events.lane[this.selectedEvent]];
    const k = lane.order.indexOf(this.selectedEvent) + delta;
    if (k >= 0 && k < lane.order.length) this.selectEvent(lane.order[k], true, true);
  }

  // ---- input (see input.ts) ----

  revealSelected(): void {
    if (this.selectedEvent >= 0) postToHost({ type: 'reveal', event: this.selectedEvent });
  }

  clearSelection(): void {
    this.selectedEvent = -1;
    this.request();
  }

  leave(): void {
    this.tooltip.hidden = true;
    if (this.hoverEvent >= 0) {
      this.hoverEvent = -1;
      this.request();
    }
  }

  zoom(px: number, factor: number): void {
    if (!this.scene) return;
    const [lo, hi] = this.scene.extent(this.axis);
    const minUpp = this.axis === 'hb' ? 1 / 200 : 0.01;
    const maxUpp = ((hi - lo) * 1.25) / plotWidth(this.frame);
    this.moveView(zoomAt(this.view, this.frame, Math.max(this.frame.gutter, px), factor, minUpp, maxUpp));
  }

  centerOnMinimap(px: number): void {
    if (!this.scene) return;
    const x = this.minimap.axisAt(this.scene, this.axis, this.frame, px);
    this.setView({ ...this.view, x0: x - (plotWidth(this.frame) / 2) * this.view.upp });
  }

  /** Where an event is drawn, in client coordinates (undefined when off screen). */
  private locate(event: number): { x: number; y: number } | undefined {
    const s = this.state();
    const at = s && eventPosition(s, event);
    if (!at) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + at.x, y: rect.top + at.y };
  }

  eventAt(px: number, py: number): number {
    const s = this.state();
    return s ? eventAt(s, px, py) : -1;
  }

  hover(px: number, py: number, clientX: number, clientY: number): void {
    const e = this.eventAt(px, py);
    if (e !== this.hoverEvent) {
      this.hoverEvent = e;
      this.request();
    }
    const scene = this.scene;
    if (e < 0 || !scene) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = scene.describe(e);
    this.tooltip.hidden = false;
    const stage = byId('stage').getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(clientX - stage.left + 14, stage.width - 260)}px`;
    this.tooltip.style.top = `${clientY - stage.top + 14}px`;
  }

  // ---- drawing ----

  private resize(): void {
    const stage = byId('stage').getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    const shownRange = plotWidth(this.frame) * this.view.upp;
    this.frame = { ...this.frame, width: Math.max(200, Math.floor(stage.width)), height: Math.max(160, Math.floor(stage.height)) };
    this.frame.gutter = Math.min(190, Math.max(120, this.frame.width * 0.18));
    // The same part of the axis stays in view when the panel is resized.
    this.view = { ...this.view, upp: shownRange / plotWidth(this.frame) };
    this.canvas.width = Math.round(this.frame.width * this.dpr);
    this.canvas.height = Math.round(this.frame.height * this.dpr);
    this.canvas.style.width = `${this.frame.width}px`;
    this.canvas.style.height = `${this.frame.height}px`;
    if (this.scene) this.rows = this.scene.rows(this.filters, plotHeight(this.frame));
    if (this.scene && this.view.upp === 1 && this.view.x0 === 0) this.fitAll();
    this.view = this.clamp(this.view);
    this.paint();
  }

  private request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.paint();
    });
  }

  private state(): DrawState | undefined {
    if (!this.scene) return undefined;
    return {
      scene: this.scene,
      axis: this.axis,
      view: this.view,
      frame: this.frame,
      filters: this.filters,
      rows: this.rows,
      races: this.races,
      palette: this.palette,
      selectedEvent: this.selectedEvent,
      selectedRace: this.selectedRace,
      hoverEvent: this.hoverEvent,
    };
  }

  private paint(): void {
    const start = performance.now();
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const s = this.state();
    if (!s) {
      ctx.fillStyle = this.palette.background;
      ctx.fillRect(0, 0, this.frame.width, this.frame.height);
      return;
    }
    if (!this.painter || this.painterDpr !== this.dpr) {
      this.painter = new CanvasPainter(ctx, this.dpr);
      this.painterDpr = this.dpr;
    }
    this.painter.beginFrame();
    const stats = draw(this.painter, s);
    this.painter.flush();
    this.minimap.draw(ctx, s.scene, s.axis, s.filters, s.rows, s.frame, s.view, s.palette, this.dpr);
    if (frameProbe()?.flush) ctx.getImageData(0, 0, 1, 1);
    const ms = performance.now() - start;
    const g = s.scene.graph;
    // Where the selection is drawn (canvas pixels), so UI tests can click it like a person would.
    // (Canvas coordinates, not client ones: asking the page for the canvas's place would force a layout every frame.)
    const at = this.selectedEvent >= 0 ? eventPosition(s, this.selectedEvent) : undefined;
    if (at) this.canvas.dataset.selectedAt = `${Math.round(at.x)},${Math.round(at.y)}`;
    else delete this.canvas.dataset.selectedAt;
    const status =
      `${count.format(g.eventCount)} events · ${g.lanes.length} tasks · ${this.races.length} of ${g.races.length} races shown` +
      (stats.buckets ? ` · ${count.format(stats.buckets)} buckets` : '') +
      (stats.edgesHidden ? ` · ${stats.edgesEstimated ? 'about ' : ''}${count.format(stats.edgesHidden)} edges not drawn (zoom in)` : '');
    if (this.status.textContent !== status) this.status.textContent = status;
    probeFrame(start, ms, stats);
  }

  // ---- export ----

  private exportSvg(): void {
    const s = this.state();
    if (!s) return;
    const measure = (text: string, font: string) => {
      this.ctx.font = font;
      return this.ctx.measureText(text).width;
    };
    const frame = { ...s.frame, minimap: 0 };
    const painter = new SvgPainter(frame.width, frame.height, measure);
    draw(painter, { ...s, frame });
    postToHost({ type: 'export', format: 'svg', data: painter.finish() });
  }

  private exportPng(): void {
    if (!this.scene) return;
    this.paint();
    postToHost({ type: 'export', format: 'png', data: this.canvas.toDataURL('image/png') });
  }
}
