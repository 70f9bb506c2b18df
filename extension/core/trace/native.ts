// The native `.dmtrace` parser (README.md, "The trace format in short"). Hand-written scanner over
// character codes: no regex and no substring per field on the hot path except
// the tokens that are kept. A bad line becomes a diagnostic with line and
// column and the rest of the file is still read.

import { TraceBuilder } from './builder';
import type { Trace } from './model';
import { HASH_START, StringTable, hashStep } from './stringTable';
import { DirectiveReader } from './directives';
import type { LineParser } from './parser';
import { MAX_INT32, MAX_TIME_NS, rangeProblem } from './numbers';
import { LineError, QUOTE, allDigits, isBlank, isDigit, quote, readValue, skipBlanks, tokenEnd } from './scan';

const HASH = 35;
const BANG = 33;
const EQUALS = 61;
const AT = 64;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export interface NativeParseOptions {
  /** Extra event-name mappings (`probe=event`), as `!map` would declare them. */
  map?: Record<string, string>;
}

export class NativeParser implements LineParser {
  readonly builder = new TraceBuilder('dmtrace');
  private readonly directives: DirectiveReader;
  private readonly argBuffer: number[] = [];
  /** Task names by their own ids (kept out of the trace's string table), checked once each, and their task ids + 1. */
  private readonly taskNames = new StringTable();
  private readonly checkedTask: number[] = [];
  private readonly taskOfName: number[] = [];

  constructor(options: NativeParseOptions = {}) {
    this.directives = new DirectiveReader(this.builder, options.map);
  }

  /** Parses one line (without its `\n`); `lineNo` is 1-based. */
  line(text: string, lineNo: number): void {
    let p = 0;
    const n = text.length;
    while (p < n && isBlank(text.charCodeAt(p))) p++;
    if (p === n || text.charCodeAt(p) === HASH) return;
    try {
      if (text.charCodeAt(p) === BANG) this.directives.read(text, p, lineNo);
      else this.event(text, p, lineNo);
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      this.builder.error(lineNo, e.column, e.message, e.endColumn);
    }
  }

  finish(): Trace {
    return this.builder.finish();
  }

  /**
   * The fast path: a plain ASCII event line straight from the file's bytes, with
   * no string made except for a token seen for the first time. Returns false
   * when the line needs the full parser (a directive, a quoted or non-ASCII
   * value, `!alias`/`!map` in effect, or an error to report); the caller then
   * decodes the line and calls `line()`, which interns what this interned in
   * the same order, so either way the trace is the same.
   */
  lineBytes(b: Uint8Array, start: number, end: number, lineNo: number): boolean {
    let p = start;
    while (p < end && isBlank(b[p])) p++;
    if (p === end || b[p] === HASH) return true;
    if (b[p] === BANG || this.directives.hasAliases || this.directives.hasMappings) return false;
    // time: seconds with a decimal point, or nanoseconds with "ns" (as parseTime)
    let whole = 0;
    let q = p;
    while (q < end && isDigit(b[q])) whole = whole * 10 + (b[q++] - ZERO);
    if (q === p || q === end) return false;
    let timeNs: number;
    if (b[q] === DOT) {
      // The first nine fraction digits as an integer: exactly parseTime's sum of digit * 1e8, 1e7, ... (all exact).
      let frac = 0;
      let digits = 0;
      q++;
      while (q < end && isDigit(b[q])) {
        if (digits < 9) {
          frac = frac * 10 + (b[q] - ZERO);
          digits++;
        }
        q++;
      }
      if (q < end && !isBlank(b[q])) return false;
      timeNs = whole * 1e9 + frac * POW10[9 - digits];
    } else if (q + 2 <= end && b[q] === 110 && b[q + 1] === 115 && (q + 2 === end || isBlank(b[q + 2]))) {
      timeNs = whole;
      q += 2;
    } else {
      return false;
    }
    if (!(timeNs <= MAX_TIME_NS)) return false;
    // cpu
    p = skipBlankBytes(b, q, end);
    q = tokenEndBytes(b, p, end);
    if (q - p <= 3 || b[p] !== 99 || b[p + 1] !== 112 || b[p + 2] !== 117) return false;
    let cpu = 0;
    for (let i = p + 3; i < q; i++) {
      if (!isDigit(b[i])) return false;
      cpu = cpu * 10 + (b[i] - ZERO);
    }
    if (cpu > MAX_INT32) return false;
    // task
    p = skipBlankBytes(b, q, end);
    let h = HASH_START;
    for (q = p; q < end; q++) {
      const c = b[q];
      if (isBlank(c)) break;
      if (c > 127) return false;
      h = hashStep(h, c);
    }
    if (p === q) return false;
    const taskName = this.taskNames.internHashedBytes(b, p, q, h);
    if (this.checkedTask[taskName] !== 1) {
      try {
        checkTask(this.taskNames.get(taskName), 0);
      } catch {
        return false;
      }
      this.checkedTask[taskName] = 1;
    }
    // event name: scanned, checked and hashed in one pass
    p = skipBlankBytes(b, q, end);
    if (p === end || b[p] === AT) return false;
    h = HASH_START;
    for (q = p; q < end; q++) {
      const c = b[q];
      if (isBlank(c)) break;
      if (c === EQUALS || c > 127) return false;
      h = hashStep(h, c);
    }
    const strings = this.builder.strings;
    const name = strings.internHashedBytes(b, p, q, h);
    // key=value ... [@file:line]
    const args = this.argBuffer;
    let argCount = 0;
    let srcFile = -1;
    let srcLine = 0;
    p = skipBlankBytes(b, q, end);
    while (p < end) {
      if (srcFile >= 0) return false;
      q = tokenEndBytes(b, p, end);
      if (b[p] === AT) {
        let colon = q - 1;
        while (colon > p + 1 && b[colon] !== COLON) colon--;
        if (colon <= p + 1 || colon === q - 1) return false;
        srcLine = 0;
        for (let i = colon + 1; i < q; i++) {
          if (!isDigit(b[i])) return false;
          srcLine = srcLine * 10 + (b[i] - ZERO);
        }
        if (srcLine > MAX_INT32) return false;
        srcFile = strings.internBytes(b, p + 1, colon);
        if (srcFile < 0) return false;
      } else {
        // key and value, each hashed as it is scanned
        let eq = p;
        h = HASH_START;
        for (; eq < q; eq++) {
          const c = b[eq];
          if (c === EQUALS) break;
          if (c > 127) return false;
          h = hashStep(h, c);
        }
        if (eq === p || eq >= q - 1 || b[eq + 1] === QUOTE) return false;
        const key = strings.internHashedBytes(b, p, eq, h);
        h = HASH_START;
        for (let i = eq + 1; i < q; i++) {
          const c = b[i];
          if (c > 127) return false;
          h = hashStep(h, c);
        }
        const value = strings.internHashedBytes(b, eq + 1, q, h);
        if (argCount === args.length) args.push(0, 0);
        args[argCount++] = key;
        args[argCount++] = value;
      }
      p = skipBlankBytes(b, q, end);
    }
    let task = (this.taskOfName[taskName] ?? 0) - 1;
    if (task < 0) {
      task = this.builder.taskId(this.taskNames.get(taskName), cpu);
      this.taskOfName[taskName] = task + 1;
    }
    const event = this.builder.addEvent(0, cpu, task, name, lineNo, args, argCount / 2, srcFile, srcLine);
    this.builder.setTime(event, timeNs);
    return true;
  }

