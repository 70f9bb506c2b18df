// The graph webview: receives the graph from the host, draws it on a canvas,
// and turns clicks and keys into navigation and `reveal` messages.

import type { GraphModel, GraphRace } from '../extension/core/graph/model';
import { EDGE_KINDS, EVENT_CLASSES } from '../extension/core/graph/model';
import { nearestEvent } from './lod';
import type { GraphFocus, HostMessage } from '../extension/protocol';
import { onHostMessage, postToHost } from './hostApi';
import { Minimap } from './minimap';
import { CanvasPainter, SvgPainter } from './painter';
import { RaceList } from './raceList';
import { draw, laneCenter, laneRowAt, type DrawState, type FrameStats } from './render';
import { ALL_CLASSES, LANE_HEIGHT, noFilters, Scene, type Axis, type Filters, type Row } from './scene';
import { EDGE_STYLES, readPalette, watchTheme, type Palette } from './theme';
import { button, divider, dropdown, registerToolkit, swatchCheckbox, type Dropdown } from './toolkit';
import { clampView, fitRange, panBy, plotHeight, plotWidth, toAxisX, toScreenX, zoomAt, type Frame, type Viewport } from './view';

/** Set by benchmarks and tests before the script loads: receives one entry per drawn frame. */
interface FrameProbe {
  frames: { ms: number; stats: FrameStats }[];
  firstFrameAt?: number;
  graphAt?: number;
  /** When true, each frame ends by reading a pixel back, so its time includes the canvas rasterisation. */
  flush?: boolean;
  /** Where an event is drawn, in client coordinates (undefined when off screen). */
  locate?: (event: number) => { x: number; y: number } | undefined;
}
declare global {
  interface Window {
    __dmRaceLensProbe?: FrameProbe;
  }
}

const HIT_RADIUS = 9;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`webview markup lacks #${id}`);
  return el as T;
}

class GraphApp {
  private scene?: Scene;
  private axis: Axis = 'hb';
  private filters: Filters = noFilters();
  private view: Viewport = { x0: 0, upp: 1, scrollY: 0 };
  private rows: Row[] = [];
  private races: GraphRace[] = [];
  private selectedEvent = -1;
  private selectedRace: GraphRace | undefined;
  private hoverEvent = -1;
  private palette: Palette = readPalette();
  private frame: Frame = { width: 800, height: 400, gutter: 170, ruler: 26, minimap: 46 };
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
  private readonly controls: { axis: Dropdown; race: Dropdown; device: Dropdown; rule: Dropdown; task: Dropdown };
  private readonly edgeLegend = Object.assign(document.createElement('span'), { id: 'edge-legend' });
  private readonly classBoxes = Object.assign(document.createElement('div'), { id: 'classes' });

