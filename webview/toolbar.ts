// The toolbar: x axis, race picker, fit and export buttons, the device, rule
// and task filters, the event-class checkboxes (legend and filter at once)
// and the edge legend. It holds no state of its own: the app tells it what to
// show and hears back through `ToolbarActions`.

import type { GraphModel, GraphRace } from '../extension/core/graph/model';
import { EDGE_KINDS, EVENT_CLASSES } from '../extension/core/graph/model';
import type { Axis, Filters } from './scene';
import { EDGE_STYLES, type Palette } from './theme';
import { button, divider, dropdown, swatchCheckbox, type Dropdown } from './toolkit';

export interface ToolbarActions {
  setAxis(axis: Axis): void;
  /** The race picked in the dropdown, by its finding number. */
  pickRace(finding: string): void;
  setFilter(change: Partial<Filters>): void;
  fitRace(): void;
  fitAll(): void;
  exportSvg(): void;
  exportPng(): void;
}

export class Toolbar {
  private readonly controls: { axis: Dropdown; race: Dropdown; device: Dropdown; rule: Dropdown; task: Dropdown };
  private readonly edgeLegend = Object.assign(document.createElement('span'), { id: 'edge-legend' });
  private readonly classBoxes = Object.assign(document.createElement('div'), { id: 'classes' });

  constructor(bar: HTMLElement, private readonly actions: ToolbarActions) {
    this.classBoxes.setAttribute('role', 'group');
    this.classBoxes.setAttribute('aria-label', 'Event classes');
    const axis = dropdown('axis', 'x axis', (v) => actions.setAxis(v === 'time' ? 'time' : 'hb'));
    axis.setOptions([{ value: 'hb', label: 'happens-before order' }, { value: 'time', label: 'timestamps' }], 'hb');
    const race = dropdown('race', 'Race', (v) => actions.pickRace(v));
    const device = dropdown('device', 'Device', (v) => actions.setFilter({ device: v }));
    const rule = dropdown('rule', 'Rule', (v) => actions.setFilter({ rule: v }));
    const task = dropdown('task', 'Task', (v) => actions.setFilter({ lane: v === '' ? -1 : Number(v) }));
    const row1 = document.createElement('div');
    row1.className = 'row';
    row1.append(
      axis.element,
      race.element,
      button({ id: 'fit-race', label: 'Fit to race', title: 'Fit the view to the selected race (F)', onClick: () => actions.fitRace() }),
      button({ id: 'fit-all', label: 'Fit all', title: 'Show the whole trace (0)', onClick: () => actions.fitAll() }),
      button({ id: 'export-svg', label: 'SVG', title: 'Export the current view as SVG', onClick: () => actions.exportSvg() }),
      button({ id: 'export-png', label: 'PNG', title: 'Export the current view as PNG', onClick: () => actions.exportPng() }),
    );
    const row2 = document.createElement('div');
    row2.className = 'row';
    row2.append(device.element, rule.element, task.element, this.classBoxes, this.edgeLegend);
    bar.append(row1, divider(), row2);
    this.controls = { axis, race, device, rule, task };
  }

  showAxis(axis: Axis): void {
    this.controls.axis.select(axis);
  }

  showRace(race: GraphRace): void {
    this.controls.race.select(String(race.finding));
  }

  /** The filters' choices for a new graph, and the class checkboxes. */
  showGraph(g: GraphModel, filters: Filters, palette: Palette): void {
    const c = this.controls;
    c.device.setOptions([{ value: '', label: 'all devices' }, ...g.devices.map((d) => ({ value: d, label: d }))], filters.device);
    const rules = [...new Set(g.races.map((r) => r.rule))].sort();
    c.rule.setOptions([{ value: '', label: 'all rules' }, ...rules.map((r) => ({ value: r, label: r }))], filters.rule);
    c.task.setOptions(
      [{ value: '', label: 'all tasks' }, ...g.lanes.map((l, k) => ({ value: String(k), label: `${l.name} (cpu${l.cpu})` }))],
      filters.lane < 0 ? '' : String(filters.lane),
    );
    this.showClasses(filters, palette);
  }

  /** The races the filters leave, in the race picker. */
  showRaces(g: GraphModel, races: GraphRace[], selected: GraphRace | undefined): void {
    const options = races.map((r) => ({ value: String(r.finding), label: `${r.rule} ${r.severity}, line ${g.events.line[r.primary]}: ${r.name} (${r.md})` }));
    this.controls.race.setOptions(options.length ? options : [{ value: '', label: 'no races' }], selected ? String(selected.finding) : options[0]?.value ?? '');
  }

  /** The class checkboxes and the edge legend, in the theme's colours. */
  showClasses(filters: Filters, palette: Palette): void {
    this.showEdgeLegend(palette);
    this.classBoxes.replaceChildren(
      ...EVENT_CLASSES.map((c, k) =>
        swatchCheckbox(`class-${c}`, c, palette.classes[k], ((filters.classes >> k) & 1) === 1, (on) =>
          this.actions.setFilter({ classes: on ? filters.classes | (1 << k) : filters.classes & ~(1 << k) }),
        ),
      ),
    );
  }

  /** What the edge colours and dashes mean (the canvas draws them with the same palette). */
  private showEdgeLegend(palette: Palette): void {
    this.edgeLegend.replaceChildren(
      ...EDGE_KINDS.map((kind, k) => {
        const { label, css } = EDGE_STYLES[kind];
        const item = document.createElement('span');
        item.className = 'edge-item';
        const sample = document.createElement('span');
        sample.className = 'edge-sample';
        sample.setAttribute('aria-hidden', 'true');
        sample.style.borderTop = `2px ${css} ${palette.edges[k]}`;
        item.append(sample, document.createTextNode(label));
        return item;
      }),
    );
    this.edgeLegend.setAttribute('aria-label', `Edges between tasks: ${EDGE_KINDS.map((k) => EDGE_STYLES[k].label).join(', ')}`);
  }
}
