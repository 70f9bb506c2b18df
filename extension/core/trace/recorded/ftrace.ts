// ftrace text (`/sys/kernel/tracing/trace`, `trace_pipe`) and `trace-cmd
// report` (docs/formats.md). One line layout covers both:
//
//   comm-pid [(tgid)] [cpu] [flags] seconds: event: (sym+off/size [mod]) key=val ...
//   comm-pid [cpu] [flags] seconds: func <-parent          (function tracer)
//   comm-pid [cpu] seconds: function: func <-- parent      (trace-cmd's function tracer)
//
// comm may hold spaces, `-` and `/` (`kworker/0:1-123`), so the task is found
// from the cpu bracket leftwards: `-pid` right before `[cpu]`, comm is the rest.
// Function-tracer lines are call context (hover text for the task's next
// event), not events, unless `# !map` or a setting names the function.

import type { Trace, TraceFormat } from '../model';
import type { LineParser } from '../parser';
import { allDigits, isBlank, isDigit, quote, skipBlanks, tokenEnd } from '../scan';
import { MAX_TIME_NS } from '../numbers';
import { ByteEvent } from './byteEvents';
import { hasByte, isAscii, readLines, readSecondsBytes, skipBlankBytes, startsWithBytes, tokenEndBytes } from './byteFields';
import { readProbeBody } from './fields';
import { RecordedTrace, secondsToNs, type RecordedOptions } from './recordedTrace';

const HASH = 35;
const COLON = 58;
const EQUALS = 61;
const OPEN = 40;
const CLOSE = 41;
const ZERO = 48;

interface TaskField {
  comm: string;
  pid: string;
  cpu: number;
  /** Position of the cpu's first digit. */
  cpuStart: number;
  /** Position right after the `]` of the cpu. */
  end: number;
}

export class FtraceParser implements LineParser {
  private readonly out: RecordedTrace;
  /** Per task key number (RecordedTrace.keyOf), the last function-tracer line since the task's previous event. */
  private readonly callContext = new Map<number, string>();
  private readonly ev = new ByteEvent();
  /** trace-cmd report prints an unsymbolised kretprobe as `(func <- ret_ip)`, as perf does; ftrace's text is `(ret_ip <- func)`. */
  private readonly addressFirst: boolean;

  constructor(format: Extract<TraceFormat, 'ftrace' | 'trace-cmd'>, options: RecordedOptions = {}) {
    this.addressFirst = format === 'trace-cmd';
    this.out = new RecordedTrace(format, { ...options, timeOrdered: false, bytes: { addressFirst: this.addressFirst, callFromName: false, keyValuesOnly: false } });
  }

  /** The lines of bytes[start, end) (byteLines.ts), each read by lineBytes or line(). */
  linesBytes(b: Uint8Array, start: number, end: number, lineNo: number): number {
    return readLines(this, b, start, end, lineNo);
  }

  /**
   * The byte path (byteEvents.ts) for the common line: `comm-pid [(tgid)]
   * [cpu] [flags] seconds: event: [(location)] key=val ...` with the task at
   * the first bracket. False leaves the line to line(): comments, headers,
   * function-tracer and syscall lines, trace_printk messages that name an
   * event, anything unusual.
   */
  lineBytes(b: Uint8Array, start: number, end: number, lineNo: number): boolean {
    const p = skipBlankBytes(b, start, end);
    if (p === end) return true;
    const c = b[p];
    if (c === HASH || ((c === 67 || c === 99 || c === 118) && (startsWithBytes(b, p, end, 'CPU') || startsWithBytes(b, p, end, 'cpus') || startsWithBytes(b, p, end, 'version')))) return false;
    const ev = this.ev;
    const cpuEnd = this.taskBytes(b, p, end);
    if (cpuEnd < 0) return false;
    let q = skipBlankBytes(b, cpuEnd, end);
    let e = tokenEndBytes(b, q, end);
    let time = timeOfBytes(ev, b, q, e);
    if (time === TimeToken.None) {
      // the flags column
      q = skipBlankBytes(b, e, end);
      e = tokenEndBytes(b, q, end);
      time = timeOfBytes(ev, b, q, e);
    }
    if (time !== TimeToken.Seconds || !(ev.timeNs <= MAX_TIME_NS)) return false;
    // `event:`, not `function:` or a syscall's `sys_...`
    q = skipBlankBytes(b, e, end);
    e = tokenEndBytes(b, q, end);
    if (e - q < 2 || b[e - 1] !== COLON || startsWithBytes(b, q, e, 'function:') || startsWithBytes(b, q, e, 'sys_')) return false;
    ev.bytes = b;
    ev.nameStart = q;
    ev.nameEnd = e - 1;
    ev.printed = -1;
    const rest = skipBlankBytes(b, e, end);
    if (rest < end && b[rest] !== OPEN && !this.out.knowsName(ev)) {
      // a trace_printk or trace_marker message whose first word names an event: the text path
      const wordEnd = tokenEndBytes(b, rest, end);
      if (!hasByte(b, rest, wordEnd, EQUALS)) {
        if (!isAscii(b, rest, wordEnd) || this.out.knowsBytes(b, rest, wordEnd)) return false;
      }
    }
    ev.bodyStart = rest;
    ev.line = lineNo;
    if (!this.out.acceptBytes(ev)) return false;
    ev.caller = undefined;
    if (this.callContext.size > 0) {
      ev.caller = this.callContext.get(ev.key);
      this.callContext.delete(ev.key);
    }
    this.out.addBytes(ev);
    return true;
  }