  private event(text: string, start: number, lineNo: number): void {
    const b = this.builder;
    let p = start;
    // time
    let end = tokenEnd(text, p);
    const timeNs = parseTime(text, p, end);
    if (timeNs instanceof LineError) {
      b.error(lineNo, timeNs.column, timeNs.message, timeNs.endColumn);
      return;
    }
    p = skipBlanks(text, end);
    // cpu
    if (p >= text.length) throw new LineError(p + 1, 'missing cpu field (cpuN) after the time');
    end = tokenEnd(text, p);
    const cpu = parseCpu(text, p, end);
    p = skipBlanks(text, end);
    // task
    if (p >= text.length) throw new LineError(p + 1, 'missing task field (comm/pid) after the cpu');
    end = tokenEnd(text, p);
    const taskName = this.taskNames.internRange(text, p, end);
    if (this.checkedTask[taskName] !== 1) {
      checkTask(this.taskNames.get(taskName), p);
      this.checkedTask[taskName] = 1;
    }
    p = skipBlanks(text, end);
    // event name
    if (p >= text.length) throw new LineError(p + 1, 'missing event name after the task');
    end = tokenEnd(text, p);
    if (text.charCodeAt(p) === AT || hasEquals(text, p, end)) {
      throw new LineError(p + 1, `missing event name: ${quote(text, p, end)} is not an event name`, end + 1);
    }
    const name = this.directives.hasMappings ? b.strings.intern(this.directives.eventName(text.slice(p, end))) : b.strings.internRange(text, p, end);
    p = skipBlanks(text, end);
    // key=value ... [@file:line]
    const args = this.argBuffer;
    args.length = 0;
    let srcFile = -1;
    let srcLine = 0;
    while (p < text.length) {
      if (srcFile >= 0) throw new LineError(p + 1, '@file:line must be the last field of the line');
      if (text.charCodeAt(p) === AT) {
        end = tokenEnd(text, p);
        const colon = text.lastIndexOf(':', end - 1);
        if (colon <= p + 1 || colon === end - 1 || !allDigits(text, colon + 1, end)) {
          throw new LineError(p + 1, `bad source location ${quote(text, p, end)}: expected @file:line`, end + 1);
        }
        srcFile = b.strings.internRange(text, p + 1, colon);
        srcLine = digitsValue(text, colon + 1, end);
        const problem = rangeProblem('source line', srcLine, text.slice(colon + 1, end));
        if (problem) throw new LineError(colon + 2, problem, end + 1);
        p = skipBlanks(text, end);
        continue;
      }
      p = this.keyValue(text, p, args);
    }
    let task = (this.taskOfName[taskName] ?? 0) - 1;
    if (task < 0) {
      task = b.taskId(this.taskNames.get(taskName), cpu);
      this.taskOfName[taskName] = task + 1;
    }
    b.addEvent(timeNs, cpu, task, name, lineNo, args, args.length / 2, srcFile, srcLine);
  }

