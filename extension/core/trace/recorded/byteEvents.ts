// The byte path of the recorded text formats (ftrace, trace-cmd, perf script,
// bpftrace). A line in its format's common shape is read straight from the
// file's bytes (byteLines.ts): the format's reader finds its fields (ByteEvent)
// and ByteEvents adds the event, resolving what it has seen before by the
// interned id of the printed token: a probe name and location resolve once to
// the event's name, call and argument rules, a pid to its task. Only tokens
// the text path would keep (argument values, new names) reach the trace's
// string table, in the order the text path interns them, so either path gives
// the same trace. Anything else (non-ASCII, syscall lines whose meaning
// depends on their values, comments, errors) is left to the text path: a
// reader returns false and the line is decoded.

import type { DirectiveReader } from '../directives';
import { ExpectedTokens, placeOf } from '../expectedTokens';
import { StringTable } from '../stringTable';
import { KIND_OF_CALL, Kind } from './callMerger';
import { callOfName, type EventNameResolver } from './eventNames';
import { notAscii } from './byteFields';
import { location, type CallSite } from './fields';
import type { TraceBuilder } from '../builder';
import { parameterName, pidValue, returnArgumentName, rewritesValues } from './values';

const EQUALS = 61;
const QUOTE = 34;
const OPEN = 40;
const CLOSE = 41;
const ZERO = 48;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const NEWLINE = 10;

/**
 * Ids of tokens seen lately, found by their bytes with neither hashing nor probing: a token's
 * place comes from its length and end bytes, and its bytes are compared with those kept there
 * (ExpectedTokens). A miss interns the token as before, so ids and their order are the table's.
 */
class RecentTokens {
  private readonly tokens: ExpectedTokens;

  constructor(private readonly bits: number) {
    this.tokens = new ExpectedTokens(1 << bits);
  }

  /** The id of bytes[start, end) (non-empty, each byte 1-127) in `table`, interned there if new. */
  id(table: StringTable, b: Uint8Array, start: number, end: number): number {
    const place = placeOf(b, start, end, this.bits);
    const tokens = this.tokens;
    if (tokens.match(place, b, start) === end) return tokens.id(place);
    const id = table.internAscii(b, start, end);
    tokens.expect(place, id, b, start, end);
    return id;
  }
}

/** One event line's fields, as positions in its bytes (filled by a format's byte reader, then by accept()). */
export class ByteEvent {
  bytes: Uint8Array = new Uint8Array(0);
  line = 0;
  timeNs = 0;
  cpu = 0;
  /** The task's `comm` and `pid` (or tid: what identifies the thread). */
  commStart = 0;
  commEnd = 0;
  pidStart = 0;
  pidEnd = 0;
  /** The event name as printed; `printed` is its number in ByteEvents once looked up (-1 before: a reader sets it with the name). */
  nameStart = 0;
  nameEnd = 0;
  printed = -1;
  /** Where what follows the name starts (a reader sets it): the optional `(location)` and the arguments. */
  bodyStart = 0;
  /** Set by accept(): where the line's `\n` is. */
  lineEnd = 0;
  /** Set by accept(): the probe's location, inside `(...)` (locStart -1 when the line shows none), and the arguments. */
  locStart = -1;
  locEnd = 0;
  /** Per argument: key start, key end, value start, value end. */
  args = new Int32Array(4 * 8);
  argCount = 0;
  /** Call context for the event (ftrace: the function-tracer line before it), set between accept() and add(). */
  caller: string | undefined = undefined;
  /** Set by accept(): the task key's number (RecordedTrace.keyOf), and whether the probe is a return probe. */
  key = 0;
  isReturn = false;

  /** Appends the argument bytes[ks, ke) = bytes[vs, ve). */
  pushArg(ks: number, ke: number, vs: number, ve: number): void {
    let a = this.args;
    const at = 4 * this.argCount;
    if (at === a.length) {
      a = new Int32Array(a.length * 2);
      a.set(this.args);
      this.args = a;
    }
    a[at] = ks;
    a[at + 1] = ke;
    a[at + 2] = vs;
    a[at + 3] = ve;
    this.argCount++;
  }
}

