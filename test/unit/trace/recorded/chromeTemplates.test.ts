// Templates of the Chrome JSON byte path (jsonTemplates.ts): an object of a
// name already seen is read by comparing its bytes with the last one's. The
// unit tests check what a template reads and refuses; the property test feeds
// files written as recorders write them (name first, one layout per name)
// with every kind of difference slipped in, and checks that the byte path
// reads them exactly as the careful path reads their text.

import { strict as assert } from 'node:assert';
import { EventShape, scanEvent } from '../../../../extension/core/trace/recorded/jsonEventBytes';
import { EventTemplates, NO_MATCH } from '../../../../extension/core/trace/recorded/jsonTemplates';
import type { Trace } from '../../../../extension/core/trace/model';
import { createParser } from '../../../../extension/core/trace/parse';
import { seededRandom as random } from '../../helpers';

const bytesOf = (s: string) => new TextEncoder().encode(s);

/** What scanEvent or a template read, in the fields both fill. */
function fields(e: EventShape, b: Uint8Array) {
  const text = (s: number, t: number) => new TextDecoder().decode(b.subarray(s, t));
  return {
    name: text(e.nameStart, e.nameEnd),
    seen: e.seen,
    ts: e.ts,
    pid: e.has(8) ? e.pid : undefined,
    tid: e.has(16) ? e.tid : undefined,
    cpu: e.cpu,
    args: Array.from({ length: e.argCount }, (_, k) => `${e.valueKind[k]}:${text(e.valueStart[k], e.valueEnd[k])}`),
  };
}

/** Learns `first`, then reads `next` by template: its fields, or undefined when no template matched. */
function readByTemplate(first: string, next: string) {
  const templates = new EventTemplates();
  const b1 = bytesOf(first);
  const e = new EventShape();
  const end = scanEvent(b1, 0, b1.length, e);
  assert.equal(end, b1.length);
  assert.ok(templates.learn(b1, 0, end, e) >= 0, 'learnt');
  const b2 = bytesOf(`${next} `);
  const matched = templates.match(b2, new DataView(b2.buffer), 0, b2.length, e);
  if (matched === NO_MATCH) return undefined;
  assert.equal(matched, b2.length - 1);
  assert.ok(e.template >= 0);
  const scanned = new EventShape();
  assert.equal(scanEvent(b2, 0, b2.length, scanned), matched);
  assert.deepEqual(fields(e, b2), fields(scanned, b2), 'what scanEvent reads');
  return fields(e, b2);
}

