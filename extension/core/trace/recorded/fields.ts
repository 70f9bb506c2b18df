// The tail of a probe line, shared by ftrace, trace-cmd and perf script:
// `(dm_get+0x0/0x30 [dm_mod]) md=0xffff... holders=2`. Recorders print
// tracepoint payloads that are not all key=value (`sched_switch` writes
// `==>`), so tokens without `=` are skipped, never an error.

import { isBlank, skipBlanks, tokenEnd } from '../scan';

/** Where a probe sits, for pairing a kretprobe with its entry (docs/formats.md, return probes). */
export interface CallSite {
  /** `entry`: at the probed function's start; `return`: a kretprobe; `inside`: any other instruction (a call site). */
  kind: 'entry' | 'return' | 'inside';
  /** The function: its symbol, or its address (hex, no `0x`) when the recorder printed no symbol. */
  fn: string;
}

export interface ProbeBody {
  /** The probed function: `dm_get` of `(dm_get+0x0/0x30 [dm_mod])`, or of `(caller+0x1c/0x90 <- dm_get)` for a return probe. */
  symbol?: string;
  /** The caller of a return probe (`caller` above). */
  returnSite?: string;
  call?: CallSite;
  args: [string, string][];
  /** The first number printed without a key (a syscall exit's `0x1194`). */
  bare?: string;
}

/**
 * Reads the body starting at p (after the event name and its colon).
 * `addressFirst`: a return probe's `(A <- B)` made of two addresses names the
 * function first (perf's print format `(func <- ret_ip)`; ftrace's text is
 * `(ret_ip <- func)`).
 */
export function readProbeBody(text: string, p: number, addressFirst = false): ProbeBody {
  const body: ProbeBody = { args: [] };
  p = skipBlanks(text, p);
  if (text.charCodeAt(p) === 40 /* ( */) {
    const close = text.indexOf(')', p);
    if (close > p) {
      const where = location(text.slice(p + 1, close), addressFirst);
      body.symbol = where.symbol;
      body.returnSite = where.returnSite;
      body.call = where.call;
      p = skipBlanks(text, close + 1);
    }
  }
  while (p < text.length) {
    const end = tokenEnd(text, p);
    let eq = p;
    while (eq < end && text.charCodeAt(eq) !== 61 /* = */) eq++;
    if (eq > p && eq < end) {
      const key = text.slice(p, eq);
      if (text.charCodeAt(eq + 1) === 34 /* " */) {
        const close = text.indexOf('"', eq + 2);
        const stop = close < 0 ? text.length : close;
        body.args.push([key, text.slice(eq + 2, stop)]);
        p = skipBlanks(text, close < 0 ? text.length : close + 1);
        continue;
      }
      if (end > eq + 1) body.args.push([key, text.slice(eq + 1, end)]);
    } else if (eq === end && body.bare === undefined && isNumber(text.slice(p, end))) {
      body.bare = text.slice(p, end);
    }
    p = skipBlanks(text, end);
  }
  return body;
}

export type Location = Pick<ProbeBody, 'symbol' | 'returnSite' | 'call'>;

/** A probe prints the same few locations over and over: each is read once (per layout), up to a bound. */
const locations = [new Map<string, Location>(), new Map<string, Location>()];
const MAX_LOCATIONS = 4096;

/** What a location (the text inside `(...)`) says; read once per layout and location, up to a bound. */
export function location(loc: string, addressFirst: boolean): Location {
  const cache = locations[addressFirst ? 1 : 0];
  let where = cache.get(loc);
  if (where === undefined) {
    if (cache.size >= MAX_LOCATIONS) cache.clear();
    readLocation(loc, (where = {}), addressFirst);
    cache.set(loc, where);
  }
  return where;
}

/** `dm_get+0x0/0x30 [dm_mod]`, `caller+0x1c/0x90 <- dm_get`, or a bare address `ffffffffc04a1c30` / `0xffffffffc0522b3d`. */
function readLocation(loc: string, body: Location, addressFirst: boolean): void {
  const arrow = loc.indexOf('<-');
  if (arrow >= 0) {
    let site = loc.slice(0, arrow);
    let func = loc.slice(arrow + 2);
    if (addressFirst && isAddress(firstToken(site)) && isAddress(firstToken(func))) [site, func] = [func, site];
    body.returnSite = symbolOf(site);
    body.symbol = symbolOf(func);
    body.call = { kind: 'return', fn: body.symbol ?? addressKey(firstToken(func)) };
    return;
  }
  body.symbol = symbolOf(loc);
  const token = firstToken(loc);
  if (body.symbol === undefined) {
    // an address alone (perf always; ftrace once the module is gone): the probe's own address
    if (isAddress(token)) body.call = { kind: 'entry', fn: addressKey(token) };
    return;
  }
  const plus = token.indexOf('+');
  const offset = plus < 0 ? 0 : parseInt(token.slice(plus + 1), 16);
  body.call = { kind: offset <= ENTRY_SLACK ? 'entry' : 'inside', fn: body.symbol };
}

/**
 * A kprobe on a function prints `func+0x0`, or `func+0x4` on a kernel built
 * with IBT (the probe moves past the `endbr64` landing pad): up to this many
 * bytes in is still the function's entry.
 */
const ENTRY_SLACK = 8;

function firstToken(part: string): string {
  const p = skipBlanks(part, 0);
  return part.slice(p, tokenEnd(part, p));
}

function symbolOf(part: string): string | undefined {
  let p = 0;
  while (p < part.length && isBlank(part.charCodeAt(p))) p++;
  let end = p;
  while (end < part.length && !isBlank(part.charCodeAt(end)) && part.charCodeAt(end) !== 43 /* + */) end++;
  const sym = part.slice(p, end);
  // a bare instruction pointer names no function
  return sym === '' || isAddress(sym) ? undefined : sym;
}

/** `0xffffffffc0522b3d`, `ffffffffc05232e0`, `55d1c2a4a3c0`; not a symbol made of hex letters (`add`, `bad`). */
function isAddress(token: string): boolean {
  return /^0x[0-9a-f]+$/i.test(token) || (/^[0-9a-f]{6,}$/i.test(token) && /\d/.test(token));
}

/** `0xFFFFFFFFC0522B3D` and `ffffffffc0522b3d` are the same function. */
function addressKey(token: string): string {
  return token.toLowerCase().replace(/^(0x)?0*/, '');
}

function isNumber(token: string): boolean {
  return /^(-?\d+|0x[0-9a-f]+)$/i.test(token);
}
