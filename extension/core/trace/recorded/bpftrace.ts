// bpftrace output in the printf layout the project documents (docs/formats.md):
//
//   nsecs cpu tid comm event key=val ...
//
// e.g. `printf("%llu %d %d %s dm_get md=0x%lx\n", nsecs, cpu, tid, comm, arg0)`.
// comm may hold spaces, so the line is read from both ends: three numbers on
// the left, key=value tokens on the right, the event just before them, comm
// in between. Per-cpu perf buffers reach user space interleaved, so events
// are put in time order (ties keep file order) before the analysis.

import type { Trace } from '../model';
import type { LineParser } from '../parser';
import { isDigit, quote, skipBlanks, tokenEnd } from '../scan';
import { callOfName } from './eventNames';
import { MAX_INT32, MAX_TIME_NS } from '../numbers';
import { ByteEvent } from './byteEvents';
import { digitsValue, readLine } from './byteFields';
import { RecordedTrace, type RecordedOptions } from './recordedTrace';

const SPACE = 32;
const TAB = 9;
const CR = 13;
const NEWLINE = 10;
const ZERO = 48;
const NINE = 57;

export class BpftraceParser implements LineParser {
  private readonly out: RecordedTrace;
  /** Token boundaries, reused from line to line (grown for a line with more tokens). */
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);

  private readonly ev = new ByteEvent();

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('bpftrace', { ...options, timeOrdered: true, bytes: { addressFirst: false, callFromName: true, keyValuesOnly: true } });
  }

  /** The lines of bytes[start, end) (byteLines.ts): each read by lineBytes, or decoded for line() when it declines. */
  linesBytes(b: Uint8Array, start: number, end: number, lineNo: number): number {
    this.out.sizeFor(end - start);
    for (let p = start; p < end; ) {
      lineNo++;
      const next = this.lineBytes(b, p, lineNo);
      p = next >= 0 ? next : readLine(this, b, p, lineNo);
    }
    return lineNo;
  }

  /**
   * The byte path (byteEvents.ts) for the common line at p: `nsecs cpu tid comm
   * event key=val ...` with a one-word comm, numbers of at most 20 digits and
   * every token after the event a key=value. Returns where the next line
   * starts, or -1 to leave the line to line(). One pass up to the line's `\n`
   * (a `\r` is a blank like any other): each number is read as its digits are
   * found, ByteEvents reads the arguments.
   */
  lineBytes(b: Uint8Array, p: number, lineNo: number): number {
    let c = b[p];
    while (c === SPACE || c === TAB || c === CR) c = b[++p];
    if (c === NEWLINE) return p + 1;
    // nsecs: read here, not by a function returning it (a double returned is a new heap number each time)
    let q = p;
    let timeNs = 0;
    for (; c >= ZERO && c <= NINE; c = b[++q]) timeNs = timeNs * 10 + (c - ZERO);
    if (q === p || !(c === SPACE || c === TAB || c === CR)) return -1;
    if (q - p > 15) timeNs = digitsValue(b, p, q);
    if (timeNs < 0 || timeNs > MAX_TIME_NS) return -1;
    // cpu (at most 10 digits: a longer one with leading zeros is the text path's)
    do c = b[++q];
    while (c === SPACE || c === TAB || c === CR);
    let cpu = 0;
    for (p = q; c >= ZERO && c <= NINE; c = b[++q]) cpu = cpu * 10 + (c - ZERO);
    if (q === p || q - p > 10 || cpu > MAX_INT32 || !(c === SPACE || c === TAB || c === CR)) return -1;
    // tid
    do c = b[++q];
    while (c === SPACE || c === TAB || c === CR);
    for (p = q; c >= ZERO && c <= NINE; c = b[++q]);
    if (q === p || q - p > 20 || !(c === SPACE || c === TAB || c === CR)) return -1;
    const ev = this.ev;
    ev.pidStart = p;
    ev.pidEnd = q;
    // comm: one word (ByteEvents checks it is ASCII when it names a task)
    do c = b[++q];
    while (c === SPACE || c === TAB || c === CR);
    for (p = q; c > SPACE; c = b[++q]);
    if (q === p || !(c === SPACE || c === TAB || c === CR)) return -1;
    ev.commStart = p;
    ev.commEnd = q;
    // the event (ByteEvents takes a name with no `=`, each byte 1-127: the text path reports a missing one)
    do c = b[++q];
    while (c === SPACE || c === TAB || c === CR);
    for (p = q; c > SPACE; c = b[++q]);
    if (q === p) return -1;
    ev.bytes = b;
    ev.nameStart = p;
    ev.nameEnd = q;
    ev.printed = -1;
    ev.bodyStart = q;
    ev.line = lineNo;
    ev.timeNs = timeNs;
    ev.cpu = cpu;
    ev.caller = undefined;
    if (!this.out.acceptBytes(ev)) return -1;
    this.out.addBytes(ev);
    return ev.lineEnd + 1;
  }

  line(text: string, lineNo: number): void {
    const first = skipBlanks(text, 0);
    if (first === text.length || this.out.comment(text, lineNo)) return;
    if (!isDigit(text.charCodeAt(first)) && this.message(text, first, lineNo)) return;
    let n = 0;
    for (let p = first; p < text.length; n++) {
      if (n === this.starts.length) this.grow();
      const e = tokenEnd(text, p);
      this.starts[n] = p;
      this.ends[n] = e;
      p = skipBlanks(text, e);
    }
    const starts = this.starts;
    const ends = this.ends;
    if (n < 5) {
      this.bad(text, lineNo, first, 'not a bpftrace event line: expected "nsecs cpu tid comm event key=val ..."', text.length);
      return;
    }
    for (let k = 0; k < 3; k++) {
      if (!unsignedAt(text, starts[k], ends[k])) {
        this.bad(text, lineNo, starts[k], `expected ${['nsecs', 'cpu', 'tid'][k]} (an unsigned number), found ${quote(text, starts[k], ends[k])}`);
        return;
      }
    }
    let e = n;
    while (e > 5 && keyValueAt(text, starts[e - 1], ends[e - 1]) > 0) e--;
    const eventAt = e - 1;
    if (keyValueAt(text, starts[eventAt], ends[eventAt]) > 0) {
      this.bad(text, lineNo, starts[3], 'missing comm or event name before the key=value arguments');
      return;
    }
    const args: [string, string][] = [];
    for (let k = e; k < n; k++) {
      const eq = keyValueAt(text, starts[k], ends[k]);
      args.push([text.slice(starts[k], eq), text.slice(eq + 1, ends[k])]);
    }
    const tid = text.slice(starts[2], ends[2]);
    const cpu = unsignedValue(text, starts[1], ends[1]);
    const timeNs = unsignedValue(text, starts[0], ends[0]);
    if (!this.out.inRange('time', timeNs, text, starts[0], ends[0], lineNo) || !this.out.inRange('cpu', cpu, text, starts[1], ends[1], lineNo)) return;
    const name = text.slice(starts[eventAt], ends[eventAt]);
    this.out.add({
      timeNs,
      cpu,
      taskKey: tid === '0' ? `0@${cpu}` : tid,
      taskName: this.taskName(text, starts[3], ends[eventAt - 1], tid),
      name,
      args,
      line: lineNo,
      call: this.callOf(name),
    });
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  private bad(text: string, lineNo: number, at: number, message: string, end = tokenEnd(text, at)): void {
    this.out.builder.error(lineNo, at + 1, message, end + 1);
  }

  /** `comm/tid` for text[from, to) and tid, made again only when a tid's comm changes. */
  private taskName(text: string, from: number, to: number, tid: string): string {
    const last = this.lastComm.get(tid);
    if (last !== undefined && last.comm.length === to - from && text.startsWith(last.comm, from)) return last.name;
    const comm = text.slice(from, to);
    const name = `${comm}/${tid}`;
    this.lastComm.set(tid, { comm, name });
    return name;
  }
  private readonly lastComm = new Map<string, { comm: string; name: string }>();

  /** No location column: the name says return (`kretprobe:dm_get_md`, what bpftrace's `probe` prints), and names the function. */
  private callOf(name: string): { kind: 'entry' | 'return'; fn: string } {
    let call = this.calls.get(name);
    if (call === undefined) this.calls.set(name, (call = callOfName(name)));
    return call;
  }
  private readonly calls = new Map<string, { kind: 'entry' | 'return'; fn: string }>();

  /**
   * bpftrace's own messages, and the maps it prints at exit (`@holders[...]: 3`)
   * (and the ^C a terminal echoes when the user stops it); `Lost N events` is a gap.
   */
  private message(text: string, first: number, lineNo: number): boolean {
    if (/^(Attach(ing|ed) \d+ probes?|\^C\s*$)/.test(text.slice(first, first + 24)) || text.charCodeAt(first) === 64 /* @ */) return true;
    const lost = /^Lost (\d+) events/.exec(text.slice(first, first + 40));
    if (lost) this.out.gap(-1, Number(lost[1]), lineNo, first + 1, first + lost[0].length + 1);
    return lost !== null;
  }

  finish(): Trace {
    return this.out.finish();
  }
}

/** The position of the `=` of a key=value token (both sides non-empty), or -1. */
function keyValueAt(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 61 /* = */) return i > start && i < end - 1 ? i : -1;
  return -1;
}

/** The value of the digits text[start, end) (checked by unsignedAt), as Number() reads them. */
function unsignedValue(text: string, start: number, end: number): number {
  // up to 15 digits the value is exact in a double, digit by digit; longer ones are rounded as Number rounds them
  if (end - start > 15) return Number(text.slice(start, end));
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + (text.charCodeAt(i) - 48);
  return v;
}

function unsignedAt(text: string, start: number, end: number): boolean {
  if (end - start > 20) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return end > start;
}