/**
 * Where an event's time is read from (the event itself): a double handed from
 * function to function as an argument is boxed into a new heap number each
 * time, a field is not (builder.ts setTime).
 */
export interface TimeOf {
  readonly timeNs: number;
}

/** What ByteEvents adds events to (RecordedTrace): the same steps its text path takes. */
export interface ByteEventSink {
  readonly builder: TraceBuilder;
  keyOf(taskKey: string): number;
  hasKnownName(key: number): boolean;
  noteTaskName(key: number, taskName: string): void;
  argumentValue(name: number, key: string, rawValue: string): string;
  addInterned(at: TimeOf, cpu: number, key: number, name: number, line: number, args: ArrayLike<number>, argValues: number, caller: string | undefined, kind: Kind, fn: string, fnId: number, known: boolean, context: string | undefined): void;
}

/** How a layout names the probed call: from the location column (`addressFirst` as readProbeBody), or from the name alone (bpftrace). */
export interface ByteLayout {
  addressFirst: boolean;
  callFromName: boolean;
  /** No location column and no quoted values: every token after the name is key=value (bpftrace), or the text path reads the line. */
  keyValuesOnly: boolean;
}

/** What a key of one probe becomes (values.ts): its name, and whether its values may be rewritten (normalised or aliased). */
interface KeyTarget {
  key: string;
  /** Interned key (-1 until the first event that uses it: the text path interns it there). */
  id: number;
  normalize: boolean;
  /** A fork's child: its value is a pid (values.ts pidValue). */
  pid: boolean;
  /** Raw value id -> interned value as the rules see it, for a key whose values may be rewritten. */
  values: Map<number, number> | undefined;
}

/**
 * The key an argument takes: `a`, or `b` when a return probe has more than
 * one argument, or when the line also prints `named` (the parameter name an
 * unnamed `argN` would take).
 */
interface KeyRule {
  a: KeyTarget;
  b: KeyTarget;
  namedRaw: number;
}

/** A printed event name with one location, resolved. */
interface Probe {
  /** The raw id of its location (-1: the line shows none), and its bytes (undefined then). */
  loc: number;
  locBytes: Uint8Array | undefined;
  /** The text path takes the line (a syscall exit's bare value, and whether wait4 reaped a child, depend on the values). */
  textOnly: boolean;
  resolved: string;
  /** Interned resolved name (-1 until the first event). */
  nameId: number;
  /** The resolved name's vocabulary id, for values.ts (-1 when it is none). */
  vocabularyId: number;
  base: string;
  kind: Kind;
  isReturn: boolean;
  fn: string;
  /** Interned fn, for time-ordered traces (-1 until needed, -2 when the line shows no call). */
  fnId: number;
  known: boolean;
  returnSite: string | undefined;
  /** Key rules by raw key id. */
  rules: Map<number, KeyRule>;
  targets: Map<string, KeyTarget>;
  /**
   * The place of its block in ByteEvents.expected (0: none): the keys and values of its last
   * event, argument k's key at block + 2k and its value (interned as the rules see it) at
   * block + 2k + 1. An event with the same keys in the same order has the same key targets
   * (lastTargets), so only its values that differ from the last event's need looking up.
   */
  block: number;
  /** The number of arguments of its last event (-1: none to predict from), and their key targets. */
  lastCount: number;
  lastTargets: KeyTarget[];
}

interface PrintedName {
  raw: number;
  knows: boolean;
  /** The probe of the location seen last, and all of them. */
  last: Probe | undefined;
  byLocation: Map<number, Probe>;
}

