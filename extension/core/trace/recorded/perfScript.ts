// `perf script` output (docs/formats.md):
//
//   comm  tid [cpu] seconds: group:event: (ip) key=val ...
//
// comm is right-aligned and may hold spaces; `pid/tid` appears when both
// fields are asked for (the tid names the task); the `[cpu]` column is absent
// when the recording had no cpu sample field (cpu 0 then). The task is read
// leftwards from the timestamp: the first `seconds:` token with a tid before it.

import type { Trace } from '../model';
import type { LineParser } from '../parser';
import { isBlank, isDigit, quote, skipBlanks, tokenEnd } from '../scan';
import { MAX_TIME_NS } from '../numbers';
import { ByteEvent } from './byteEvents';
import { digitsValue, readLines, readSecondsBytes, skipBlankBytes, tokenEndBytes } from './byteFields';
import { readProbeBody } from './fields';
import { RecordedTrace, secondsToNs, type RecordedOptions } from './recordedTrace';

const HASH = 35;
const SLASH = 47;
const COLON = 58;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** An indented callchain line: `\t    ffffffffc04a1c30 dm_get_md+0x30 ([dm_mod])`; group 1 is the function. */
const CALLCHAIN_FRAME = /^\s+[0-9a-f]{4,16}\s+([^\s+(]+)/;

/** comm can hold a few words; the timestamp is never further than this many tokens in. */
const MAX_HEAD_TOKENS = 12;

export class PerfScriptParser implements LineParser {
  private readonly out: RecordedTrace;
  private readonly starts = new Int32Array(MAX_HEAD_TOKENS);
  private readonly ends = new Int32Array(MAX_HEAD_TOKENS);

  private readonly ev = new ByteEvent();

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('perf-script', { ...options, timeOrdered: false, bytes: { addressFirst: true, callFromName: false, keyValuesOnly: false } });
  }

  /** The lines of bytes[start, end) (byteLines.ts), each read by lineBytes or line(). */
  linesBytes(b: Uint8Array, start: number, end: number, lineNo: number): number {
    return readLines(this, b, start, end, lineNo);
  }

  /**
   * The byte path (byteEvents.ts) for the common line: `comm tid [cpu]
   * seconds: [period] group:event: [(ip)] key=val ...` with a one-word comm
   * (`pid/tid` allowed). False leaves the line to line(): comments, callchain
   * frames, an unknown task (-1), anything unusual.
   */
  lineBytes(b: Uint8Array, start: number, end: number, lineNo: number): boolean {
    const p = skipBlankBytes(b, start, end);
    if (p === end) return true;
    const ev = this.ev;
    // comm: printable ASCII, and not what CALLCHAIN_FRAME takes for a frame's address
    let q = p;
    let hex = true;
    for (; q < end; q++) {
      const c = b[q];
      if (c <= 32 || c > 126) break;
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) hex = false;
    }
    if (q < end && !isBlank(b[q])) return false;
    if (b[p] === HASH || (p > start && hex && q - p >= 4 && q - p <= 16)) return false;
    ev.commStart = p;
    ev.commEnd = q;
    // tid, or pid/tid
    let t = skipBlankBytes(b, q, end);
    q = tokenEndBytes(b, t, end);
    const slash = indexOfByte(b, t, q, SLASH);
    if (slash >= 0) {
      if (digitsValue(b, t, slash) < 0) return false;
      t = slash + 1;
    }
    if (digitsValue(b, t, q) < 0) return false;
    ev.pidStart = t;
    ev.pidEnd = q;
    // [cpu]
    t = skipBlankBytes(b, q, end);
    q = tokenEndBytes(b, t, end);
    ev.cpu = 0;
    if (b[t] === OPEN_BRACKET && b[q - 1] === CLOSE_BRACKET && q - t > 2) {
      // at most 9 digits: in range, and exact
      const cpu = q - t > 11 ? -1 : digitsValue(b, t + 1, q - 1);
      if (cpu < 0) return false;
      ev.cpu = cpu;
      t = skipBlankBytes(b, q, end);
      q = tokenEndBytes(b, t, end);
    }
    // seconds:
    if (q - t < 2 || b[q - 1] !== COLON || !readSecondsBytes(ev, b, t, q - 1) || !(ev.timeNs <= MAX_TIME_NS)) return false;
    // a sampling event's period, then `group:event:`
    t = skipBlankBytes(b, q, end);
    q = tokenEndBytes(b, t, end);
    if (q - t <= 20 && digitsOnly(b, t, q)) {
      t = skipBlankBytes(b, q, end);
      q = tokenEndBytes(b, t, end);
    }
    if (q - t < 2 || b[q - 1] !== COLON) return false;
    ev.nameStart = t;
    ev.nameEnd = q - 1;
    ev.printed = -1;
    ev.bodyStart = q;
    ev.bytes = b;
    ev.line = lineNo;
    ev.caller = undefined;
    if (!this.out.acceptBytes(ev)) return false;
    this.out.addBytes(ev);
    this.frames = ev.isReturn ? -1 : 0;
    return true;
  }

  line(text: string, lineNo: number): void {
    const first = skipBlanks(text, 0);
    if (first === text.length || this.out.comment(text, lineNo)) return;
    if (first > 0 && CALLCHAIN_FRAME.test(text)) {
      this.callchainFrame(text);
      return;
    }
    this.frames = -1;
    const head = readHead(text, first, this.starts, this.ends);
    if (!head) {
      this.out.builder.error(lineNo, first + 1, 'not a perf script line: expected "comm tid [cpu] seconds: group:event: ..."', tokenEnd(text, first) + 1);
      return;
    }
    if (!this.out.inRange('time', head.timeNs, text, head.timeStart, head.timeEnd - 1, lineNo)) return;
    if (head.cpuEnd > head.cpuStart && !this.out.inRange('cpu', head.cpu, text, head.cpuStart, head.cpuEnd, lineNo)) return;
    if (head.tid === '-1' && !this.warnedUnknownTask) {
      this.warnedUnknownTask = true;
      this.out.builder.warning(lineNo, first + 1, 'perf did not know the task of this event (pid -1): such events are analysed as one task, in file order', head.timeEnd + 1);
    }
    this.event(text, head.timeEnd, lineNo, head);
  }
  private warnedUnknownTask = false;

  finish(): Trace {
    return this.out.finish();
  }

  /**
   * `perf record -g` prints the callchain under each sample, innermost frame
   * first: the first frame is the probed function, the second its caller,
   * which becomes the call context of the event just read.
   */
  private callchainFrame(text: string): void {
    if (this.frames < 0) return;
    this.frames++;
    if (this.frames !== 2) return;
    const m = CALLCHAIN_FRAME.exec(text);
    if (m) this.out.setLastCaller(m[1]);
  }
  /** Callchain frames seen after the last event (-1: not collecting). */
  private frames = -1;

  private event(text: string, p: number, lineNo: number, at: { comm: string; tid: string; cpu: number; timeNs: number }): void {
    let q = skipBlanks(text, p);
    // a sampling event prints its period first (`1 cycles:`)
    const periodEnd = tokenEnd(text, q);
    if (allDigitsIn(text, q, periodEnd)) q = skipBlanks(text, periodEnd);
    const end = tokenEnd(text, q);
    if (end - q < 2 || text.charCodeAt(end - 1) !== 58 /* : */) {
      this.out.builder.error(lineNo, q + 1, `expected "group:event:" after the timestamp, found ${quote(text, q, end)}`, end + 1);
      return;
    }
    const body = readProbeBody(text, end, true);
    this.frames = body.call?.kind === 'return' ? -1 : 0;
    this.out.add({
      timeNs: at.timeNs,
      cpu: at.cpu,
      taskKey: at.tid === '0' ? `0@${at.cpu}` : at.tid,
      taskName: `${at.comm}/${at.tid}`,
      name: text.slice(q, end - 1),
      symbol: body.symbol,
      args: body.args,
      line: lineNo,
      caller: body.returnSite,
      call: body.call,
      bare: body.bare,
    });
  }
}