  /**
   * findTask over bytes, at the first `[` only: sets the comm, pid and cpu of
   * the event and returns the position after the cpu's `]`, or -1.
   */
  private taskBytes(b: Uint8Array, p: number, end: number): number {
    const ev = this.ev;
    let bracket = p;
    while (bracket < end && b[bracket] !== 91 /* [ */) bracket++;
    let q = bracket + 1;
    let cpu = 0;
    while (q < end && isDigit(b[q])) cpu = cpu * 10 + (b[q++] - ZERO);
    // at most 9 digits: in range (cpu ids are int32), and exact
    if (q === bracket + 1 || q - bracket > 10 || q === end || b[q] !== 93 /* ] */) return -1;
    let r = bracket - 1;
    if (r < p || !isBlank(b[r])) return -1;
    while (r >= p && isBlank(b[r])) r--;
    if (b[r] === CLOSE) {
      // record-tgid: `comm-pid (  tgid) [cpu]`
      let open = r - 1;
      while (open >= p && r - open <= MAX_TGID_COLUMN && b[open] !== OPEN) open--;
      if (open < p || r - open > MAX_TGID_COLUMN) return -1;
      r = open - 1;
      while (r >= p && isBlank(b[r])) r--;
    }
    const pidEnd = r + 1;
    while (r >= p && isDigit(b[r])) r--;
    if (r === pidEnd - 1 || r <= p || b[r] !== 45 /* - */) return -1;
    ev.commStart = p;
    ev.commEnd = r;
    ev.pidStart = r + 1;
    ev.pidEnd = pidEnd;
    ev.cpu = cpu;
    return q + 1;
  }

  line(text: string, lineNo: number): void {
    const p = skipBlanks(text, 0);
    if (p === text.length || this.out.comment(text, lineNo)) return;
    if (this.header(text, p, lineNo)) return;
    const task = findTask(text, p);
    if (!task) {
      this.out.builder.error(lineNo, p + 1, 'not an ftrace event line: expected "comm-pid [cpu] [flags] seconds: event: ..."', tokenEnd(text, p) + 1);
      return;
    }
    let q = skipBlanks(text, task.end);
    let end = tokenEnd(text, q);
    let timeNs = timeOf(text, q, end);
    if (Number.isNaN(timeNs)) {
      // the flags column (irqs-off, need-resched, hard/soft irq, preempt depth)
      q = skipBlanks(text, end);
      end = tokenEnd(text, q);
      timeNs = timeOf(text, q, end);
      if (Number.isNaN(timeNs)) {
        this.out.builder.error(lineNo, q + 1, `bad timestamp ${quote(text, q, end)}: expected seconds followed by a colon, e.g. 8123.456789:`, end + 1);
        return;
      }
    }
    if (!this.out.inRange('time', timeNs, text, q, end - 1, lineNo) || !this.out.inRange('cpu', task.cpu, text, task.cpuStart, task.end - 1, lineNo)) return;
    q = skipBlanks(text, end);
    if (q === text.length) {
      this.out.builder.error(lineNo, q + 1, 'missing event after the timestamp');
      return;
    }
    this.payload(text, q, lineNo, task, timeNs);
  }

  finish(): Trace {
    return this.out.finish();
  }