describe('Chrome JSON templates', () => {
  const first = '{"name":"mutex_lock","ph":"i","s":"t","ts":5000002.028,"pid":2179,"tid":2179,"args":{"cpu":6,"lock":"i_rwsem.48","n":7}}';

  it('reads the next object of a name by its holes: numbers and values', () => {
    const got = readByTemplate(first, '{"name":"mutex_lock","ph":"i","s":"x","ts":7.5,"pid":1,"tid":22,"args":{"cpu":12,"lock":"","n":-3}}');
    assert.deepEqual(got, { name: 'mutex_lock', seen: got?.seen, ts: 7.5, pid: 1, tid: 22, cpu: 12, args: ['0:', '1:-3'] });
  });

  it('reads numbers as scanEvent does: zero, negatives, fractions of ts, 15 digits', () => {
    for (const [ts, pid, n] of [['0.5', '-3', '0'], ['0', '0', '-7'], ['-0.25', '-0', '123456789012345'], ['12345678901234.5', '7', '10']]) {
      const got = readByTemplate(first, `{"name":"mutex_lock","ph":"i","s":"t","ts":${ts},"pid":${pid},"tid":1,"args":{"cpu":0,"lock":"a","n":${n}}}`);
      assert.ok(got, `${ts} ${pid} ${n}`);
      assert.equal(got.ts, Number(ts));
      assert.ok(Object.is(got.pid, Number(pid)));
    }
    for (const [ts, pid] of [['05', '1'], ['1.', '1'], ['1e3', '1'], ['1234567890123456', '1'], ['1.5', '01'], ['1.5', '1.5'], ['1.5', '-'], ['1.5', '"1"']]) {
      assert.equal(readByTemplate(first, `{"name":"mutex_lock","ph":"i","s":"t","ts":${ts},"pid":${pid},"tid":1,"args":{"cpu":0,"lock":"a","n":1}}`), undefined, `${ts} ${pid}`);
    }
  });

  it('refuses what scanEvent reads otherwise or refuses: other keys, kinds, escapes, numbers, names', () => {
    const variants = [
      '{"name":"mutex_lock","ph":"X","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}', // another ph
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":7,"n":7}}', // a number for a string
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":"7"}}', // a string for a number
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a\\"b","n":7}}', // an escape
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"caf\u00e9","n":7}}', // not ASCII
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":-0}}', // -0 prints as 0
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":-1,"lock":"a","n":7}}', // a negative cpu
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1.5,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}', // a fraction of a pid
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1e3,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}', // an exponent
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7,"m":1}}', // one more arg
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}, "id":1}', // a flow key
      '{"name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a",\n"n":7}}', // a line break
      '{"name":"mutex_lockx","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}', // another name
      '{"name":"mutex_unlock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}',
      '{ "name":"mutex_lock","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{"cpu":6,"lock":"a","n":7}}', // another prefix
    ];
    for (const v of variants) assert.equal(readByTemplate(first, v), undefined, v);
  });

  it('does not make a template of an object whose name is not its first value', () => {
    const templates = new EventTemplates();
    const b = bytesOf('{"ts":1,"name":"mutex_lock","ph":"i","pid":1}');
    const e = new EventShape();
    const end = scanEvent(b, 0, b.length, e);
    assert.equal(templates.learn(b, 0, end, e), -1);
  });
});

