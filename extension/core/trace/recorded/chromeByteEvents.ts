// The meaning of an event object the byte path has read (jsonEventBytes.ts):
// what ChromeJsonParser.event and RecordedTrace.add do with a plain event
// (`X`, `B`, `i`, `I`), straight from the bytes into the trace, with no JS
// object or string per event. Names, argument keys and rewritten values are
// resolved once per distinct spelling and cached. Whatever would give a
// diagnostic, and what needs more than a plain event (flows, metadata,
// directives, `!alias` in effect, names and keys that add() rewrites), is
// declined: the object then goes to JSON.parse and ChromeJsonParser.event,
// which give the same events and the diagnostics.

import { MAX_INT32, MAX_TIME_NS } from '../numbers';
import { StringTable } from '../stringTable';
import { Ev, isVocabulary } from '../vocabulary';
import { type EventShape, ValueKind } from './jsonEventBytes';
import type { RecordedTrace } from './recordedTrace';
import { normalizeValue, parameterName, rewritesValues } from './values';

export const enum ByteEvent {
  /** Not read: the other paths must. */
  Declined,
  /** A phase that carries no event (`E`, counters, async, ...). */
  Ignored,
  Added,
}

const enum KeyUse {
  /** Values are kept as printed. */
  Plain = 1,
  /** normalizeValue rewrites values. */
  Rewritten,
  /** add() renames the key: the other paths. */
  Declined,
}

/** What a raw event name resolves to (until the next directive). */
interface NameInfo {
  resolved: string;
  /** Its id in the trace's strings once an event has used it, else -1. */
  id: number;
  /** The vocabulary id for normalizeValue, or -1. */
  vocabulary: number;
  base: string;
  known: boolean;
  /** add() treats the event specially (wait4, fork): the other paths. */
  declined: boolean;
  /** KeyUse by raw key id. */
  keyUse: number[];
  /** Rewritten value ids by raw key id, then by raw value id. */
  rewritten: Map<number, Map<number, number>>;
  /** The arg keys of the last event of this name read (most events of a name have the same). */
  layout: KeyLayout | undefined;
}

/**
 * What an event of a template (jsonTemplates.ts) is, learnt from the object
 * the template was made of: everything but its numbers and values.
 */
interface Known {
  info: NameInfo | undefined;
  /** Per argument: its raw key id and its trace key id. */
  rawKeys: Int32Array;
  keyIds: Int32Array;
  /** Per argument: the last value's bytes (EXPECTED_WIDTH each, the first their count + 1; 0: none) and trace id. */
  expected: Uint8Array;
  expectedId: Int32Array;
}
/** Entries of the task cache (a power of two). */
const TASK_CACHE = 1024;
/** A value longer than this is not kept to compare with the next one. */
const EXPECTED_WIDTH = 32;
/** Events of a phase that carries none, and finding markers (ignored only once their time is in range, as the other paths check it first). */
const IGNORED_PHASE: Known = { info: undefined, rawKeys: new Int32Array(0), keyIds: new Int32Array(0), expected: new Uint8Array(0), expectedId: new Int32Array(0) };
const IGNORED_FINDING: Known = { ...IGNORED_PHASE };

/** Arg keys in order: their raw key ids, and bytes back to back. */
interface KeyLayout {
  count: number;
  rawKeys: Int32Array;
  ends: Int32Array;
  bytes: Uint8Array;
}

const enum Phase {
  Other,
  /** X, B, i, I: an event. */
  Event,
  /** E, counters, async, object and sample phases: nothing. */
  Ignored,
}
/** By the phase's character code (ASCII). */
const PHASES = new Uint8Array(128);
for (const c of 'XBiI') PHASES[c.charCodeAt(0)] = Phase.Event;
for (const c of 'ECPbenOND') PHASES[c.charCodeAt(0)] = Phase.Ignored;
const LITERALS = ['', '', 'true', 'false', 'NULL'];

