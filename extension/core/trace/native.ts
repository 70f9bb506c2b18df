// The native `.dmtrace` parser (spec section 1). Hand-written scanner over
// character codes: no regex and no substring per field on the hot path except
// the tokens that are kept. A bad line becomes a diagnostic with line and
// column and the rest of the file is still read.

import { StringTable, TraceBuilder, type Trace } from './model';
import { DirectiveReader } from './directives';
import type { LineParser } from './parse';
import { LineError, QUOTE, allDigits, isBlank, isDigit, readValue, skipBlanks, tokenEnd } from './scan';

const HASH = 35;
const BANG = 33;
const EQUALS = 61;
const AT = 64;
const DOT = 46;
const ZERO = 48;

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

  private event(text: string, start: number, lineNo: number): void {
    const b = this.builder;
    let p = start;
    // time
    let end = tokenEnd(text, p);
    const timeNs = parseTime(text, p, end);
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
      throw new LineError(p + 1, `missing event name: "${text.slice(p, end)}" is not an event name`, end + 1);
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
          throw new LineError(p + 1, `bad source location "${text.slice(p, end)}": expected @file:line`, end + 1);
        }
        srcFile = b.strings.internRange(text, p + 1, colon);
        srcLine = digitsValue(text, colon + 1, end);
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
      throw new LineError(p + 1, `expected key=value, found "${text.slice(p, q)}"`, q + 1);
    }
    if (q === p) throw new LineError(p + 1, 'missing key before "="');
    const strings = this.builder.strings;
    if (text.charCodeAt(q + 1) !== QUOTE && !this.directives.hasAliases) {
      // The common case: a bare value, interned where it stands.
      const end = tokenEnd(text, q + 1);
      if (end === q + 1) throw new LineError(p + 1, `missing value after "${text.slice(p, q)}="`, q + 2);
      args.push(strings.internRange(text, p, q), strings.internRange(text, q + 1, end));
      return skipBlanks(text, end);
    }
    const key = text.slice(p, q);
    const { value, end } = readValue(text, q + 1);
    if (end === q + 1) throw new LineError(p + 1, `missing value after "${key}="`, q + 2);
    if (end < text.length && !isBlank(text.charCodeAt(end))) {
      throw new LineError(end + 1, 'expected a space after the closing quote');
    }
    args.push(strings.intern(key), strings.intern(this.directives.alias(value)));
    return skipBlanks(text, end);
  }
}

/** `12.000310` (seconds) or `12000310ns`, to nanoseconds. */
function parseTime(text: string, p: number, end: number): number {
  const bad = (why: string) => new LineError(p + 1, `bad time "${text.slice(p, end)}": ${why}`, end + 1);
  let whole = 0;
  let q = p;
  while (q < end && isDigit(text.charCodeAt(q))) whole = whole * 10 + (text.charCodeAt(q++) - ZERO);
  if (q === p) throw bad('expected seconds with a decimal point (12.000310) or nanoseconds (12000310ns)');
  if (q === end) throw bad('seconds need a decimal point, nanoseconds the suffix ns');
  if (text.charCodeAt(q) === DOT) {
    let frac = 0;
    let scale = 1e9;
    q++;
    while (q < end && isDigit(text.charCodeAt(q))) {
      scale /= 10;
      if (scale >= 1) frac += (text.charCodeAt(q) - ZERO) * scale;
      q++;
    }
    if (q !== end) throw bad('unexpected character after the seconds');
    return whole * 1e9 + Math.floor(frac);
  }
  if (end - q === 2 && text.charCodeAt(q) === 110 && text.charCodeAt(q + 1) === 115) return whole;
  throw bad('seconds need a decimal point, nanoseconds the suffix ns');
}

function parseCpu(text: string, p: number, end: number): number {
  if (end - p > 3 && text.startsWith('cpu', p) && allDigits(text, p + 3, end)) return digitsValue(text, p + 3, end);
  throw new LineError(p + 1, `bad cpu "${text.slice(p, end)}": expected cpuN, e.g. cpu1`, end + 1);
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
    throw new LineError(p + 1, `bad task "${task}": expected comm/pid, e.g. dmsetup/4121`, p + task.length + 1);
  }
}
