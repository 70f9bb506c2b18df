// The webview's side of the protocol: typed posting to the host, and the
// host's messages.

import type { HostMessage, WebviewMessage } from '../extension/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function postToHost(message: WebviewMessage): void {
  api.postMessage(message);
}

export function onHostMessage(handler: (message: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as HostMessage | undefined;
    if (data && typeof data === 'object' && typeof data.type === 'string') handler(data);
  });
}