  private payload(text: string, p: number, lineNo: number, task: TaskField, timeNs: number): void {
    const taskKey = task.pid === '0' ? `0@${task.cpu}` : task.pid;
    const taskName = `${task.comm}/${task.pid}`;
    const end = tokenEnd(text, p);
    const token = text.slice(p, end);
    const rest = skipBlanks(text, end);
    if (token === 'function:') {
      // trace-cmd: `function: func <-- parent`
      const fEnd = tokenEnd(text, rest);
      const parentAt = skipBlanks(text, tokenEnd(text, skipBlanks(text, fEnd)));
      this.functionLine(text.slice(rest, fEnd), text.slice(parentAt, tokenEnd(text, parentAt)), timeNs, task, taskKey, taskName, lineNo);
      return;
    }
    // the syscalls tracepoints in ftrace's own text: `sys_wait4(upid: ffffffff, ...)` and `sys_wait4 -> 0x1194`
    if (token.startsWith('sys_')) {
      const open = token.indexOf('(');
      if (open > 4 || text.startsWith('->', rest)) {
        const call = open > 4 ? token.slice(4, open) : token.slice(4);
        const retAt = skipBlanks(text, rest + 2);
        const args: [string, string][] = open > 4 ? [] : [['ret', text.slice(retAt, tokenEnd(text, retAt))]];
        this.callContext.delete(this.out.keyOf(taskKey));
        this.out.add({ timeNs, cpu: task.cpu, taskKey, taskName, name: `sys_${open > 4 ? 'enter' : 'exit'}_${call}`, args, line: lineNo });
        return;
      }
    }
    if (token.endsWith(':') && token.length > 1) {
      let name = token.slice(0, -1);
      let bodyAt = rest;
      let caller = this.callContext.get(this.out.keyOf(taskKey));
      this.callContext.delete(this.out.keyOf(taskKey));
      // trace_printk (`dm_get_md: dm_get md=0x...`) and trace_marker
      // (`tracing_mark_write: dm_get md=md0`): the message's first word names the event
      if (!this.out.knowsEvent(name) && rest < text.length && text.charCodeAt(rest) !== 40 /* ( */) {
        const wordEnd = tokenEnd(text, rest);
        const word = text.slice(rest, wordEnd);
        if (!word.includes('=') && this.out.knowsEvent(word)) {
          if (name !== 'tracing_mark_write') caller = name;
          name = word;
          bodyAt = wordEnd;
        }
      }
      const body = readProbeBody(text, bodyAt, this.addressFirst);
      this.out.add({ timeNs, cpu: task.cpu, taskKey, taskName, name, symbol: body.symbol, args: body.args, line: lineNo, caller: body.returnSite ?? caller, call: body.call, bare: body.bare });
      return;
    }
    // function tracer: `func <-parent`, or a bare `func` with the print-parent option off
    if (rest === text.length) {
      this.functionLine(token, '', timeNs, task, taskKey, taskName, lineNo);
      return;
    }
    if (text.startsWith('<-', rest)) {
      const parentAt = rest + 2;
      this.functionLine(token, text.slice(parentAt, tokenEnd(text, parentAt)), timeNs, task, taskKey, taskName, lineNo);
      return;
    }
    this.out.builder.error(lineNo, p + 1, `expected "event: ..." or a function-tracer "func <-parent" after the timestamp, found ${quote(token)}`, end + 1);
  }

  /**
   * A function-tracer line: an event without arguments when `func` reduces to
   * one the rules know (it merges into the task's next event if that is a
   * probe of the same call), else call context for the task's next event.
   */
  private functionLine(func: string, parent: string, timeNs: number, task: TaskField, taskKey: string, taskName: string, lineNo: number): void {
    const context = parent ? `${func} <-${parent}` : func;
    if (this.out.knowsEvent(func)) {
      this.callContext.delete(this.out.keyOf(taskKey));
      this.out.add({ timeNs, cpu: task.cpu, taskKey, taskName, name: func, args: [], line: lineNo, caller: parent || undefined, call: { kind: 'function', fn: func }, context });
      return;
    }
    this.callContext.set(this.out.keyOf(taskKey), context);
  }