const read = (t: Trace) => ({
  events: [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} cpu${t.cpu[i]} ${t.time[i]} ${t.describe(i)}`),
  tasks: t.tasks.map((task) => task.name),
  edges: t.declaredEdges.map((e) => JSON.stringify(e)),
  diagnostics: t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
});

function parse(chunks: (string | Uint8Array)[]): Trace {
  const p = createParser('chrome-json');
  for (const c of chunks) {
    if (typeof c === 'string') p.feed(c);
    else p.feedBytes!(c);
  }
  return p.end();
}

/** A file as a recorder writes it: each name in one layout, with now and then something else. */
function recorderFile(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const names = ['dm_get', 'dm_put', 'mutex_lock', 'mutex_unlock', 'kmalloc', 'probe:dm_get', 'sys_exit_wait4', 'sched_process_fork', 'block_rq_issue', 'x', 'a_rather_long_event_name_for_a_probe'];
  const keys = ['md', 'lock', 'gfp', 'holders', 'ptr', 'sector', 'ret', 'arg1', 'child_pid', 'name'];
  const strings = ['md0', 'md1', 'i_rwsem.54', 'GFP_KERNEL', '0xd0', '0x0', '', 'a b', 'dm-0', '0x1194', '7', '0xffff88800febc8000xffff88800febc800'];
  const layouts = new Map<string, { keys: string[]; kinds: ('s' | 'n' | 'l')[]; cpu: boolean; dur: boolean; cat: string | undefined }>();
  const layoutOf = (name: string) => {
    let l = layouts.get(name);
    if (!l) {
      const ks = keys.filter(() => chance(0.3));
      layouts.set(name, (l = { keys: ks, kinds: ks.map(() => pick(['s', 's', 'n', 'l'] as const)), cpu: chance(0.8), dur: chance(0.3), cat: chance(0.2) ? pick(['dm', 'dm-race-lens.finding']) : undefined }));
    }
    return l;
  };
  const value = (kind: 's' | 'n' | 'l') => (kind === 's' ? JSON.stringify(pick(strings)) : kind === 'n' ? pick(['0', '12', '-5', '4096', '123456789012']) : pick(['true', 'null']));
  const odd = () => pick(['"caf\u00e9"', '"q\\"x"', '-0', '0', '01', '-7', '1.5', '1e3', '1E3', '12345678901234567', '123456789012345', '{"a":1}', '[1]', '"x"', '3']);
  const oddNumber = () => pick(['0', '-0', '01', '0.5', '00.5', '1.', '-3', '-0.25', '1e3', '1.5E2', '123456789012345', '1234567890123456', '12345678901234.5', '123456789012.3456', '"7"', 'null']);
  const lines: string[] = [];
  const n = 20 + Math.floor(rnd() * 80);
  const prefix = chance(0.8) ? '{"name":' : pick(['{ "name": ', '{"cat":"dm","name":', '{"ph":"i","name":']);
  for (let k = 0; k < n; k++) {
    const ts = String((1000 + k * 7 + Math.floor(rnd() * 20)) / 1000);
    if (chance(0.03)) {
      lines.push(pick(['{"name":"thread_name","ph":"M","pid":1,"tid":2,"args":{"name":"kworker"}}', '{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"<...>"}}', '{"ph":"M","name":"dmtrace","pid":0,"tid":0,"args":{"directives":["!alias md0=first"]}}', '{"ph":"M","name":"dmtrace","pid":0,"tid":0,"args":{"directives":["!map x=dm_get"]}}']));
      continue;
    }
    const name = pick(names);
    const l = layoutOf(name);
    const args = l.keys.map((key, j) => `"${key}":${chance(0.05) ? odd() : value(l.kinds[j])}`);
    if (l.cpu) args.unshift(`"cpu":${chance(0.05) ? pick(['-1', '-0', '01', '99999999', '99999999999', '"2"', '1.5', '1e0']) : pick(['0', '1', '3'])}`);
    if (chance(0.03)) args.push('"md":"again"'); // a key twice, or one more
    const ph = chance(0.05) ? pick(['E', 'X', 'C', 's']) : 'i';
    let text = `${prefix}${chance(0.02) ? '"dm_g\\u0065t"' : JSON.stringify(name)},"ph":"${ph}","s":"t"${l.cat ? `,"cat":"${l.cat}"` : ''},"ts":${chance(0.05) ? pick(['-1', '1e400', '"5"', '99999999999999', oddNumber()]) : ts},"pid":${chance(0.03) ? oddNumber() : '1'},"tid":${chance(0.03) ? oddNumber() : pick(['1', '2', '3'])}${l.dur ? `,"dur":${pick(['0.5', '12', '1e2'])}` : ''},"args":{${args.join(',')}}${ph === 's' ? ',"id":1' : ''}}`;
    if (chance(0.03)) text = text.replace(',', ',\n  '); // an object over two lines
    if (chance(0.01)) text = text.replace(':', '::'); // broken JSON
    lines.push(text);
  }
  return `{"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}

describe('Chrome JSON templates, property', () => {
  it('reads recorder-like files (one layout per name, differences slipped in) in random chunks as the careful path reads their text', function () {
    this.timeout(120000);
    let events = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const text = recorderFile(rnd);
      const expected = read(parse([text]));
      events += expected.events.length;
      const bytes = bytesOf(text);
      const cuts = Array.from({ length: Math.floor(rnd() * 6) }, () => Math.floor(rnd() * bytes.length)).sort((a, b) => a - b);
      const chunks = [...cuts, bytes.length].map((cut, k, all) => bytes.slice(k === 0 ? 0 : all[k - 1], cut));
      assert.deepEqual(read(parse(chunks)), expected, `seed ${seed}, cuts ${cuts.join(',')}`);
      assert.deepEqual(read(parse([bytes])), expected, `seed ${seed}, one chunk`);
    }
    assert.ok(events > 5000, `${events} events`);
  });
});