  /** Reads `key=value` or `key="quoted"` at p into args; returns the position of the next field. */
  private keyValue(text: string, p: number, args: number[]): number {
    let q = p;
    while (q < text.length && text.charCodeAt(q) !== EQUALS && !isBlank(text.charCodeAt(q))) q++;
    if (q >= text.length || text.charCodeAt(q) !== EQUALS) {
      throw new LineError(p + 1, `expected key=value, found ${quote(text, p, q)}`, q + 1);
    }
    if (q === p) throw new LineError(p + 1, 'missing key before "="');
    const strings = this.builder.strings;
    if (text.charCodeAt(q + 1) !== QUOTE && !this.directives.hasAliases) {
      // The common case: a bare value, interned where it stands.
      const end = tokenEnd(text, q + 1);
      if (end === q + 1) throw new LineError(p + 1, `missing value after ${quote(text, p, q + 1)}`, q + 2);
      args.push(strings.internRange(text, p, q), strings.internRange(text, q + 1, end));
      return skipBlanks(text, end);
    }
    const key = text.slice(p, q);
    const { value, end } = readValue(text, q + 1);
    if (end === q + 1) throw new LineError(p + 1, `missing value after ${quote(`${key}=`)}`, q + 2);
    if (end < text.length && !isBlank(text.charCodeAt(end))) {
      throw new LineError(end + 1, 'expected a space after the closing quote');
    }
    args.push(strings.intern(key), strings.intern(this.directives.alias(value)));
    return skipBlanks(text, end);
  }
}

/**
 * `12.000310` (seconds) or `12000310ns`, to nanoseconds; a bad time is returned
 * as a LineError, not thrown: a file of garbage lines fails here on every line,
 * and a throw costs microseconds.
 */
function parseTime(text: string, p: number, end: number): number | LineError {
  const bad = (why: string) => new LineError(p + 1, `bad time ${quote(text, p, end)}: ${why}`, end + 1);
  const checked = (ns: number) => {
    const problem = rangeProblem('time', ns, text.slice(p, end));
    return problem ? new LineError(p + 1, problem, end + 1) : ns;
  };
  let whole = 0;
  let q = p;
  while (q < end && isDigit(text.charCodeAt(q))) whole = whole * 10 + (text.charCodeAt(q++) - ZERO);
  if (q === p) return bad('expected seconds with a decimal point (12.000310) or nanoseconds (12000310ns)');
  if (q === end) return bad('seconds need a decimal point, nanoseconds the suffix ns');
  if (text.charCodeAt(q) === DOT) {
    let frac = 0;
    let scale = 1e9;
    q++;
    while (q < end && isDigit(text.charCodeAt(q))) {
      scale /= 10;
      if (scale >= 1) frac += (text.charCodeAt(q) - ZERO) * scale;
      q++;
    }
    if (q !== end) return bad('unexpected character after the seconds');
    return checked(whole * 1e9 + Math.floor(frac));
  }
  if (end - q === 2 && text.charCodeAt(q) === 110 && text.charCodeAt(q + 1) === 115) return checked(whole);
  return bad('seconds need a decimal point, nanoseconds the suffix ns');
}

function parseCpu(text: string, p: number, end: number): number {
  if (end - p > 3 && text.startsWith('cpu', p) && allDigits(text, p + 3, end)) {
    const cpu = digitsValue(text, p + 3, end);
    const problem = rangeProblem('cpu', cpu, text.slice(p, end));
    if (problem) throw new LineError(p + 1, problem, end + 1);
    return cpu;
  }
  throw new LineError(p + 1, `bad cpu ${quote(text, p, end)}: expected cpuN, e.g. cpu1`, end + 1);
}

function tokenEndBytes(b: Uint8Array, p: number, end: number): number {
  while (p < end && !isBlank(b[p])) p++;
  return p;
}

function skipBlankBytes(b: Uint8Array, p: number, end: number): number {
  while (p < end && isBlank(b[p])) p++;
  return p;
}

/** The value of the decimal digits text[from, to) (checked by allDigits). */
function digitsValue(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (text.charCodeAt(i) - ZERO);
  return v;
}

function hasEquals(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === EQUALS) return true;
  return false;
}

function checkTask(task: string, p: number): void {
  const slash = task.lastIndexOf('/');
  if (slash <= 0 || slash === task.length - 1 || !allDigits(task, slash + 1, task.length)) {
    throw new LineError(p + 1, `bad task ${quote(task)}: expected comm/pid, e.g. dmsetup/4121`, p + task.length + 1);
  }
}
