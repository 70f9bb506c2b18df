// The races as text: a list for screen readers (visually hidden, reachable by
// Tab) and the live region that announces the selection. Trace strings only
// ever go in through textContent.

import type { GraphRace } from '../extension/core/graph/model';

export class RaceList {
  constructor(
    private readonly list: HTMLElement,
    private readonly live: HTMLElement,
  ) {}

  show(races: GraphRace[], lineOf: (event: number) => number, onPick: (race: GraphRace) => void): void {
    const items = races.map((race) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'race-item';
      b.textContent = `${race.rule} ${race.name} (${race.severity}) at line ${lineOf(race.primary)}, device ${race.md}: ${race.message}`;
      b.addEventListener('click', () => onPick(race));
      li.append(b);
      const steps = document.createElement('ol');
      steps.setAttribute('aria-label', `witness schedule of ${race.rule}`);
      for (const step of race.witness) {
        const s = document.createElement('li');
        s.textContent = step.text;
        steps.append(s);
      }
      li.append(steps);
      return li;
    });
    if (items.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'No races found in this trace.';
      items.push(li);
    }
    // appended one by one: spreading 200k items into one call overflows the stack
    this.list.replaceChildren();
    for (const item of items) this.list.append(item);
  }

  announce(text: string): void {
    this.live.textContent = text;
  }
}
