// The graph webview's entry: starts the app (webview/app.ts), and reports
// anything that goes wrong to the host.

import { GraphApp } from './app';
import { postToHost } from './hostApi';

try {
  new GraphApp();
} catch (e) {
  postToHost({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
}
window.addEventListener('error', (e) => postToHost({ type: 'error', message: String(e.message) }));
