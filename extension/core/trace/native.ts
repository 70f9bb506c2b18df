// The native `.dmtrace` parser (README.md, "The trace format in short"). Hand-written scanner over
// character codes: no regex and no substring per field on the hot path except
// the tokens that are kept. A bad line becomes a diagnostic with line and
// column and the rest of the file is still read.

import { InputSizing, TraceBuilder } from './builder';
import type { Trace } from './model';
import { NUMBER_BASE, StringTable } from './stringTable';
import { DirectiveReader } from './directives';
import { ExpectedTokens, placeOf } from './expectedTokens';
import type { LineParser } from './parser';
import { MAX_INT32, MAX_TIME_NS, POW10, rangeProblem } from './numbers';
import { CR, LineError, QUOTE, SPACE, TAB, allDigits, isBlank, isDigit, quote, readValue, skipBlanks, tokenEnd } from './scan';

const HASH = 35;
const BANG = 33;
const EQUALS = 61;
const AT = 64;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const NINE = 57;
const NEWLINE = 10;
const LOWER_C = 99;
const LOWER_N = 110;
const LOWER_P = 112;
const LOWER_S = 115;
const LOWER_U = 117;
/** Places per event name for its expected arguments (a key and a value each: 8 arguments), for MAX_EXPECTED names. */
const EXPECT_BLOCK = 16;
const MAX_EXPECTED = 4096;
/** Places for recent tasks and event names, as powers of two. */
const RECENT_TASK_BITS = 10;
const RECENT_NAME_BITS = 8;

/** Ends a token inside a line: a blank or the line's end. */
const isLineBlank = (c: number): boolean => c === SPACE || c === NEWLINE || c === TAB || c === CR;

export interface NativeParseOptions {
  /** Extra event-name mappings (`probe=event`), as `!map` would declare them. */
  map?: Record<string, string>;
  /** The input's size in bytes, when known (a file's): the trace's columns are sized from it early (sizeColumns). */
  totalBytes?: number;
}

export class NativeParser implements LineParser {
  readonly builder = new TraceBuilder('dmtrace');
  private readonly directives: DirectiveReader;
  private readonly argBuffer: number[] = [];
  /** Task names by their own ids (kept out of the trace's string table), checked once each, and their task ids + 1. */
  private readonly taskNames = new StringTable();
  private readonly checkedTask: number[] = [];
  private readonly taskOfName: number[] = [];
  /** Tasks seen, checked and interned in taskNames, by placeOf. */
  private readonly recentTasks = new ExpectedTokens(1 << RECENT_TASK_BITS);
  /**
   * The arguments expected per event name (those of its previous event): key
   * and value k of the name whose block is at `at` are at places at + 2k and
   * at + 2k + 1 of `expectedArgs`. expectAt[name id] is the block's place;
   * 0 marks a name not yet seen by the fast path (block 0 is never used).
   */
  private expectAt = new Int32Array(256);
  /** Event names checked and given a block, by placeOf. */
  private readonly recentNames = new ExpectedTokens(1 << RECENT_NAME_BITS);
  private readonly expectedArgs = new ExpectedTokens(EXPECT_BLOCK * 64);
  private expectBlocks = 1;
  /** Lines are whole, so no character is split; a U+FEFF inside the file is kept, as the stream decoder keeps it. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** When to size the trace's columns for the whole input (a file of known size only). */
  private readonly sizing: InputSizing | undefined;