/** Arguments per event predicted from the probe's last event (a key place and a value place each), for at most MAX_BLOCKS probes. */
const EXPECTED_ARGS = 8;
const MAX_BLOCKS = 4096;
/** Places for recent event names and pids, as powers of two. */
const NAME_BITS = 8;
/** The longest value the string table finds from its bytes packed in three words (stringTable.ts INLINE). */
const SHORT_VALUE = 12;
const PID_BITS = 10;

export class ByteEvents {
  /** Tokens as printed (names, locations, keys, pids, values to normalise): the trace's own table only gets what it keeps. */
  private readonly raw = new StringTable();
  /** Recent keys and values to normalise (ids of `raw`), and recent argument values (ids of the trace's table). */
  private readonly recentRaw = new RecentTokens(10);
  private readonly recentValues = new RecentTokens(12);
  /** Printed names by number (ByteEvent.printed), their numbers by raw id, and recent ones by their bytes. */
  private printed: PrintedName[] = [];
  private printedOfRaw = new Map<number, number>();
  private recentNames = new ExpectedTokens(1 << NAME_BITS);
  /** Recent pids, by their bytes, with their task key numbers. */
  private readonly recentPids = new ExpectedTokens(1 << PID_BITS);
  /** Task key number + 1 by raw pid id, and by cpu for pid 0 (each cpu's idle task). */
  private readonly pidKeys: number[] = [];
  private readonly idleKeys: number[] = [];
  /** Key numbers whose task name is settled (a known comm): their comm is not read again. */
  private readonly named: number[] = [];
  /** The probes' blocks of expected keys and values (Probe.block), and the number of blocks given out. */
  private readonly expected = new ExpectedTokens(2 * EXPECTED_ARGS * 64);
  private blocks = 1;
  /** The accepted event's probe; whether its keys are its last event's (predicted); else each argument's key target. */
  private probe: Probe | undefined;
  private predicted = false;
  private readonly targets: KeyTarget[] = [];
  /** Per argument of the accepted event: its value's id when it was its probe's last value there, -1 when not, -2 for a quoted one. */
  private readonly valueIds: number[] = [];
  private readonly keyIds: number[] = [];
  private readonly argIds: number[] = [];

  constructor(
    private readonly out: ByteEventSink,
    private readonly resolver: EventNameResolver,
    private readonly directives: DirectiveReader,
    private readonly layout: ByteLayout,
    private readonly timeOrdered: boolean,
  ) {}

  /** A directive may map names from its line on: every resolution is made again. */
  forget(): void {
    this.printed = [];
    this.printedOfRaw = new Map();
    this.recentNames = new ExpectedTokens(1 << NAME_BITS);
  }

  /** Does the printed name bytes[start, end) (each byte 1-127) reduce to an event the rules know? */
  knows(b: Uint8Array, start: number, end: number): boolean {
    return this.printed[this.printedOfId(this.raw.internAscii(b, start, end))].knows;
  }

  /** knows() for the event's own name (looked up once for the line; its reader has checked that each byte is 1-127). */
  knowsName(ev: ByteEvent): boolean {
    const printed = this.printedOf(ev);
    return printed >= 0 && this.printed[printed].knows;
  }

  /**
   * The number of the event's printed name (bytes[nameStart, nameEnd)), or -1 when the byte path
   * does not take it: a byte not in 1-127, or (keyValuesOnly) a `=`, checked when the name is new.
   */
  private printedOf(ev: ByteEvent): number {
    if (ev.printed >= 0) return ev.printed;
    const b = ev.bytes;
    const place = placeOf(b, ev.nameStart, ev.nameEnd, NAME_BITS);
    if (this.recentNames.match(place, b, ev.nameStart) === ev.nameEnd) return (ev.printed = this.recentNames.id(place));
    for (let i = ev.nameStart; i < ev.nameEnd; i++) if (notAscii(b[i]) || (b[i] === EQUALS && this.layout.keyValuesOnly)) return -1;
    ev.printed = this.printedOfId(this.raw.internAscii(b, ev.nameStart, ev.nameEnd));
    this.recentNames.expect(place, ev.printed, b, ev.nameStart, ev.nameEnd);
    return ev.printed;
  }