  constructor() {
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2d canvas');
    this.ctx = ctx;
    this.classBoxes.setAttribute('role', 'group');
    this.classBoxes.setAttribute('aria-label', 'Event classes');
    registerToolkit();
    this.controls = this.buildToolbar();
    this.bindInput();
    new ResizeObserver(() => this.resize()).observe(byId('stage'));
    watchTheme(() => {
      this.palette = readPalette();
      this.buildClassFilters();
      this.request();
    });
    onHostMessage((m) => this.onMessage(m));
    const probe = window.__dmRaceLensProbe;
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
    const probe = window.__dmRaceLensProbe;
    if (probe) probe.graphAt = performance.now();
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

  // ---- toolbar ----

  private buildToolbar() {
    const bar = byId('toolbar');
    const axis = dropdown('axis', 'x axis', (v) => this.setAxis(v === 'time' ? 'time' : 'hb'));
    axis.setOptions([{ value: 'hb', label: 'happens-before order' }, { value: 'time', label: 'timestamps' }], 'hb');
    const race = dropdown('race', 'Race', (v) => {
      const r = this.scene?.graph.races.find((x) => String(x.finding) === v);
      if (r) this.selectRace(r, true, true);
    });
    const device = dropdown('device', 'Device', (v) => this.setFilter({ device: v }));
    const rule = dropdown('rule', 'Rule', (v) => this.setFilter({ rule: v }));
    const task = dropdown('task', 'Task', (v) => this.setFilter({ lane: v === '' ? -1 : Number(v) }));
    const row1 = document.createElement('div');
    row1.className = 'row';
    row1.append(
      axis.element,
      race.element,
      button({ id: 'fit-race', label: 'Fit to race', title: 'Fit the view to the selected race (F)', onClick: () => this.fitRace() }),
      button({ id: 'fit-all', label: 'Fit all', title: 'Show the whole trace (0)', onClick: () => this.fitAll() }),
      button({ id: 'export-svg', label: 'SVG', title: 'Export the current view as SVG', onClick: () => this.exportSvg() }),
      button({ id: 'export-png', label: 'PNG', title: 'Export the current view as PNG', onClick: () => this.exportPng() }),
    );
    const row2 = document.createElement('div');
    row2.className = 'row';
    row2.append(device.element, rule.element, task.element, this.classBoxes, this.edgeLegend);
    bar.append(row1, divider(), row2);
    return { axis, race, device, rule, task };
  }

  /** What the edge colours and dashes mean (the canvas draws them with the same palette). */
  private buildEdgeLegend(): void {
    this.edgeLegend.replaceChildren(
      ...EDGE_KINDS.map((kind, k) => {
        const { label, css } = EDGE_STYLES[kind];
        const item = document.createElement('span');
        item.className = 'edge-item';
        const sample = document.createElement('span');
        sample.className = 'edge-sample';
        sample.setAttribute('aria-hidden', 'true');
        sample.style.borderTop = `2px ${css} ${this.palette.edges[k]}`;
        item.append(sample, document.createTextNode(label));
        return item;
      }),
    );
    this.edgeLegend.setAttribute('aria-label', `Edges between tasks: ${EDGE_KINDS.map((k) => EDGE_STYLES[k].label).join(', ')}`);
  }

  private buildClassFilters(): void {
    this.buildEdgeLegend();
    this.classBoxes.replaceChildren(
      ...EVENT_CLASSES.map((c, k) =>
        swatchCheckbox(`class-${c}`, c, this.palette.classes[k], ((this.filters.classes >> k) & 1) === 1, (on) =>
          this.setFilter({ classes: on ? this.filters.classes | (1 << k) : this.filters.classes & ~(1 << k) }),
        ),
      ),
    );
  }

  private refreshControls(): void {
    const g = this.scene?.graph;
    if (!g) return;
    const c = this.controls;
    c.device.setOptions([{ value: '', label: 'all devices' }, ...g.devices.map((d) => ({ value: d, label: d }))], this.filters.device);
    const rules = [...new Set(g.races.map((r) => r.rule))].sort();
    c.rule.setOptions([{ value: '', label: 'all rules' }, ...rules.map((r) => ({ value: r, label: r }))], this.filters.rule);
    c.task.setOptions(
      [{ value: '', label: 'all tasks' }, ...g.lanes.map((l, k) => ({ value: String(k), label: `${l.name} (cpu${l.cpu})` }))],
      this.filters.lane < 0 ? '' : String(this.filters.lane),
    );
    this.buildClassFilters();
  }

  private refreshRaceControls(): void {
    const g = this.scene?.graph;
    if (!g) return;
    const options = this.races.map((r) => ({ value: String(r.finding), label: `${r.rule} ${r.severity}, line ${g.events.line[r.primary]}: ${r.name} (${r.md})` }));
    this.controls.race.setOptions(options.length ? options : [{ value: '', label: 'no races' }], this.selectedRace ? String(this.selectedRace.finding) : options[0]?.value ?? '');
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
    this.controls.axis.select(axis);
    if (this.selectedRace) this.fitRace();
    else this.fitAll();
  }

  // ---- navigation ----

  private clamp(v: Viewport): Viewport {
    if (!this.scene) return v;
    const content = this.rows.length ? this.rows[this.rows.length - 1].y + this.rows[this.rows.length - 1].height : 0;
    return clampView(v, this.frame, this.scene.extent(this.axis), content);
  }

  private setView(v: Viewport): void {
    this.view = this.clamp(v);
    this.request();
  }

  private fitAll(): void {
    if (!this.scene) return;
    const [lo, hi] = this.scene.extent(this.axis);
    this.setView(fitRange(this.frame, lo, hi, 0, 0.02));
  }

  private fitRace(): void {
    const race = this.selectedRace;
    if (!this.scene || !race) return;
    const x = this.scene.x(this.axis);
    const events = [race.primary, ...race.related, ...race.window.flatMap((w) => [w.from, w.to])].filter((e) => e >= 0);
    let lo = Infinity;
    let hi = -Infinity;
    for (const e of events) {
      lo = Math.min(lo, x[e]);
      hi = Math.max(hi, x[e]);
    }
    const lanes = race.window.map((w) => w.lane).concat(this.scene.graph.events.lane[race.primary]);
    const ys = this.rows.filter((r) => r.kind === 'lane' && lanes.includes(r.lane)).map((r) => r.y);
    let top = Infinity;
    for (const y of ys) top = Math.min(top, y);
    const scrollY = ys.length ? Math.max(0, top - 24) : this.view.scrollY;
    // Keep some context around a short race: at least a tenth of the trace, or ten happens-before steps.
    const [min, max] = this.scene.extent(this.axis);
    const least = Math.min(max - min, this.axis === 'hb' ? 10 : (max - min) / 10);
    if (hi - lo < least) {
      const grow = (least - (hi - lo)) / 2;
      [lo, hi] = [Math.max(min, lo - grow), Math.min(max, hi + grow)];
    }
    this.setView(fitRange(this.frame, lo, hi, scrollY, 0.1));
  }

  private selectRace(race: GraphRace, fit: boolean, notifyHost: boolean): void {
    this.selectedRace = race;
    this.controls.race.select(String(race.finding));
    if (fit) this.fitRace();
    const line = this.scene?.graph.events.line[race.primary];
    this.raceList.announce(`${race.rule} ${race.severity} at line ${line}: ${race.message}`);
    if (notifyHost) postToHost({ type: 'selectRace', finding: race.finding });
    this.request();
  }

  private stepRace(delta: number): void {
    if (this.races.length === 0) return;
    const k = this.selectedRace ? this.races.indexOf(this.selectedRace) : -1;
    this.selectRace(this.races[(k + delta + this.races.length) % this.races.length], true, true);
  }

  /** Selects an event; `reveal` scrolls it into view, `notifyHost` tells the editor to show its line. */
  private selectEvent(event: number, reveal: boolean, notifyHost: boolean): void {
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
    const scene = this.scene;
    if (!scene) return;
    const x = scene.x(this.axis)[event];
    const px = toScreenX(this.view, this.frame, x);
    let v = this.view;
    if (px < this.frame.gutter + 20 || px > this.frame.width - 20) v = { ...v, x0: x - (plotWidth(this.frame) / 2) * v.upp };
    const row = this.rows.find((r) => r.kind === 'lane' && r.lane === scene.graph.events.lane[event]);
    if (row && (row.y < v.scrollY || row.y + row.height > v.scrollY + plotHeight(this.frame))) v = { ...v, scrollY: row.y - plotHeight(this.frame) / 3 };
    this.setView(v);
  }

  /** The next or previous event in the selected event's lane. */
  private stepEvent(delta: number): void {
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

  // ---- input ----

  private bindInput(): void {
    const c = this.canvas;
    let drag: { x: number; y: number; view: Viewport; moved: boolean; minimap: boolean } | undefined;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      const px = e.clientX - rect.left;
      if (e.shiftKey) this.setView(panBy(this.view, 0, -e.deltaY));
      else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.setView(panBy(this.view, -e.deltaX, 0));
      else this.zoom(px, Math.exp(e.deltaY * 0.0025));
    }, { passive: false });
    c.addEventListener('pointerdown', (e) => {
      const rect = c.getBoundingClientRect();
      const y = e.clientY - rect.top;
      drag = { x: e.clientX, y: e.clientY, view: this.view, moved: false, minimap: y > this.frame.height - this.frame.minimap };
      c.setPointerCapture(e.pointerId);
      if (drag.minimap) this.centerOnMinimap(e.clientX - rect.left);
    });
    c.addEventListener('pointermove', (e) => {
      const rect = c.getBoundingClientRect();
      if (drag) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.minimap) this.centerOnMinimap(e.clientX - rect.left);
        else if (drag.moved) this.setView(panBy(drag.view, dx, dy));
        return;
      }
      this.hover(e.clientX - rect.left, e.clientY - rect.top, e.clientX, e.clientY);
    });
    c.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = undefined;
      if (!d || d.moved || d.minimap) return;
      const rect = c.getBoundingClientRect();
      const event = this.eventAt(e.clientX - rect.left, e.clientY - rect.top);
      if (event >= 0) this.selectEvent(event, false, true);
    });
    c.addEventListener('pointerleave', () => {
      this.tooltip.hidden = true;
      if (this.hoverEvent >= 0) {
        this.hoverEvent = -1;
        this.request();
      }
    });
    c.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const w = plotWidth(this.frame);
    const mid = this.frame.gutter + w / 2;
    const handled = (() => {
      switch (e.key) {
        case 'ArrowLeft':
        case 'a':
          this.setView(panBy(this.view, w * 0.15, 0));
          return true;
        case 'ArrowRight':
        case 'd':
          this.setView(panBy(this.view, -w * 0.15, 0));
          return true;
        case 'ArrowUp':
          this.setView(panBy(this.view, 0, LANE_HEIGHT));
          return true;
        case 'ArrowDown':
          this.setView(panBy(this.view, 0, -LANE_HEIGHT));
          return true;
        case '+':
        case '=':
        case 'w':
          this.zoom(mid, 1 / 1.5);
          return true;
        case '-':
        case 's':
          this.zoom(mid, 1.5);
          return true;
        case '0':
        case 'Home':
          this.fitAll();
          return true;
        case 'f':
          this.fitRace();
          return true;
        case 'n':
          this.stepRace(1);
          return true;
        case 'p':
          this.stepRace(-1);
          return true;
        case '.':
          this.stepEvent(1);
          return true;
        case ',':
          this.stepEvent(-1);
          return true;
        case 'Enter':
          if (this.selectedEvent >= 0) postToHost({ type: 'reveal', event: this.selectedEvent });
          return true;
        case 'Escape':
          this.selectedEvent = -1;
          this.request();
          return true;
        default:
          return false;
      }
    })();
    if (handled) e.preventDefault();
  }

  private zoom(px: number, factor: number): void {
    if (!this.scene) return;
    const [lo, hi] = this.scene.extent(this.axis);
    const minUpp = this.axis === 'hb' ? 1 / 200 : 0.01;
    const maxUpp = ((hi - lo) * 1.25) / plotWidth(this.frame);
    this.setView(zoomAt(this.view, this.frame, Math.max(this.frame.gutter, px), factor, minUpp, maxUpp));
  }

  private centerOnMinimap(px: number): void {
    if (!this.scene) return;
    const x = this.minimap.axisAt(this.scene, this.axis, this.frame, px);
    this.setView({ ...this.view, x0: x - (plotWidth(this.frame) / 2) * this.view.upp });
  }

  private locate(event: number): { x: number; y: number } | undefined {
    const scene = this.scene;
    if (!scene || event < 0 || event >= scene.graph.eventCount) return undefined;
    const y = laneCenter({ rows: this.rows, frame: this.frame, view: this.view }, scene.graph.events.lane[event]);
    const x = toScreenX(this.view, this.frame, scene.x(this.axis)[event]);
    if (y === undefined || x < this.frame.gutter || x > this.frame.width || y < this.frame.ruler || y > this.frame.height - this.frame.minimap) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }

  /** The event under the pointer (within a few pixels), or -1. */
  eventAt(px: number, py: number): number {
    const scene = this.scene;
    if (!scene || px < this.frame.gutter || py > this.frame.height - this.frame.minimap) return -1;
    const row = laneRowAt(this.rows, this.frame, this.view, py);
    if (!row || row.kind !== 'lane') return -1;
    const lane = scene.lod(this.axis).lanes[row.lane];
    const e = nearestEvent(lane, toAxisX(this.view, this.frame, px));
    if (e < 0 || !((this.filters.classes >> scene.graph.events.cls[e]) & 1)) return -1;
    const cy = laneCenter({ rows: this.rows, frame: this.frame, view: this.view }, row.lane) ?? -1e9;
    const dx = toScreenX(this.view, this.frame, scene.x(this.axis)[e]) - px;
    return Math.abs(dx) <= HIT_RADIUS && Math.abs(py - cy) <= HIT_RADIUS + 3 ? e : -1;
  }

  private hover(px: number, py: number, clientX: number, clientY: number): void {
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
    const g = scene.graph;
    const races = g.races.filter((r) => r.primary === e || r.other === e || r.related.includes(e)).map((r) => `${r.rule} ${r.severity}`);
    const time = g.events.time[e];
    this.tooltip.textContent = `${g.lanes[g.events.lane[e]].name}: ${scene.label(e)}\nline ${g.events.line[e]} · +${(time / 1e3).toFixed(3)} µs · hb step ${g.events.rank[e]}${races.length ? `\nin ${races.join(', ')}` : ''}`;
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
    const stats = draw(this.painter, s);
    this.painter.flush();
    this.minimap.draw(ctx, s.scene, s.axis, s.filters, s.rows, s.frame, s.view, s.palette, this.dpr);
    if (window.__dmRaceLensProbe?.flush) ctx.getImageData(0, 0, 1, 1);
    const ms = performance.now() - start;
    const g = s.scene.graph;
    // Where the selection is drawn (canvas pixels), so UI tests can click it like a person would.
    const at = this.selectedEvent >= 0 ? this.locate(this.selectedEvent) : undefined;
    const rect = this.canvas.getBoundingClientRect();
    if (at) this.canvas.dataset.selectedAt = `${Math.round(at.x - rect.left)},${Math.round(at.y - rect.top)}`;
    else delete this.canvas.dataset.selectedAt;
    this.status.textContent =
      `${g.eventCount.toLocaleString()} events · ${g.lanes.length} tasks · ${this.races.length} of ${g.races.length} races shown` +
      (stats.buckets ? ` · ${stats.buckets.toLocaleString()} buckets` : '') +
      (stats.edgesHidden ? ` · ${stats.edgesEstimated ? 'about ' : ''}${stats.edgesHidden.toLocaleString()} edges not drawn (zoom in)` : '');
    const probe = window.__dmRaceLensProbe;
    if (probe) {
      probe.frames.push({ ms, stats });
      probe.firstFrameAt ??= performance.now();
    }
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

try {
  new GraphApp();
} catch (e) {
  postToHost({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
}
window.addEventListener('error', (e) => postToHost({ type: 'error', message: String(e.message) }));