interface PerfHead {
  comm: string;
  tid: string;
  cpu: number;
  timeNs: number;
  /** Where the timestamp starts, and the position right after its colon. */
  timeStart: number;
  timeEnd: number;
  /** The digits of `[cpu]` (an empty range when the line has none). */
  cpuStart: number;
  cpuEnd: number;
}

/**
 * `comm tid [cpu] seconds:` (or `pid/tid`; `-1` for a task perf did not know)
 * within the first MAX_HEAD_TOKENS tokens, then a `group:event:` token; the
 * token boundaries go to `starts`/`ends`. Shared with format detection.
 */
function readHead(text: string, first: number, starts: Int32Array, ends: Int32Array): PerfHead | undefined {
  let p = first;
  for (let t = 0; t < MAX_HEAD_TOKENS && p < text.length; t++) {
    const end = tokenEnd(text, p);
    starts[t] = p;
    ends[t] = end;
    p = skipBlanks(text, end);
    if (t === 0 || text.charCodeAt(end - 1) !== 58 /* : */) continue;
    const timeNs = secondsToNs(text, starts[t], end - 1);
    if (Number.isNaN(timeNs)) continue;
    let k = t - 1;
    let cpu = 0;
    let cpuStart = 0;
    let cpuEnd = 0;
    if (text.charCodeAt(starts[k]) === 91 /* [ */ && text.charCodeAt(ends[k] - 1) === 93 /* ] */ && allDigitsIn(text, starts[k] + 1, ends[k] - 1)) {
      cpuStart = starts[k] + 1;
      cpuEnd = ends[k] - 1;
      cpu = Number(text.slice(cpuStart, cpuEnd));
      k--;
    }
    if (k < 1) return undefined;
    const slash = text.indexOf('/', starts[k]);
    const tidStart = slash >= 0 && slash < ends[k] ? slash + 1 : starts[k];
    if (!isPid(text, starts[k], tidStart > starts[k] ? tidStart - 1 : ends[k]) || !isPid(text, tidStart, ends[k])) return undefined;
    return { comm: text.slice(first, ends[k - 1]), tid: text.slice(tidStart, ends[k]), cpu, timeNs, timeStart: starts[t], timeEnd: end, cpuStart, cpuEnd };
  }
  return undefined;
}

