// The tail of a probe line, shared by ftrace, trace-cmd and perf script:
// `(dm_get+0x0/0x30 [dm_mod]) md=0xffff... holders=2`. Recorders print
// tracepoint payloads that are not all key=value (`sched_switch` writes
// `==>`), so tokens without `=` are skipped, never an error.

import { isBlank, skipBlanks, tokenEnd } from '../scan';

export interface ProbeBody {
  /** The probed function: `dm_get` of `(dm_get+0x0/0x30 [dm_mod])`, or of `(caller+0x1c/0x90 <- dm_get)` for a return probe. */
  symbol?: string;
  /** The caller of a return probe (`caller` above). */
  returnSite?: string;
  args: [string, string][];
}

/** Reads the body starting at p (after the event name and its colon). */
export function readProbeBody(text: string, p: number): ProbeBody {
  const body: ProbeBody = { args: [] };
  p = skipBlanks(text, p);
  if (text.charCodeAt(p) === 40 /* ( */) {
    const close = text.indexOf(')', p);
    if (close > p) {
      readLocation(text.slice(p + 1, close), body);
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
    }
    p = skipBlanks(text, end);
  }
  return body;
}

/** `dm_get+0x0/0x30 [dm_mod]`, `caller+0x1c/0x90 <- dm_get`, or a bare address `ffffffffc04a1c30`. */
function readLocation(loc: string, body: ProbeBody): void {
  const arrow = loc.indexOf('<-');
  if (arrow >= 0) {
    body.returnSite = symbolOf(loc.slice(0, arrow));
    body.symbol = symbolOf(loc.slice(arrow + 2));
    return;
  }
  body.symbol = symbolOf(loc);
}

function symbolOf(part: string): string | undefined {
  let p = 0;
  while (p < part.length && isBlank(part.charCodeAt(p))) p++;
  let end = p;
  while (end < part.length && !isBlank(part.charCodeAt(end)) && part.charCodeAt(end) !== 43 /* + */) end++;
  const sym = part.slice(p, end);
  // a bare instruction pointer names no function
  return sym === '' || /^(0x)?[0-9a-f]+$/i.test(sym) ? undefined : sym;
}