  private printedOfId(raw: number): number {
    let n = this.printedOfRaw.get(raw);
    if (n === undefined) {
      n = this.printed.length;
      this.printed.push({ raw, knows: this.resolver.knows(this.raw.get(raw)), last: undefined, byLocation: new Map() });
      this.printedOfRaw.set(raw, n);
    }
    return n;
  }

  /**
   * Can the byte path add this event? Reads its body from ev.bodyStart to the
   * line's `\n` (readProbeBody over bytes: the optional `(location)`, then
   * `key=value` tokens), finds its probe and task. Nothing in the trace changes
   * yet; on true, `ev.lineEnd` is where the `\n` is, `ev.key` the task's key
   * number, and add() adds the event. False when the text path must read the
   * line: a location without its `)`, a byte that is not ASCII or is a control
   * character, a probe whose meaning depends on its values, a new task's comm
   * that is not ASCII.
   *
   * The body is read up to the `\n`, not to a line end given: a `\r` before it is a blank like any other.
   */
  accept(ev: ByteEvent): boolean {
    const b = ev.bytes;
    let p = ev.bodyStart;
    let c = b[p];
    while (c === SPACE || c === TAB || c === CR) c = b[++p];
    const printed = this.printedOf(ev);
    if (printed < 0) return false;
    const name = this.printed[printed];
    let probe = name.last;
    ev.locStart = -1;
    if (c === OPEN && !this.layout.keyValuesOnly) {
      // most often the location its last probe had, compared in place (a location holds no `\n`)
      const loc = probe?.locBytes;
      let close = p + 1;
      if (loc !== undefined && startsWithLocation(b, close, loc) && b[close + loc.length] === CLOSE) {
        close += loc.length;
      } else {
        for (c = b[close]; c !== CLOSE; c = b[++close]) if (c === NEWLINE || notAscii(c)) return false;
        probe = undefined;
      }
      ev.locStart = p + 1;
      ev.locEnd = close;
      p = close + 1;
    } else if (probe !== undefined && probe.loc !== -1) {
      probe = undefined;
    }
    probe ??= this.probeOf(ev, name);
    if (probe.textOnly || !this.readArguments(ev, probe, p)) return false;
    const n = ev.argCount;
    this.predicted = this.predicted && n === probe.lastCount;
    if (!this.predicted) {
      const a = ev.args;
      const keyIds = this.keyIds;
      for (let i = 0; i < n; i++) keyIds[i] = this.recentRaw.id(this.raw, b, a[4 * i], a[4 * i + 1]);
      for (let i = 0; i < n; i++) this.targets[i] = this.targetOf(probe.rules.get(keyIds[i]) ?? this.newRule(probe, keyIds[i]), probe, n);
    }
    const key = this.keyOf(ev);
    if (this.named[key] !== 1 && !this.nameIsAscii(ev, key)) return false;
    this.probe = probe;
    ev.key = key;
    ev.isReturn = probe.isReturn;
    return true;
  }