/** Is `text` (a bounded prefix of a line) a perf script event line? */
export function isPerfScriptLine(text: string): boolean {
  const first = skipBlanks(text, 0);
  const head = readHead(text, first, new Int32Array(MAX_HEAD_TOKENS), new Int32Array(MAX_HEAD_TOKENS));
  if (!head) return false;
  // then `group:event:` (after a sampling event's period, if any)
  let q = skipBlanks(text, head.timeEnd);
  let end = tokenEnd(text, q);
  if (allDigitsIn(text, q, end)) end = tokenEnd(text, (q = skipBlanks(text, end)));
  return end - q >= 2 && text.charCodeAt(end - 1) === 58 /* : */;
}

function digitsOnly(b: Uint8Array, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (!isDigit(b[i])) return false;
  return true;
}

function indexOfByte(b: Uint8Array, from: number, to: number, c: number): number {
  for (let i = from; i < to; i++) if (b[i] === c) return i;
  return -1;
}

/** A pid or tid: digits, or `-1` for one perf did not know. */
function isPid(text: string, from: number, to: number): boolean {
  return allDigitsIn(text, from, to) || (to - from === 2 && text.charCodeAt(from) === 45 /* - */ && text.charCodeAt(from + 1) === 49 /* 1 */);
}

function allDigitsIn(text: string, from: number, to: number): boolean {
  if (from >= to || to - from > 20) return false;
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}