export class ChromeByteEvents {
  /** Raw spellings, in tables of their own (the trace's table holds only what the events use). */
  private readonly rawNames = new StringTable();
  private readonly rawKeys = new StringTable();
  private readonly rawValues = new StringTable();
  private names: (NameInfo | undefined)[] = [];
  /** Trace string id of each raw key id (-1 until an event has used it). */
  private readonly keyIds: number[] = [];
  /** The queue slot (RecordedTrace.queueTask) of a thread by pid, then tid. */
  private tasks = new Map<number, Map<number, number>>();
  /** A cache of `tasks` for int32 ids: pid, tid and slot + 1 (0: empty) by a hash of the ids. */
  private readonly taskCache = new Int32Array(3 * TASK_CACHE);
  /** What each template's events are, by template number. */
  private known: (Known | undefined)[] = [];
  /** What the last read (by scanEvent's shape) gave, for template(). */
  private lastResult = ByteEvent.Declined;
  /** The last read() ignored the object for its phase (not for its category). */
  private lastIgnoredPhase = false;
  private lastInfo: NameInfo | undefined;
  private readonly rawKeyOf = new Int32Array(64);
  /** The (key, value) ids of the event being read. */
  private readonly args = new Int32Array(128);
  private readonly finding: Uint8Array;

  constructor(
    private readonly out: RecordedTrace,
    findingCategory: string,
  ) {
    this.finding = new TextEncoder().encode(findingCategory);
  }

  /** A directive may change what names resolve to (the caller forgets the templates too). */
  forget(): void {
    this.names = [];
    this.known = [];
  }

  /** A thread was named (its events' first name may now be kept for finish()). */
  forgetTasks(): void {
    this.tasks = new Map();
    this.taskCache.fill(0);
  }

  read(e: EventShape, b: Uint8Array, line: number): ByteEvent {
    if (e.template >= 0) {
      const known = this.known[e.template];
      return known === undefined ? ByteEvent.Declined : known === IGNORED_PHASE ? ByteEvent.Ignored : this.readKnown(known, e, b, line);
    }
    this.lastResult = this.readShape(e, b, line);
    return this.lastResult;
  }

  /** The object the last read() took is template `id`. */
  template(id: number): void {
    if (this.lastResult === ByteEvent.Ignored) this.known[id] = this.lastIgnoredPhase ? IGNORED_PHASE : IGNORED_FINDING;
    else if (this.lastResult === ByteEvent.Added) {
      const info = this.lastInfo as NameInfo;
      const rawKeys = (info.layout as KeyLayout).rawKeys;
      const keyIds = new Int32Array(rawKeys.length);
      for (let k = 0; k < rawKeys.length; k++) keyIds[k] = this.keyIds[rawKeys[k]];
      this.known[id] = { info, rawKeys, keyIds, expected: new Uint8Array(rawKeys.length * EXPECTED_WIDTH), expectedId: new Int32Array(rawKeys.length) };
    }
  }

  /** read() for an object of a template whose events are added: only the numbers and values are new. */
  private readKnown(known: Known, e: EventShape, b: Uint8Array, line: number): ByteEvent {
    if (this.out.directives.hasAliases) return ByteEvent.Declined;
    const timeNs = Math.round(e.ts * 1000);
    if (!timeInRange(timeNs)) return ByteEvent.Declined;
    if (known === IGNORED_FINDING) return ByteEvent.Ignored;
    const cpu = e.cpu < 0 ? 0 : e.cpu;
    if (!cpuInRange(cpu)) return ByteEvent.Declined;
    const info = known.info as NameInfo;
    const count = e.argCount;
    const args = this.args;
    const expected = known.expected;
    for (let k = 0; k < count; k++) {
      args[2 * k] = known.keyIds[k];
      const start = e.valueStart[k];
      const end = e.valueEnd[k];
      // most values are those of the last event of the template: compared in place, not looked up
      const at = k * EXPECTED_WIDTH;
      let same = expected[at] === end - start + 1 && e.valueKind[k] <= ValueKind.Integer;
      for (let j = 0; same && j < end - start; j++) same = expected[at + 1 + j] === b[start + j];
      if (same) {
        args[2 * k + 1] = known.expectedId[k];
        continue;
      }
      const id = this.value(e, b, k, info, known.rawKeys[k]);
      args[2 * k + 1] = id;
      if (e.valueKind[k] <= ValueKind.Integer && end - start < EXPECTED_WIDTH - 1) {
        expected[at] = end - start + 1;
        for (let j = 0; j < end - start; j++) expected[at + 1 + j] = b[start + j];
        known.expectedId[k] = id;
      }
    }
    this.out.queueTime(this.out.queueResolved(cpu, this.task(e.hasPid ? e.pid : e.tid, e.hasTid ? e.tid : e.pid), info.id, info.known, line, args, 2 * count), timeNs);
    return ByteEvent.Added;
  }

