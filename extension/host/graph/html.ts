// The webview's HTML. No vscode import, so the browser tests serve the very
// same page (with the same Content Security Policy) that VS Code shows.

export interface GraphHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random value per page load. */
  nonce: string;
  /** URI of dist/webview.js as the webview may load it. */
  scriptUri: string;
  /** The trace's file name (escaped here). */
  title: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A nonce for the CSP: 32 alphanumerics from a CSPRNG. */
export function makeNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(new Uint8Array(32)), (b) => alphabet[b % alphabet.length]).join('');
}

export function graphHtml(o: GraphHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<!-- The toolkit (FAST) reads the nonce here for the one <style> element it creates. -->
<meta property="csp-nonce" content="${o.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Happens-before graph: ${escapeHtml(o.title)}</title>
<style nonce="${o.nonce}">
  html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
  body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background);
         font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #toolbar { flex: none; padding: 6px 10px 4px; display: flex; flex-direction: column; gap: 2px; }
  #toolbar .row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
  #toolbar .control { display: inline-flex; align-items: center; gap: 6px; }
  #toolbar .caption { color: var(--vscode-descriptionForeground); }
  #toolbar vscode-dropdown { min-width: 8em; max-width: 26em; }
  #classes { display: inline-flex; flex-wrap: wrap; gap: 2px 12px; }
  #edge-legend { display: inline-flex; flex-wrap: wrap; gap: 2px 10px; color: var(--vscode-descriptionForeground); }
  .edge-sample { display: inline-block; width: 18px; height: 0; margin-right: 4px; vertical-align: middle; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
  #stage { flex: 1; position: relative; min-height: 0; min-width: 0; overflow: hidden; }
  /* Out of the flow: the canvas follows the stage's size and must never hold it open. */
  #graph { position: absolute; left: 0; top: 0; display: block; outline: none; cursor: crosshair; touch-action: none; }
  #graph:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  #tooltip { position: absolute; pointer-events: none; white-space: pre; max-width: 520px; overflow: hidden; padding: 4px 8px;
             background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground);
             border: 1px solid var(--vscode-editorHoverWidget-border); font-family: var(--vscode-editor-font-family); font-size: 12px; z-index: 2; }
  #status { flex: none; padding: 2px 10px 4px; color: var(--vscode-descriptionForeground); font-size: 11px; }
  .sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
  .sr-only:focus-within { position: fixed; left: 8px; bottom: 8px; width: auto; height: auto; clip: auto; margin: 0; padding: 6px; white-space: normal;
             max-width: 70vw; background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-focusBorder); z-index: 3; }
</style>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Graph controls"></div>
<div id="stage">
  <canvas id="graph" tabindex="0" role="img" aria-label="Happens-before graph (loading)"></canvas>
  <div id="tooltip" role="tooltip" hidden></div>
</div>
<div id="status" aria-hidden="true"></div>
<section class="sr-only" aria-label="Races in this trace">
  <h2>Races</h2>
  <ul id="race-list"></ul>
</section>
<div id="announce" class="sr-only" aria-live="polite"></div>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
