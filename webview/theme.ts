// Colours come from the VS Code theme's CSS variables, read again whenever the
// theme changes (VS Code swaps the body class: vscode-light, vscode-dark,
// vscode-high-contrast, vscode-high-contrast-light).

import { EVENT_CLASSES } from '../extension/core/graph/model';

export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  gutter: string;
  laneStripe: string;
  grid: string;
  /** One per EVENT_CLASSES entry. */
  classes: string[];
  /** One per GRAPH_EDGE_KINDS entry. */
  edges: string[];
  error: string;
  warning: string;
  focus: string;
  witness: string;
  /** Outline drawn around markers in high-contrast themes ('' otherwise). */
  contrastBorder: string;
  highContrast: boolean;
  font: string;
  fontSize: number;
}

/** Theme variable and fallback per event class (fallbacks are the dark theme's chart colours). */
const CLASS_VARS: Record<string, [string, string]> = {
  lock: ['--vscode-charts-blue', '#3794ff'],
  idr: ['--vscode-charts-purple', '#b180d7'],
  refcount: ['--vscode-charts-orange', '#d18616'],
  lifecycle: ['--vscode-charts-green', '#89d185'],
  disk: ['--vscode-charts-yellow', '#cca700'],
  module: ['--vscode-terminal-ansiCyan', '#11a8cd'],
  other: ['--vscode-descriptionForeground', '#9d9d9d'],
};

export function readPalette(root: HTMLElement = document.body): Palette {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const highContrast = root.classList.contains('vscode-high-contrast') || root.classList.contains('vscode-high-contrast-light');
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', '#cccccc'));
  const classes = EVENT_CLASSES.map((c) => v(...CLASS_VARS[c]));
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground,
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    gutter: v('--vscode-sideBar-background', v('--vscode-editor-background', '#252526')),
    laneStripe: v('--vscode-editor-lineHighlightBackground', 'rgba(128,128,128,0.08)'),
    grid: v('--vscode-editorIndentGuide-background1', v('--vscode-editorIndentGuide-background', 'rgba(128,128,128,0.25)')),
    classes,
    edges: [classes[0], classes[1], classes[4], foreground, classes[3], classes[5]],
    error: v('--vscode-editorError-foreground', '#f14c4c'),
    warning: v('--vscode-editorWarning-foreground', '#cca700'),
    focus: v('--vscode-focusBorder', '#007fd4'),
    witness: v('--vscode-textLink-foreground', '#3794ff'),
    contrastBorder: highContrast ? v('--vscode-contrastBorder', foreground) : '',
    highContrast,
    font: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('--vscode-font-size', '13px')) || 13,
  };
}

/** Calls `onChange` when VS Code switches theme. */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
}
