// The one module that touches @vscode/webview-ui-toolkit. The rest of the
// webview asks for controls here, so replacing the toolkit (it is no longer
// developed upstream) means rewriting this file only. Every label and option
// text is set with textContent: trace strings (task names) pass through here.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDivider(), vsCodeDropdown(), vsCodeOption());
}

export interface ButtonOptions {
  label: string;
  title: string;
  id: string;
  onClick: () => void;
}

export function button(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = o.id;
  b.setAttribute('appearance', 'secondary');
  b.setAttribute('title', o.title);
  b.setAttribute('aria-label', o.title);
  b.textContent = o.label;
  b.addEventListener('click', o.onClick);
  return b;
}

export interface DropdownOption {
  value: string;
  label: string;
}

export interface Dropdown {
  element: HTMLElement;
  setOptions(options: DropdownOption[], selected?: string): void;
  readonly value: string;
  select(value: string): void;
}

/** A labelled dropdown; `onChange` gets the selected option's value. */
export function dropdown(id: string, label: string, onChange: (value: string) => void): Dropdown {
  const wrap = document.createElement('label');
  wrap.className = 'control';
  const caption = document.createElement('span');
  caption.className = 'caption';
  caption.textContent = label;
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.id = id;
  d.setAttribute('aria-label', label);
  d.addEventListener('change', () => onChange(d.value));
  wrap.append(caption, d);
  return {
    element: wrap,
    setOptions(options, selected) {
      d.replaceChildren(
        ...options.map((o) => {
          const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
          opt.setAttribute('value', o.value);
          opt.textContent = o.label;
          if (o.value === selected) opt.setAttribute('selected', '');
          return opt;
        }),
      );
      if (selected !== undefined) d.value = selected;
    },
    get value() {
      return d.value;
    },
    select(value) {
      // The dropdown settles its options after they are added and then selects the one marked `selected`:
      // the mark moves too, or a selection made right after setOptions is undone (the graph named the first race, not the focused one).
      for (const o of Array.from(d.children)) o.toggleAttribute('selected', o.getAttribute('value') === value);
      d.value = value;
    },
  };
}

/** A checkbox with a colour swatch before its label (the filters double as the legend). */
export function swatchCheckbox(id: string, label: string, color: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.id = id;
  if (checked) c.setAttribute('checked', '');
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = color;
  swatch.setAttribute('aria-hidden', 'true');
  const text = document.createElement('span');
  text.textContent = label;
  c.append(swatch, text);
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function divider(): HTMLElement {
  const d = document.createElement('vscode-divider');
  d.setAttribute('role', 'separator');
  return d;
}