  /** Lines of the trace file that are neither comments nor events. */
  private header(text: string, p: number, lineNo: number): boolean {
    // every such line starts with C (CPU:N, CPU N is empty), c (cpus=) or v (version)
    const c = text.charCodeAt(p);
    if (c !== 67 && c !== 99 && c !== 118) return false;
    // ftrace's `CPU:N [LOST M EVENTS]` (`[LOST EVENTS]` when it cannot count), trace-cmd's `CPU:N [M EVENTS DROPPED]`
    const lost = /^CPU:(\d+) \[(?:LOST (?:(\d+) )?EVENTS|(\d+) EVENTS DROPPED)\]/.exec(text.slice(p, p + 64));
    if (lost) {
      const count = lost[2] ?? lost[3];
      this.out.gap(Number(lost[1]), count === undefined ? undefined : Number(count), lineNo, p + 1, p + lost[0].length + 1);
      return true;
    }
    // trace-cmd report's preamble
    return /^(cpus=\d+|version = \d+|CPU \d+ is empty)\s*$/.test(text.slice(p, p + 64));
  }
}

/** Is `text` (a bounded prefix of a line) an ftrace event line: `comm-pid [(tgid)] [cpu] [flags] time:`? */
export function isFtraceLine(text: string): boolean {
  const task = findTask(text, skipBlanks(text, 0));
  if (!task) return false;
  let q = skipBlanks(text, task.end);
  let end = tokenEnd(text, q);
  if (!Number.isNaN(timeOf(text, q, end))) return true;
  q = skipBlanks(text, end);
  end = tokenEnd(text, q);
  return !Number.isNaN(timeOf(text, q, end));
}

/** Finds `comm-pid [(tgid)] [cpu]`, trying each `[digits]` from the left until one has a `-pid` before it. */
function findTask(text: string, start: number): TaskField | undefined {
  let b = text.indexOf('[', start);
  // a comm holds a bracket or two at most; a line with more before its cpu is not an event line
  for (let tries = 0; b >= 0 && tries < MAX_BRACKETS; tries++) {
    const field = taskBefore(text, start, b);
    if (field) return field;
    b = text.indexOf('[', b + 1);
  }
  return undefined;
}
const MAX_BRACKETS = 8;
/** `(  4100)`: the record-tgid column is short; the search for its `(` stops here. */
const MAX_TGID_COLUMN = 16;

function taskBefore(text: string, start: number, bracket: number): TaskField | undefined {
  let c = bracket + 1;
  while (c < text.length && isDigit(text.charCodeAt(c))) c++;
  if (c === bracket + 1 || text.charCodeAt(c) !== 93 /* ] */) return undefined;
  const cpu = Number(text.slice(bracket + 1, c));
  let q = bracket - 1;
  if (q < start || !isBlank(text.charCodeAt(q))) return undefined;
  while (q >= start && isBlank(text.charCodeAt(q))) q--;
  if (text.charCodeAt(q) === 41 /* ) */) {
    // record-tgid: `comm-pid (  tgid) [cpu]`
    const open = text.lastIndexOf('(', q);
    if (open < start || q - open > MAX_TGID_COLUMN) return undefined;
    q = open - 1;
    while (q >= start && isBlank(text.charCodeAt(q))) q--;
  }
  const pidEnd = q + 1;
  while (q >= start && isDigit(text.charCodeAt(q))) q--;
  if (q === pidEnd - 1 || q <= start || text.charCodeAt(q) !== 45 /* - */) return undefined;
  const comm = text.slice(start, q);
  return { comm, pid: text.slice(q + 1, pidEnd), cpu, cpuStart: bracket + 1, end: c + 1 };
}

const enum TimeToken {
  None,
  /** Seconds, read into the event's timeNs. */
  Seconds,
  /** A plain integer (a trace_clock counter): the text path reads it. */
  Count,
}

/** timeOf over bytes, the time read into at.timeNs. */
function timeOfBytes(at: { timeNs: number }, b: Uint8Array, p: number, end: number): TimeToken {
  if (end - p < 2 || b[end - 1] !== COLON) return TimeToken.None;
  let digits = p;
  while (digits < end - 1 && isDigit(b[digits])) digits++;
  if (digits === end - 1) return TimeToken.Count;
  return readSecondsBytes(at, b, p, end - 1) ? TimeToken.Seconds : TimeToken.None;
}

/**
 * `8123.456789:` -> ns, NaN when the token is not a timestamp. A plain integer
 * (`trace_clock` counter or x86-tsc) is taken as a raw count, in file order.
 */
function timeOf(text: string, p: number, end: number): number {
  if (end - p < 2 || text.charCodeAt(end - 1) !== 58 /* : */) return NaN;
  const token = text.slice(p, end - 1);
  if (allDigits(token, 0, token.length)) return Number(token);
  return secondsToNs(token);
}