  /**
   * The `key=value` tokens from p to the line's `\n` into ev (tokens without
   * `=`, or with an empty key or value, are skipped as readProbeBody skips
   * them; `key="..."` is read up to the next quote). With `keyValuesOnly`,
   * every token must be `key=value`. Each key and value is first compared in
   * place with the probe's last event's (`predicted` stays true while all keys
   * so far were its keys): a match needs no scan for the `=` and no lookup of
   * the value. (The `\n` ends every comparison: no expected token holds it.)
   */
  private readArguments(ev: ByteEvent, probe: Probe, p: number): boolean {
    const b = ev.bytes;
    const strict = this.layout.keyValuesOnly;
    const expected = this.expected;
    const block = probe.block;
    const valueIds = this.valueIds;
    let predicted = block > 0;
    let n = 0;
    ev.argCount = 0;
    let c = b[p];
    for (;;) {
      while (c === SPACE || c === TAB || c === CR) c = b[++p];
      if (c <= SPACE) {
        if (c === NEWLINE) break;
        return false;
      }
      let eq = -1;
      if (predicted && n < EXPECTED_ARGS) {
        const q = expected.match(block + 2 * n, b, p);
        if (q >= 0 && b[q] === EQUALS) eq = q;
      }
      if (eq < 0) {
        predicted = false;
        // most bytes are printable ASCII other than `=`: one range check
        for (eq = p, c = b[eq]; c > SPACE && c < 128 && c !== EQUALS; c = b[++eq]);
        if (unread(c)) return false;
        if (c !== EQUALS || eq === p) {
          if (strict) return false;
          for (p = eq; c !== SPACE && c !== TAB && c !== CR && c !== NEWLINE; c = b[++p]);
          continue;
        }
      }
      let v = eq + 1;
      c = b[v];
      if (c === QUOTE && !strict) {
        // `key="..."` (a string fetch arg): up to the next quote
        let close = v + 1;
        for (c = b[close]; c !== QUOTE; c = b[++close]) if (c === NEWLINE || notAscii(c)) return false;
        valueIds[n++] = -2;
        ev.pushArg(p, eq, v + 1, close);
        c = b[(p = close + 1)];
        continue;
      }
      let value = -1;
      if (predicted && n < EXPECTED_ARGS) {
        const q = expected.match(block + 2 * n + 1, b, v);
        if (q > v) {
          c = b[q];
          if (c === SPACE || c === TAB || c === CR || c === NEWLINE) {
            value = expected.id(block + 2 * n + 1);
            v = q;
          }
        }
      }
      if (value < 0) {
        for (c = b[v]; c > SPACE && c < 128; c = b[++v]);
        if (notAscii(c)) return false;
      }
      if (v > eq + 1) {
        valueIds[n++] = value;
        ev.pushArg(p, eq, eq + 1, v);
      } else if (strict) {
        return false;
      }
      p = v;
    }
    ev.lineEnd = p;
    this.predicted = predicted;
    return true;
  }

  /** Adds the event accept() took, interning as the text path (RecordedTrace.add) does: name, then each key and value, then fn. */
  add(ev: ByteEvent): void {
    const probe = this.probe!;
    const strings = this.out.builder.strings;
    const b = ev.bytes;
    const a = ev.args;
    const n = ev.argCount;
    if (probe.nameId < 0) probe.nameId = strings.intern(probe.resolved);
    const predicted = this.predicted;
    const targets = predicted ? probe.lastTargets : this.targets;
    const block = probe.block;
    const args = this.argIds;
    for (let i = 0; i < n; i++) {
      const t = targets[i];
      if (t.id < 0) t.id = strings.intern(t.key);
      args[2 * i] = t.id;
      const known = this.valueIds[i];
      if (predicted && known >= 0) {
        args[2 * i + 1] = known;
        continue;
      }
      const at = 4 * i;
      const value = t.normalize ? this.normalized(t, probe.nameId, b, a[at + 2], a[at + 3]) : this.valueId(strings, b, a[at + 2], a[at + 3]);
      args[2 * i + 1] = value;
      // a quoted value may hold blanks: it is not expected, as a token
      if (block > 0 && i < EXPECTED_ARGS) this.expected.expect(block + 2 * i + 1, value, b, a[at + 2], known === -2 ? a[at + 2] : a[at + 3]);
    }
    if (!predicted && block > 0) this.expectKeys(probe, ev, targets);
    if (this.named[ev.key] !== 1) this.nameTask(ev);
    let fnId = -1;
    if (this.timeOrdered && probe.fnId !== -2) {
      if (probe.fnId < 0) probe.fnId = strings.intern(probe.fn);
      fnId = probe.fnId;
    }
    this.out.addInterned(ev, ev.cpu, ev.key, probe.nameId, ev.line, args, 2 * n, probe.returnSite ?? ev.caller, probe.kind, probe.fn, fnId, probe.known, undefined);
  }