  private readShape(e: EventShape, b: Uint8Array, line: number): ByteEvent {
    if (!e.hasPh) return ByteEvent.Declined;
    const phase = PHASES[e.ph];
    this.lastIgnoredPhase = phase === Phase.Ignored;
    if (phase === Phase.Ignored) return ByteEvent.Ignored;
    if (phase !== Phase.Event || (!e.hasPid && !e.hasTid) || !e.hasTs || this.out.directives.hasAliases) return ByteEvent.Declined;
    const timeNs = Math.round(e.ts * 1000);
    if (!timeInRange(timeNs)) return ByteEvent.Declined;
    if (e.hasCat && sameBytes(b, e.catStart, e.catEnd, this.finding)) return ByteEvent.Ignored;
    if (!e.hasName || e.nameEnd === e.nameStart) return ByteEvent.Declined;
    const cpu = e.cpu < 0 ? 0 : e.cpu;
    if (!cpuInRange(cpu)) return ByteEvent.Declined;
    const rawName = this.rawNames.internAscii(b, e.nameStart, e.nameEnd);
    const info = this.names[rawName] ?? this.resolve(rawName);
    if (info.declined) return ByteEvent.Declined;
    const count = e.argCount;
    let rawKeyOf: Int32Array;
    if (info.layout && sameKeys(info.layout, e, b)) rawKeyOf = info.layout.rawKeys;
    else {
      rawKeyOf = this.rawKeyOf;
      for (let k = 0; k < count; k++) {
        const rawKey = this.rawKeys.internAscii(b, e.keyStart[k], e.keyEnd[k]);
        for (let j = 0; j < k; j++) if (rawKeyOf[j] === rawKey) return ByteEvent.Declined; // a key twice: JSON.parse keeps the last value
        rawKeyOf[k] = rawKey;
        if ((info.keyUse[rawKey] ?? this.keyUse(info, rawKey)) === KeyUse.Declined) return ByteEvent.Declined;
      }
      info.layout = keyLayout(e, b, rawKeyOf);
    }
    // interned in add()'s order: the name, then each key and its value
    const strings = this.out.builder.strings;
    if (info.id < 0) info.id = strings.intern(info.resolved);
    const args = this.args;
    for (let k = 0; k < count; k++) {
      const rawKey = rawKeyOf[k];
      let key = this.keyIds[rawKey] ?? -1;
      if (key < 0) this.keyIds[rawKey] = key = strings.intern(this.rawKeys.get(rawKey));
      args[2 * k] = key;
      args[2 * k + 1] = this.value(e, b, k, info, rawKey);
    }
    this.out.queueTime(this.out.queueResolved(cpu, this.task(e.hasPid ? e.pid : e.tid, e.hasTid ? e.tid : e.pid), info.id, info.known, line, args, 2 * count), timeNs);
    this.lastInfo = info;
    return ByteEvent.Added;
  }

  /** The trace string id of arg k's value, as add() makes it. */
  private value(e: EventShape, b: Uint8Array, k: number, info: NameInfo, rawKey: number): number {
    const strings = this.out.builder.strings;
    const kind = e.valueKind[k];
    if (info.keyUse[rawKey] === KeyUse.Plain) {
      return kind <= ValueKind.Integer ? strings.internAscii(b, e.valueStart[k], e.valueEnd[k]) : strings.intern(LITERALS[kind]);
    }
    const raw = kind <= ValueKind.Integer ? this.rawValues.internAscii(b, e.valueStart[k], e.valueEnd[k]) : this.rawValues.intern(LITERALS[kind]);
    let byValue = info.rewritten.get(rawKey);
    if (!byValue) info.rewritten.set(rawKey, (byValue = new Map()));
    let id = byValue.get(raw);
    if (id === undefined) {
      const text = kind <= ValueKind.Integer ? asciiText(b, e.valueStart[k], e.valueEnd[k]) : LITERALS[kind];
      byValue.set(raw, (id = strings.intern(normalizeValue(info.vocabulary, this.rawKeys.get(rawKey), text))));
    }
    return id;
  }

