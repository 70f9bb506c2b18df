// The webview page: a strict Content Security Policy with a fresh nonce, and
// the file name escaped.

import * as assert from 'node:assert/strict';
import { escapeHtml, graphHtml, makeNonce } from '../../../extension/host/graph/html';

describe('graph webview HTML', () => {
  const html = graphHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'N0nce', scriptUri: 'https://x.vscode-cdn.net/dist/webview.js', title: '<img src=x onerror=alert(1)>.dmtrace' });
  // The attribute value as the browser reads it (entities decoded).
  const csp = (/http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

  it('allows only the nonce-tagged script and styles, nothing inline or remote besides the webview source', () => {
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-N0nce'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], /nonce="N0nce" src="https:\/\/x\.vscode-cdn\.net\/dist\/webview\.js"/);
  });

  it('escapes the trace file name', () => {
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;.dmtrace'));
    assert.equal(escapeHtml(`"'&<>`), '&#34;&#39;&#38;&#60;&#62;');
  });

  it('makes a different 32-character nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, b);
  });
});