  constructor(options: NativeParseOptions = {}) {
    this.directives = new DirectiveReader(this.builder, options.map);
    if (options.totalBytes) {
      this.sizing = new InputSizing(options.totalBytes);
      // Plain arrays from the start (room for the events of the first part): code optimised before
      // the columns are sized sees the same array kind as after (a change of kind deoptimised it).
      this.builder.expectEvents(InputSizing.FIRST_EVENTS, InputSizing.FIRST_ARGS);
    }
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
   * Parses the lines of bytes[start, end), which ends with a `\n`; the first is
   * line `lineNo + 1`. Returns the number of the last. Each line goes through
   * the fast path (`fastLine`) unless it needs the full parser: then it is
   * decoded and given to `line()`, which interns what the fast path interned
   * in the same order, so either way the trace is the same.
   */
  linesBytes(b: Uint8Array, start: number, end: number, lineNo: number): number {
    if (this.sizing !== undefined) this.sizeColumns(this.sizing, end - start);
    let fast = !this.directives.hasAliases && !this.directives.hasMappings;
    let p = start;
    while (p < end) {
      lineNo++;
      const next = fast ? this.fastLine(b, p, lineNo) : -1;
      if (next >= 0) {
        p = next;
        continue;
      }
      const nl = b.indexOf(NEWLINE, p);
      this.line(this.decoder.decode(b.subarray(p, nl > p && b[nl - 1] === CR ? nl - 1 : nl)), lineNo);
      p = nl + 1;
      fast = !this.directives.hasAliases && !this.directives.hasMappings;
    }
    return lineNo;
  }

  /**
   * Sizes the trace's columns for the whole input once InputSizing says so (before parsing `bytes`
   * more): they then grow no more and are not copied at the end (TraceBuilder.expectEvents).
   * Called before the line loop, not after it: code after the loop has no type feedback when the
   * loop is first optimised, and left it at every call.
   */
  private sizeColumns(sizing: InputSizing, bytes: number): void {
    const b = this.builder;
    const scale = sizing.scale(bytes, b.eventCount);
    if (scale > 0) b.expectEvents(Math.ceil(b.eventCount * scale), Math.ceil(b.argumentCount * scale));
  }

  /**
   * The fast path: a plain ASCII event line (a blank line or a comment too) at
   * b[p], up to its `\n`, straight from the bytes, with no string made except
   * for a token seen for the first time. Returns where the next line starts, or
   * -1 when the line needs the full parser (a directive, a quoted or non-ASCII
   * value, an error to report): nothing has been added to the trace then, and
   * only tokens the full parser interns as well have been interned.
   *
   * Every token ends at the first byte <= 32 (a blank or the `\n`, which always
   * comes before the end of `b`); any other control byte sends the line to
   * the full parser, for which it is part of a token. Argument keys and values
   * are first compared with those of the previous event of the same name
   * (most events repeat their keys, many their values), tasks and event names
   * with those recently seen: a match costs no hashing and no probing.
   */
  private fastLine(b: Uint8Array, p: number, lineNo: number): number {
    let c = b[p];
    while (c === SPACE || c === TAB || c === CR) c = b[++p];
    if (c === NEWLINE) return p + 1;
    if (c === HASH) return b.indexOf(NEWLINE, p) + 1;
    // time: seconds with a decimal point, or nanoseconds with "ns" (as parseTime)
    if (c < ZERO || c > NINE) return -1;
    let whole = 0;
    do {
      whole = whole * 10 + (c - ZERO);
      c = b[++p];
    } while (c >= ZERO && c <= NINE);
    let timeNs: number;
    if (c === DOT) {
      // The first nine fraction digits as an integer: exactly parseTime's sum of digit * 1e8, 1e7, ... (all exact).
      let frac = 0;
      let digits = 0;
      c = b[++p];
      for (; c >= ZERO && c <= NINE; c = b[++p]) {
        if (digits < 9) {
          frac = frac * 10 + (c - ZERO);
          digits++;
        }
      }
      timeNs = whole * 1e9 + frac * POW10[9 - digits];
    } else if (c === LOWER_N && b[p + 1] === LOWER_S) {
      timeNs = whole;
      p += 2;
      c = b[p];
    } else {
      return -1;
    }
    if (!(timeNs <= MAX_TIME_NS) || !(c === SPACE || c === TAB || c === CR)) return -1;
    // cpu
    do c = b[++p];
    while (c === SPACE || c === TAB || c === CR);
    if (c !== LOWER_C || b[p + 1] !== LOWER_P || b[p + 2] !== LOWER_U) return -1;
    p += 3;
    c = b[p];
    if (c < ZERO || c > NINE) return -1;
    let cpu = 0;
    do {
      cpu = cpu * 10 + (c - ZERO);
      c = b[++p];
    } while (c >= ZERO && c <= NINE);
    if (cpu > MAX_INT32 || !(c === SPACE || c === TAB || c === CR)) return -1;
    // task: the previous task on this cpu, or hashed and interned
    do c = b[++p];
    while (c === SPACE || c === TAB || c === CR);
    let ascii = 0;
    let q = p;
    for (; c > SPACE; c = b[++q]) ascii |= c;
    if (q === p || ascii > 127) return -1;
    const tasks = this.taskNames;
    const recentTasks = this.recentTasks;
    const taskPlace = placeOf(b, p, q, RECENT_TASK_BITS);
    let taskName: number;
    if (recentTasks.match(taskPlace, b, p) === q) {
      taskName = recentTasks.id(taskPlace);
    } else {
      taskName = tasks.internAscii(b, p, q);
      if (this.checkedTask[taskName] !== 1) {
        try {
          checkTask(tasks.get(taskName), 0);
        } catch {
          return -1;
        }
        this.checkedTask[taskName] = 1;
      }
      recentTasks.expect(taskPlace, taskName, b, p, q);
    }
    c = b[q];
    if (!(c === SPACE || c === TAB || c === CR)) return -1;
    // event name: checked (no "=", not "@") when first seen, before it is interned
    do c = b[++q];
    while (c === SPACE || c === TAB || c === CR);
    p = q;
    if (c <= SPACE || c === AT) return -1;
    ascii = 0;
    for (; c > SPACE; c = b[++q]) ascii |= c;
    if (ascii > 127 || !isLineBlank(c)) return -1;
    const strings = this.builder.strings;
    const names = this.recentNames;
    const namePlace = placeOf(b, p, q, RECENT_NAME_BITS);
    let name: number;
    if (names.match(namePlace, b, p) === q) {
      name = names.id(namePlace);
    } else {
      name = strings.findAscii(b, p, q);
      if (name < 0 || name >= this.expectAt.length || this.expectAt[name] === 0) {
        // (an event name that is a number has no block: number ids are not dense, see stringTable.ts)
        if (name >= NUMBER_BASE || b.subarray(p, q).includes(EQUALS)) return -1;
        if (name < 0) name = strings.internAscii(b, p, q);
        this.expectArgs(name);
      }
      names.expect(namePlace, name, b, p, q);
    }
    const block = this.expectAt[name];
    // key=value ... [@file:line]
    const args = this.argBuffer;
    const expected = this.expectedArgs;
    let argCount = 0;
    let srcFile = -1;
    let srcLine = 0;
    for (;;) {
      while (c === SPACE || c === TAB || c === CR) c = b[++q];
      if (c <= SPACE) {
        if (c === NEWLINE) break;
        return -1;
      }
      if (srcFile >= 0) return -1;
      p = q;
      if (c === AT) {
        let ascii = 0;
        for (; c > SPACE; c = b[++q]) ascii |= c;
        if (ascii > 127 || !isLineBlank(c)) return -1;
        let colon = q - 1;
        while (colon > p + 1 && b[colon] !== COLON) colon--;
        if (colon <= p + 1 || colon === q - 1) return -1;
        srcLine = 0;
        for (let i = colon + 1; i < q; i++) {
          const d = b[i];
          if (d < ZERO || d > NINE) return -1;
          srcLine = srcLine * 10 + (d - ZERO);
        }
        if (srcLine > MAX_INT32) return -1;
        srcFile = strings.internBytes(b, p + 1, colon);
        continue;
      }
      // the key: the one this event name had at this place last time, or scanned up to "=" and interned
      const place = block + argCount;
      const predicted = argCount < EXPECT_BLOCK;
      let key = -1;
      if (predicted) {
        q = expected.match(place, b, p);
        if (q >= 0 && b[q] === EQUALS) key = expected.id(place);
      }
      if (key < 0) {
        ascii = 0;
        for (q = p; c > SPACE && c !== EQUALS; c = b[++q]) ascii |= c;
        if (c !== EQUALS || q === p || ascii > 127) return -1;
      }
      // (a quoted or missing value is the full parser's, and it interns no key then)
      c = b[q + 1];
      if (c <= SPACE || c === QUOTE) return -1;
      if (key < 0) {
        key = strings.internAscii(b, p, q);
        if (predicted) expected.expect(place, key, b, p, q);
      }
      // the value: the one of last time, or scanned and interned
      p = ++q;
      let value = -1;
      if (predicted) {
        q = expected.match(place + 1, b, p);
        if (q >= 0 && b[q] <= SPACE) value = expected.id(place + 1);
      }
      if (value < 0) {
        ascii = 0;
        for (q = p; c > SPACE; c = b[++q]) ascii |= c;
        if (ascii > 127 || !isLineBlank(c)) return -1;
        value = strings.internAscii(b, p, q);
        if (predicted) expected.expect(place + 1, value, b, p, q);
      }
      c = b[q];
      if (argCount === args.length) args.push(0, 0);
      args[argCount++] = key;
      args[argCount++] = value;
    }
    let task = (this.taskOfName[taskName] ?? 0) - 1;
    if (task < 0) {
      task = this.builder.taskId(tasks.get(taskName), cpu);
      this.taskOfName[taskName] = task + 1;
    }
    const event = this.builder.addEvent(0, cpu, task, name, lineNo, args, argCount / 2, srcFile, srcLine);
    this.builder.setTime(event, timeNs);
    return q + 1;
  }

  /** The place in `expect` of event name `name`'s expected arguments (made for a name seen for the first time). */
  private expectArgs(name: number): number {
    if (name >= this.expectAt.length) {
      const grown = new Int32Array(Math.max(name + 1, this.expectAt.length * 2));
      grown.set(this.expectAt);
      this.expectAt = grown;
    }
    // Names past the first MAX_EXPECTED share the last block: a wrong expectation only costs its check.
    const block = Math.min(this.expectBlocks++, MAX_EXPECTED - 1);
    this.expectedArgs.grow((block + 1) * EXPECT_BLOCK);
    this.expectAt[name] = block * EXPECT_BLOCK;
    return block * EXPECT_BLOCK;
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