  private resolve(rawName: number): NameInfo {
    const raw = this.rawNames.get(rawName);
    const names = this.out.eventNames;
    const resolved = names.resolve(raw);
    const base = names.baseName(raw);
    const info: NameInfo = {
      resolved,
      id: -1,
      vocabulary: isVocabulary(resolved) ? Ev[resolved] : -1,
      base,
      known: names.isKnown(resolved),
      declined: base === 'sys_exit_wait4' || resolved === 'task_fork' || resolved === 'task_wait',
      keyUse: [],
      rewritten: new Map(),
      layout: undefined,
    };
    this.names[rawName] = info;
    return info;
  }

  private keyUse(info: NameInfo, rawKey: number): KeyUse {
    const key = this.rawKeys.get(rawKey);
    const use = parameterName(info.base, key, info.resolved) !== undefined ? KeyUse.Declined : rewritesValues(info.vocabulary, key) ? KeyUse.Rewritten : KeyUse.Plain;
    info.keyUse[rawKey] = use;
    return use;
  }

  /** The queue slot of the task of (pid, tid), with the key and first name ChromeJsonParser.event gives it, found once per thread. */
  private task(pid: number, tid: number): number {
    if ((pid | 0) !== pid || (tid | 0) !== tid) return this.taskSlot(pid, tid);
    const cache = this.taskCache;
    const at = 3 * ((Math.imul(pid, 0x9e3779b1) ^ tid) & (TASK_CACHE - 1));
    if (cache[at] === pid && cache[at + 1] === tid && cache[at + 2] !== 0) return cache[at + 2] - 1;
    const slot = this.taskSlot(pid, tid);
    cache[at] = pid;
    cache[at + 1] = tid;
    cache[at + 2] = slot + 1;
    return slot;
  }

  private taskSlot(pid: number, tid: number): number {
    let byTid = this.tasks.get(pid);
    if (!byTid) this.tasks.set(pid, (byTid = new Map()));
    let slot = byTid.get(tid);
    if (slot === undefined) byTid.set(tid, (slot = this.out.queueTask(`${String(pid)}:${String(tid)}`, `thread/${String(tid)}`)));
    return slot;
  }
}

// numbers.ts inRange, for this hot path: its LIMITS[kind] is a lookup by name at each call
function timeInRange(ns: number): boolean {
  return ns >= 0 && ns <= MAX_TIME_NS;
}
function cpuInRange(cpu: number): boolean {
  return cpu >= 0 && cpu <= MAX_INT32;
}

/** Are the arg keys of e those of `layout`, in the same order? */
function sameKeys(layout: KeyLayout, e: EventShape, b: Uint8Array): boolean {
  if (layout.count !== e.argCount) return false;
  let from = 0;
  for (let k = 0; k < layout.count; k++) {
    const start = e.keyStart[k];
    const to = layout.ends[k];
    if (to - from !== e.keyEnd[k] - start) return false;
    for (let j = from; j < to; j++) if (layout.bytes[j] !== b[start + j - from]) return false;
    from = to;
  }
  return true;
}

function keyLayout(e: EventShape, b: Uint8Array, rawKeys: Int32Array): KeyLayout {
  const count = e.argCount;
  const ends = new Int32Array(count);
  let length = 0;
  for (let k = 0; k < count; k++) ends[k] = length += e.keyEnd[k] - e.keyStart[k];
  const bytes = new Uint8Array(length);
  for (let k = 0; k < count; k++) bytes.set(b.subarray(e.keyStart[k], e.keyEnd[k]), k === 0 ? 0 : ends[k - 1]);
  return { count, rawKeys: rawKeys.slice(0, count), ends, bytes };
}

function sameBytes(b: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (b[start + k] !== expected[k]) return false;
  return true;
}

function asciiText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let p = start; p < end; p++) s += String.fromCharCode(b[p]);
  return s;
}
