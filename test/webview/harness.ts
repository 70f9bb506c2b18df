// What the browser tests and the graph benchmark need from the TypeScript side,
// bundled on the fly by run.mjs (and by the bench): graphs of traces, the page
// VS Code would show (same HTML, same CSP) with a mocked VS Code API, and a
// codec that moves typed arrays through JSON the way VS Code's postMessage
// moves them as buffers.

import { analyzeText } from '../../extension/core/analyze';
import { buildGraph } from '../../extension/core/graph/build';
import type { GraphModel } from '../../extension/core/graph/model';
import { graphHtml, makeNonce } from '../../extension/host/graph/html';

export { buildGraph, analyzeText };

export function graphOf(text: string, title: string): GraphModel {
  return buildGraph(analyzeText(text, { fileName: title }), { title });
}

type Typed = Int32Array | Uint8Array | Float64Array | Uint32Array;

/** JSON with every typed array as `{ $t: name, b: base64 }`. */
export function encodeGraph(graph: unknown): string {
  return JSON.stringify(graph, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const t = v as Typed;
      return { $t: t.constructor.name, b: Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64') };
    }
    return v;
  });
}

/** The decoder, as source text for the page (it runs in the browser, not here). */
export const DECODER_SOURCE = `
window.__decodeGraph = (text) => JSON.parse(text, (k, v) => {
  if (v && typeof v === 'object' && typeof v.$t === 'string' && typeof v.b === 'string') {
    const bin = atob(v.b);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const T = { Int32Array, Uint8Array, Float64Array, Uint32Array }[v.$t];
    return new T(bytes.buffer);
  }
  return v;
});`;

export type ThemeKind = 'dark' | 'light' | 'high-contrast';

/** A few of the variables VS Code defines, per theme kind (values from the default themes). */
const THEMES: Record<ThemeKind, { cls: string; vars: Record<string, string> }> = {
  dark: {
    cls: 'vscode-dark',
    vars: {
      '--vscode-editor-background': '#1e1e1e', '--vscode-editor-foreground': '#d4d4d4', '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-sideBar-background': '#252526', '--vscode-focusBorder': '#007fd4',
      '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#cca700', '--vscode-terminal-ansiCyan': '#11a8cd',
      '--vscode-editorError-foreground': '#f14c4c', '--vscode-editorWarning-foreground': '#cca700', '--vscode-textLink-foreground': '#3794ff',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
  light: {
    cls: 'vscode-light',
    vars: {
      '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#000000', '--vscode-foreground': '#616161',
      '--vscode-descriptionForeground': '#717171', '--vscode-sideBar-background': '#f3f3f3', '--vscode-focusBorder': '#0090f1',
      '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34', '--vscode-charts-yellow': '#bf8803', '--vscode-terminal-ansiCyan': '#0598bc',
      '--vscode-editorError-foreground': '#e51400', '--vscode-editorWarning-foreground': '#bf8803', '--vscode-textLink-foreground': '#006ab1',
      '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
  'high-contrast': {
    cls: 'vscode-high-contrast',
    vars: {
      '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffff', '--vscode-sideBar-background': '#000000', '--vscode-focusBorder': '#f38518',
      '--vscode-contrastBorder': '#6fc3df', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#ffd700',
      '--vscode-terminal-ansiCyan': '#00ffff', '--vscode-editorError-foreground': '#f48771', '--vscode-editorWarning-foreground': '#ffd700',
      '--vscode-textLink-foreground': '#21a6ff', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
    },
  },
};

/** Script (for page.evaluate) that switches the page to another theme, as VS Code does. */
export function themeSwitchSource(kind: ThemeKind): string {
  const t = THEMES[kind];
  return `(() => { const b = document.body; for (const [k, v] of Object.entries(${JSON.stringify(t.vars)})) document.documentElement.style.setProperty(k, v);
    b.className = ${JSON.stringify(t.cls)}; })()`;
}

/**
 * The webview page as VS Code would serve it, with a mocked `acquireVsCodeApi`
 * recording every posted message in `window.__posted`, CSP violations in
 * `window.__csp`, and a frame probe for timings.
 */
export function testPage(origin: string, theme: ThemeKind = 'dark'): string {
  const nonce = makeNonce();
  const html = graphHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, title: 'test' });
  const setup = `<script nonce="${nonce}">
window.__posted = []; window.__csp = [];
window.__dmRaceLensProbe = { frames: [] };
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
${DECODER_SOURCE}
${themeSwitchSource(theme)};
</script>`;
  const marker = `<script nonce="${nonce}" src=`;
  return html.replace(marker, `${setup}\n${marker}`);
}
