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
import { isBlank } from '../scan';
import { KIND_OF_CALL, Kind } from './callMerger';
import { callOfName, type EventNameResolver } from './eventNames';
import { notAscii, skipBlankBytes, tokenEndBytes } from './byteFields';
import { location, type CallSite } from './fields';
import type { TraceBuilder } from '../builder';
import { parameterName, pidValue, returnArgumentName, rewritesValues } from './values';

const EQUALS = 61;
const QUOTE = 34;
const OPEN = 40;
const CLOSE = 41;
const ZERO = 48;

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

/** One event line's fields, as positions in its bytes (filled by a format's byte reader). */
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
  /** The event name as printed; rawName is its id once interned (-1 before: a reader sets it with the name). */
  nameStart = 0;
  nameEnd = 0;
  rawName = -1;
  /** The probe's location, inside `(...)`; locStart is -1 when the line shows none. */
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
  rules: (KeyRule | undefined)[];
  targets: Map<string, KeyTarget>;
}

interface PrintedName {
  knows: boolean;
  /** The probe of the location seen last, and all of them. */
  last: Probe | undefined;
  byLocation: Map<number, Probe>;
}

export class ByteEvents {
  /** Tokens as printed (names, locations, keys, pids, values to normalise): the trace's own table only gets what it keeps. */
  private readonly raw = new StringTable();
  /** Recent tokens of `raw` (names, keys, pids), and recent argument values of the trace's table. */
  private readonly recentRaw = new RecentTokens(10);
  private readonly recentValues = new RecentTokens(12);
  private names: (PrintedName | undefined)[] = [];
  /** Task key number + 1 by raw pid id, and by cpu for pid 0 (each cpu's idle task). */
  private readonly pidKeys: number[] = [];
  private readonly idleKeys: number[] = [];
  /** Key numbers whose task name is settled (a known comm): their comm is not read again. */
  private readonly named: number[] = [];
  /** The accepted event's probe and the key rule of each argument. */
  private probe: Probe | undefined;
  private rules: KeyRule[] = [];
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
    this.names = [];
  }

  /** Does the printed name bytes[start, end) (each byte 1-127) reduce to an event the rules know? */
  knows(b: Uint8Array, start: number, end: number): boolean {
    return this.printed(this.raw.internAscii(b, start, end)).knows;
  }

  /** knows() for the event's own name (interned once for the line). */
  knowsName(ev: ByteEvent): boolean {
    return this.printed(this.rawNameOf(ev)).knows;
  }

  private rawNameOf(ev: ByteEvent): number {
    if (ev.rawName < 0) ev.rawName = this.recentRaw.id(this.raw, ev.bytes, ev.nameStart, ev.nameEnd);
    return ev.rawName;
  }

  /**
   * Can the byte path add this event? Nothing in the trace changes yet; on
   * true, `ev.key` is the task's key number and add() adds the event.
   */
  accept(ev: ByteEvent): boolean {
    const b = ev.bytes;
    const probe = this.probeOf(ev);
    if (probe.textOnly) return false;
    const n = ev.argCount;
    const a = ev.args;
    const keyIds = this.keyIds;
    for (let i = 0; i < n; i++) keyIds[i] = this.recentRaw.id(this.raw, b, a[4 * i], a[4 * i + 1]);
    const rules = this.rules;
    for (let i = 0; i < n; i++) rules[i] = probe.rules[keyIds[i]] ?? this.newRule(probe, keyIds[i]);
    const key = this.keyOf(ev);
    if (this.named[key] !== 1 && !this.nameIsAscii(ev, key)) return false;
    this.probe = probe;
    ev.key = key;
    ev.isReturn = probe.isReturn;
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
    const args = this.argIds;
    for (let i = 0; i < n; i++) {
      const t = this.targetOf(this.rules[i], probe, n);
      if (t.id < 0) t.id = strings.intern(t.key);
      const at = 4 * i;
      args[2 * i] = t.id;
      args[2 * i + 1] = t.normalize ? this.normalized(t, probe.nameId, b, a[at + 2], a[at + 3]) : this.recentValues.id(strings, b, a[at + 2], a[at + 3]);
    }
    if (this.named[ev.key] !== 1) this.nameTask(ev);
    let fnId = -1;
    if (this.timeOrdered && probe.fnId !== -2) {
      if (probe.fnId < 0) probe.fnId = strings.intern(probe.fn);
      fnId = probe.fnId;
    }
    this.out.addInterned(ev, ev.cpu, ev.key, probe.nameId, ev.line, args, 2 * n, probe.returnSite ?? ev.caller, probe.kind, probe.fn, fnId, probe.known, undefined);
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

  private printed(rawName: number): PrintedName {
    let p = this.names[rawName];
    if (p === undefined) this.names[rawName] = p = { knows: this.resolver.knows(this.raw.get(rawName)), last: undefined, byLocation: new Map() };
    return p;
  }

  private probeOf(ev: ByteEvent): Probe {
    const b = ev.bytes;
    const rawName = this.rawNameOf(ev);
    const p = this.printed(rawName);
    // a probe prints the same location line after line: compared in place, it need not be interned
    if (p.last !== undefined && sameLocation(p.last.locBytes, b, ev.locStart, ev.locEnd)) return p.last;
    const loc = ev.locStart < 0 ? -1 : this.raw.internAscii(b, ev.locStart, ev.locEnd);
    let probe = p.byLocation.get(loc);
    if (probe === undefined) p.byLocation.set(loc, (probe = this.newProbe(rawName, loc, ev.locStart < 0 ? undefined : b.slice(ev.locStart, ev.locEnd))));
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
      rules: [],
      targets: new Map(),
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
    probe.rules[rawKey] = rule;
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
    if (ev.pidEnd - ev.pidStart === 1 && b[ev.pidStart] === ZERO) {
      let k = this.idleKeys[ev.cpu];
      if (k === undefined) this.idleKeys[ev.cpu] = k = this.out.keyOf(`0@${ev.cpu}`) + 1;
      return k - 1;
    }
    const rawPid = this.recentRaw.id(this.raw, b, ev.pidStart, ev.pidEnd);
    let k = this.pidKeys[rawPid];
    if (k === undefined) this.pidKeys[rawPid] = k = this.out.keyOf(this.raw.get(rawPid)) + 1;
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

/** Is bytes[start, end) the location `loc` (start -1: no location, as loc undefined)? */
function sameLocation(loc: Uint8Array | undefined, b: Uint8Array, start: number, end: number): boolean {
  if (start < 0 || loc === undefined) return start < 0 && loc === undefined;
  if (loc.length !== end - start) return false;
  for (let i = 0; i < loc.length; i++) if (loc[i] !== b[start + i]) return false;
  return true;
}

/**
 * readProbeBody (fields.ts) over bytes from p: the optional `(location)`, then
 * `key=value` tokens into ev (tokens without `=`, or with an empty key or
 * value, are skipped as there; `key="..."` is read up to the next quote).
 * With `strict` (bpftrace: no quotes), every token must be `key=value`. False
 * when the text path must read the line: a location without its `)`, a byte
 * that is not ASCII.
 */
export function readBodyBytes(ev: ByteEvent, b: Uint8Array, p: number, end: number, strict: boolean): boolean {
  ev.argCount = 0;
  ev.locStart = -1;
  p = skipBlankBytes(b, p, end);
  if (!strict && p < end && b[p] === OPEN) {
    let close = p + 1;
    for (; close < end; close++) {
      const c = b[close];
      if (c === CLOSE) break;
      if (notAscii(c)) return false;
    }
    if (close === end) return false;
    ev.locStart = p + 1;
    ev.locEnd = close;
    p = skipBlankBytes(b, close + 1, end);
  }
  while (p < end) {
    let eq = p;
    for (; eq < end; eq++) {
      const c = b[eq];
      // most bytes are printable ASCII other than `=`: one range check
      if (c > 32 && c < 128 && c !== EQUALS) continue;
      if (c === EQUALS || isBlank(c)) break;
      if (notAscii(c)) return false;
    }
    if (eq === end || b[eq] !== EQUALS || eq === p) {
      if (strict) return false;
      p = skipBlankBytes(b, tokenEndBytes(b, eq, end), end);
      continue;
    }
    if (!strict && eq + 1 < end && b[eq + 1] === QUOTE) {
      // `key="..."` (a string fetch arg): up to the next quote, or the end of the line
      let close = eq + 2;
      for (; close < end; close++) {
        const c = b[close];
        if (c === QUOTE) break;
        if (notAscii(c)) return false;
      }
      ev.pushArg(p, eq, eq + 2, close);
      p = skipBlankBytes(b, close < end ? close + 1 : end, end);
      continue;
    }
    let v = eq + 1;
    for (; v < end; v++) {
      const c = b[v];
      if (c > 32 && c < 128) continue;
      if (isBlank(c)) break;
      if (notAscii(c)) return false;
    }
    if (v > eq + 1) ev.pushArg(p, eq, eq + 1, v);
    else if (strict) return false;
    p = skipBlankBytes(b, v, end);
  }
  return true;
}