  /**
   * The id of a value that is not its probe's last one there: a short one (a number, most of them) from
   * the string table, which finds it without hashing its bytes; a long one (an address) among recent ones.
   */
  private valueId(strings: StringTable, b: Uint8Array, start: number, end: number): number {
    return end - start <= SHORT_VALUE ? strings.internAscii(b, start, end) : this.recentValues.id(strings, b, start, end);
  }

  /** The keys of the event just added, and their targets, are what its probe's next event is expected to have. */
  private expectKeys(probe: Probe, ev: ByteEvent, targets: KeyTarget[]): void {
    const n = ev.argCount;
    probe.lastCount = n <= EXPECTED_ARGS ? n : -1;
    const a = ev.args;
    for (let i = 0; i < n && i < EXPECTED_ARGS; i++) {
      this.expected.expect(probe.block + 2 * i, 0, ev.bytes, a[4 * i], a[4 * i + 1]);
      probe.lastTargets[i] = targets[i];
    }
  }

  private targetOf(rule: KeyRule, probe: Probe, argCount: number): KeyTarget {
    if (probe.isReturn) return argCount === 1 ? rule.a : rule.b;
    if (rule.namedRaw < 0) return rule.a;
    for (let i = 0; i < argCount; i++) if (this.keyIds[i] === rule.namedRaw) return rule.b;
    return rule.a;
  }

  private normalized(t: KeyTarget, name: number, b: Uint8Array, start: number, end: number): number {
    const rawId = this.recentRaw.id(this.raw, b, start, end);
    let id = t.values!.get(rawId);
    if (id === undefined) {
      const value = this.out.argumentValue(name, t.key, this.raw.get(rawId));
      id = this.out.builder.strings.intern(t.pid ? pidValue(value) : value);
      t.values!.set(rawId, id);
    }
    return id;
  }

  /** The probe of printed name `p` at the event's location (found or made), which becomes the name's last. */
  private probeOf(ev: ByteEvent, p: PrintedName): Probe {
    const b = ev.bytes;
    const loc = ev.locStart < 0 ? -1 : this.raw.internAscii(b, ev.locStart, ev.locEnd);
    let probe = p.byLocation.get(loc);
    if (probe === undefined) p.byLocation.set(loc, (probe = this.newProbe(p.raw, loc, ev.locStart < 0 ? undefined : b.slice(ev.locStart, ev.locEnd))));
    p.last = probe;
    return probe;
  }

  /** What RecordedTrace.add works out per event, once per printed name and location. */
  private newProbe(rawName: number, loc: number, locBytes: Uint8Array | undefined): Probe {
    const name = this.raw.get(rawName);
    let symbol: string | undefined;
    let returnSite: string | undefined;
    let call: { kind: CallSite['kind']; fn: string } | undefined;
    if (this.layout.callFromName) call = callOfName(name);
    else if (loc >= 0) ({ symbol, returnSite, call } = location(this.raw.get(loc), this.layout.addressFirst));
    const resolved = this.resolver.resolve(name, symbol);
    const base = this.resolver.baseName(name);
    let block = 0;
    if (this.blocks < MAX_BLOCKS) {
      block = 2 * EXPECTED_ARGS * this.blocks++;
      this.expected.grow(block + 2 * EXPECTED_ARGS);
    }
    return {
      loc,
      locBytes,
      textOnly: base.startsWith('sys_exit_') || resolved === 'task_wait',
      resolved,
      nameId: -1,
      vocabularyId: this.out.builder.strings.lookup(resolved),
      base,
      kind: call ? KIND_OF_CALL[call.kind] : Kind.Plain,
      isReturn: call?.kind === 'return',
      fn: call?.fn ?? '',
      fnId: call ? -1 : -2,
      known: this.resolver.isKnown(resolved),
      returnSite,
      rules: new Map(),
      targets: new Map(),
      block,
      lastCount: -1,
      lastTargets: [],
    };
  }

