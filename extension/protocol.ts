// The one message protocol between the extension host and the graph webview.
// Both bundles import this file, so a message cannot drift between them.
// Messages FROM the webview are untrusted input (a webview runs trace-derived
// content): the host accepts them only through `parseWebviewMessage`.

import type { GraphModel } from './core/graph/model';

export type { GraphModel } from './core/graph/model';

/** What the graph should bring into view when it opens. */
export interface GraphFocus {
  /** A finding index of the analysis: fit the view to its race. */
  finding?: number;
  /** An event index: select it. */
  event?: number;
}

// ---- host -> webview ----

export interface ShowGraphMessage {
  type: 'graph';
  graph: GraphModel;
  focus?: GraphFocus;
}

/** The editor's cursor (or the interleaving stepper) is on this event: select it. */
export interface HighlightMessage {
  type: 'highlight';
  event: number;
  /** Also scroll it into view (false when the user is only moving the cursor around). */
  reveal: boolean;
}

export interface FocusRaceMessage {
  type: 'focusRace';
  finding: number;
}

export type HostMessage = ShowGraphMessage | HighlightMessage | FocusRaceMessage;

// ---- webview -> host ----

/** Sent once the webview's script runs, so the host knows it can post the graph. */
export interface ReadyMessage {
  type: 'ready';
}

/** The user clicked (or stepped to) an event: show its line in the trace editor. */
export interface RevealMessage {
  type: 'reveal';
  event: number;
}

/** The user picked a race in the graph. */
export interface SelectRaceMessage {
  type: 'selectRace';
  finding: number;
}

/** Export of the current view: SVG text, or a PNG as a data URL. */
export interface ExportMessage {
  type: 'export';
  format: 'svg' | 'png';
  data: string;
}

/** An error in the webview, for the host's log. */
export interface WebviewErrorMessage {
  type: 'error';
  message: string;
}

export type WebviewMessage = ReadyMessage | RevealMessage | SelectRaceMessage | ExportMessage | WebviewErrorMessage;

/** Exports larger than this are refused (a 4k PNG is a few MB). */
export const MAX_EXPORT_LENGTH = 64 * 1024 * 1024;
const MAX_ERROR_LENGTH = 4096;
const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function hasOnlyKeys(v: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(v).every((k) => keys.includes(k));
}

/**
 * The message, when it is exactly one of the webview messages (no unknown
 * type, no missing or extra field, no wrong type); otherwise undefined.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'ready':
      return hasOnlyKeys(value, ['type']) ? { type: 'ready' } : undefined;
    case 'reveal':
      return hasOnlyKeys(value, ['type', 'event']) && isIndex(value.event) ? { type: 'reveal', event: value.event } : undefined;
    case 'selectRace':
      return hasOnlyKeys(value, ['type', 'finding']) && isIndex(value.finding) ? { type: 'selectRace', finding: value.finding } : undefined;
    case 'export': {
      if (!hasOnlyKeys(value, ['type', 'format', 'data']) || typeof value.data !== 'string' || value.data.length > MAX_EXPORT_LENGTH) return undefined;
      if (value.format === 'svg' && /^<svg[\s>]/.test(value.data)) return { type: 'export', format: 'svg', data: value.data };
      if (value.format === 'png' && PNG_DATA_URL.test(value.data)) return { type: 'export', format: 'png', data: value.data };
      return undefined;
    }
    case 'error':
      return hasOnlyKeys(value, ['type', 'message']) && typeof value.message === 'string'
        ? { type: 'error', message: value.message.slice(0, MAX_ERROR_LENGTH) }
        : undefined;
    default:
      return undefined;
  }
}
