// The host accepts from the webview only well-formed messages of the protocol.

import * as assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../extension/protocol';

describe('graph webview protocol', () => {
  it('accepts each webview message in its exact shape', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'reveal', event: 12 }), { type: 'reveal', event: 12 });
    assert.deepEqual(parseWebviewMessage({ type: 'selectRace', finding: 0 }), { type: 'selectRace', finding: 0 });
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'svg', data: svg }), { type: 'export', format: 'svg', data: svg });
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'png', data: png }), { type: 'export', format: 'png', data: png });
  });

  it('rejects unknown types, missing, extra and mistyped fields', () => {
    const bad: unknown[] = [
      null,
      'reveal',
      [],
      { type: 'nope' },
      { type: 'reveal' },
      { type: 'reveal', event: '3' },
      { type: 'reveal', event: -1 },
      { type: 'reveal', event: 1.5 },
      { type: 'reveal', event: Number.NaN },
      { type: 'reveal', event: 2 ** 60 },
      { type: 'reveal', event: 3, line: 4 },
      { type: 'ready', extra: true },
      { type: 'selectRace', finding: null },
      { type: 'export', format: 'gif', data: 'x' },
      { type: 'export', format: 'svg', data: '<html></html>' },
      { type: 'export', format: 'png', data: 'data:text/html;base64,PHNjcmlwdD4=' },
      { type: 'export', format: 'png', data: 'data:image/png;base64,"><script>' },
      { type: 'error', message: 42 },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m));
  });

  it('caps an error message from the webview', () => {
    const m = parseWebviewMessage({ type: 'error', message: 'x'.repeat(100000) });
    assert.equal(m?.type === 'error' && m.message.length, 4096);
  });
});