  /** The argument name rules of RecordedTrace.argumentName, for one printed key of a probe. */
  private newRule(probe: Probe, rawKey: number): KeyRule {
    const key = this.raw.get(rawKey);
    let rule: KeyRule;
    if (probe.isReturn) {
      rule = { a: this.target(probe, returnArgumentName(key, 1)), b: this.target(probe, returnArgumentName(key, 2)), namedRaw: -1 };
    } else if (probe.resolved === 'task_fork' && key === 'child_pid') {
      const child = this.target(probe, 'child');
      rule = { a: child, b: child, namedRaw: -1 };
    } else {
      const named = parameterName(probe.base, key, probe.resolved);
      const own = this.target(probe, key);
      rule = named === undefined ? { a: own, b: own, namedRaw: -1 } : { a: this.target(probe, named), b: own, namedRaw: this.raw.intern(named) };
    }
    probe.rules.set(rawKey, rule);
    return rule;
  }

  private target(probe: Probe, key: string): KeyTarget {
    let t = probe.targets.get(key);
    if (t === undefined) {
      // every resolution is made again after a directive, so `!alias` in effect is seen here
      const pid = probe.resolved === 'task_fork' && key === 'child';
      const normalize = pid || this.directives.hasAliases || rewritesValues(probe.vocabularyId, key);
      probe.targets.set(key, (t = { key, id: -1, normalize, pid, values: normalize ? new Map() : undefined }));
    }
    return t;
  }

  /** The task key's number: the pid, or `0@cpu` for pid 0 (RecordedTrace.add's keys). */
  private keyOf(ev: ByteEvent): number {
    const b = ev.bytes;
    const start = ev.pidStart;
    const end = ev.pidEnd;
    if (end - start === 1 && b[start] === ZERO) {
      let k = this.idleKeys[ev.cpu];
      if (k === undefined) this.idleKeys[ev.cpu] = k = this.out.keyOf(`0@${ev.cpu}`) + 1;
      return k - 1;
    }
    const place = placeOf(b, start, end, PID_BITS);
    if (this.recentPids.match(place, b, start) === end) return this.recentPids.id(place);
    const rawPid = this.raw.internAscii(b, start, end);
    let k = this.pidKeys[rawPid];
    if (k === undefined) this.pidKeys[rawPid] = k = this.out.keyOf(this.raw.get(rawPid)) + 1;
    this.recentPids.expect(place, k - 1, b, start, end);
    return k - 1;
  }

  /** A task whose name is not settled needs the comm of this line as a string: ASCII only. */
  private nameIsAscii(ev: ByteEvent, key: number): boolean {
    if (this.out.hasKnownName(key)) {
      this.named[key] = 1;
      return true;
    }
    const b = ev.bytes;
    for (let i = ev.commStart; i < ev.commEnd; i++) if (b[i] > 127) return false;
    return true;
  }

  private nameTask(ev: ByteEvent): void {
    const b = ev.bytes;
    let name = '';
    for (let i = ev.commStart; i < ev.commEnd; i++) name += String.fromCharCode(b[i]);
    name += '/';
    for (let i = ev.pidStart; i < ev.pidEnd; i++) name += String.fromCharCode(b[i]);
    this.out.noteTaskName(ev.key, name);
  }
}

/** Do bytes from `start` on begin with the location `loc`? */
function startsWithLocation(b: Uint8Array, start: number, loc: Uint8Array): boolean {
  for (let i = 0; i < loc.length; i++) if (loc[i] !== b[start + i]) return false;
  return true;
}

/** A byte that ends a token and that the byte path leaves to the text path: not ASCII, NUL, or a control character other than a blank or the `\n`. */
const unread = (c: number): boolean => c > 127 || (c < SPACE && c !== TAB && c !== CR && c !== NEWLINE);
