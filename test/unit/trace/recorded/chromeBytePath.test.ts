// Property test of the Chrome JSON byte path: random event objects (any key
// order, white space, escapes, non-ASCII, nesting, odd numbers, flows,
// metadata, duplicated keys, broken JSON), fed as UTF-8 bytes in random
// chunks (cut anywhere: inside a token, inside a multi-byte character), read
// exactly as the careful path reads the same text: the same events, args,
// lines, tasks, edges and diagnostics (line and column); truncated files too.

import { strict as assert } from 'node:assert';
import type { Trace } from '../../../../extension/core/trace/model';
import { createParser } from '../../../../extension/core/trace/parse';
import { seededRandom as random } from '../../helpers';

const read = (t: Trace) => ({
  events: [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} cpu${t.cpu[i]} ${t.time[i]} ${t.describe(i)}`),
  tasks: t.tasks.map((task) => task.name),
  edges: t.declaredEdges.map((e) => JSON.stringify(e)),
  diagnostics: t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
});

const careful = (text: string): Trace => {
  const p = createParser('chrome-json');
  p.feed(text);
  return p.end();
};

const bytePath = (bytes: Uint8Array, cuts: number[]): Trace => {
  const p = createParser('chrome-json');
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    p.feedBytes!(bytes.slice(from, cut)); // a copy: the reader must not keep a chunk it was given
    from = cut;
  }
  return p.end();
};

function generator(rnd: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const space = () => (chance(0.7) ? '' : pick([' ', '  ', '\n', '\t', '\r\n', ' \n  ']));
  const names = ['dm_get', 'dm_put', 'mutex_lock', 'mutex_unlock', 'spin_lock', 'spin_unlock', 'idr_find', 'idr_alloc', 'kmalloc', 'probe:dm_get', 'p_dm_put_0', 'sched_process_fork', 'sys_exit_wait4', 'block_rq_issue', 'x'];
  const strings = ['md0', 'md1', 'i_rwsem.54', 'GFP_KERNEL', '0xd0', '0x0', '0xffffffffffffffff', '', 'a b', 'dm-0', '0x1194', '7'];
  const odd = ['caf\u00e9', 'tab\\tx', 'q\\"x', '\\u0041', '\u{1F600}', 'line\\nbreak', 'm\u00e9d\u00efum'];
  const str = () => JSON.stringify(pick(strings)).replace(/^"|"$/g, '');
  const quoted = (s: string) => `"${s}"`;
  const number = () =>
    pick(['0', '1', '42', '-5', '-0', '3.25', '1e3', '0.000001', '123456789012', '1234567890123456789', '01', '1.', '6599183.657', '2E-2', '-1.5']);
  const argValue = (): string => {
    const r = rnd();
    if (r < 0.45) return quoted(chance(0.1) ? pick(odd) : str());
    if (r < 0.75) return number();
    if (r < 0.85) return pick(['true', 'false', 'null']);
    if (r < 0.92) return `{"a":${number()},"b":[1,"x"]}`;
    return pick(['[]', '[1, 2]', 'tru', '"unterminated']);
  };
  const argKey = () => pick(['md', 'lock', 'gfp', 'holders', 'ptr', 'ret', 'minor', 'arg1', 'arg2', 'child_pid', 'sector', 'name', 'cpu', '1', '__proto__', 'n\u00e9', 'k\\"q']);
  const args = (): string => {
    const n = Math.floor(rnd() * 5);
    const pairs: string[] = [];
    for (let k = 0; k < n; k++) pairs.push(`${space()}${quoted(argKey())}${space()}:${space()}${argValue()}`);
    if (chance(0.6)) pairs.splice(Math.floor(rnd() * (pairs.length + 1)), 0, `"cpu":${pick(['0', '1', '3', '"2"', '-1', '1.5', '99999999999', 'null'])}`);
    return `{${pairs.join(',')}${space()}}`;
  };
  /** An event of the common shape, as recorders write most of them. */
  const plain = (ts: number): string => {
    const fields: [string, string][] = [
      ['name', quoted(pick(names))],
      ['ph', quoted(pick(['i', 'X', 'B', 'I', 'E']))],
      ['ts', String(ts / 1000)],
      ['pid', '1'],
      ['tid', pick(['1', '2', '3'])],
    ];
    const pairs = Array.from({ length: Math.floor(rnd() * 5) }, (_, k) => `"${pick(['md', 'lock', 'gfp', 'holders', 'ptr', 'sector', 'name'])}${k}":${pick([quoted(str()), '12', 'true', 'null'])}`);
    if (chance(0.8)) pairs.splice(Math.floor(rnd() * (pairs.length + 1)), 0, `"cpu":${pick(['0', '1', '3'])}`);
    fields.push(['args', `{${pairs.join(',')}}`]);
    if (chance(0.3)) fields.push(['s', '"t"']);
    if (chance(0.2)) fields.push(['dur', '0.5']);
    for (let k = fields.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [fields[k], fields[j]] = [fields[j], fields[k]];
    }
    return `{${fields.map(([k, v]) => `${space()}"${k}"${space()}:${space()}${v}`).join(',')}${space()}}`;
  };
  const event = (ts: number): string => {
    if (chance(0.6)) return plain(ts);
    const ph = pick(['i', 'i', 'i', 'X', 'B', 'E', 'I', 'M', 's', 'f', 't', 'C', 'R', 'XX', '']);
    const fields: [string, string][] = [];
    if (!chance(0.03)) fields.push(['ph', quoted(ph)]);
    if (ph === 'M') fields.push(['name', quoted(pick(['thread_name', 'process_name', 'dmtrace']))]);
    else if (!chance(0.03)) fields.push(['name', chance(0.05) ? quoted(pick(odd)) : chance(0.02) ? '7' : quoted(pick(names))]);
    if (!chance(0.03)) fields.push(['ts', chance(0.8) ? String(ts / 1000) : number()]);
    const pid = pick(['1', '2', '17', '"3"', '4.5', '-0', 'null']);
    if (!chance(0.05)) fields.push(['pid', pid]);
    if (!chance(0.05)) fields.push(['tid', chance(0.9) ? pid : pick(['1', '2', '"9"'])]);
    if (ph === 'M') fields.push(['args', pick(['{"name":"kworker"}', '{"name":"<...>"}', '{"directives":["!alias md0=first"]}', '{"directives":["!map x=dm_get"]}', '{"directives":[7]}'])]);
    else if (!chance(0.1)) fields.push(['args', args()]);
    if (ph === 's' || ph === 'f' || ph === 't' || chance(0.03)) fields.push(['id', pick(['1', '"a"', '2'])]);
    if (chance(0.05)) fields.push(['bind_id', '1'], [pick(['flow_in', 'flow_out']), 'true']);
    if (chance(0.3)) fields.push(['s', '"t"']);
    if (chance(0.1)) fields.push(['cat', quoted(pick(['dm', 'dm-race-lens.finding', 'x']))]);
    if (chance(0.1)) fields.push(['dur', number()]);
    if (chance(0.03)) fields.push([pick(['name', 'ts', 'ph']), quoted('dm_get')]); // a key given twice
    for (let k = fields.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [fields[k], fields[j]] = [fields[j], fields[k]];
    }
    let text = `{${fields.map(([k, v]) => `${space()}"${k}"${space()}:${space()}${v}`).join(',')}${space()}}`;
    if (chance(0.02)) text = text.replace(',', pick([',,', ' ', ':'])); // broken JSON
    return text;
  };
  const file = (): string => {
    const n = 1 + Math.floor(rnd() * 40);
    const events: string[] = [];
    for (let k = 0; k < n; k++) events.push(event(1000 + k * 7 + Math.floor(rnd() * 20)));
    const sep = () => pick([',\n', ',', ', ', '\n,', ',\n\n']);
    const body = events.map((e, k) => (k === 0 ? e : sep() + e)).join('');
    const form = rnd();
    const head = chance(0.1) ? '\ufeff' : '';
    if (form < 0.5) return `${head}{"traceEvents":[\n${body}\n],"displayTimeUnit":"ns"}\n`;
    if (form < 0.7) return `${head}{"otherData":{"v":"caf\u00e9"},"traceEvents":[${body}]}`;
    if (form < 0.9) return `${head}[${body}`;
    return `${head}[\n${body}\n]\n`;
  };
  return { file };
}

describe('Chrome JSON byte path, property', () => {
  it('reads random files in random chunks exactly as the careful path reads their text', function () {
    this.timeout(120000);
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      let text = generator(rnd).file();
      if (rnd() < 0.15) text = text.slice(0, Math.floor(rnd() * text.length)); // truncated
      if (text.charCodeAt(text.length - 1) >= 0xd800 && text.charCodeAt(text.length - 1) < 0xdc00) text = text.slice(0, -1);
      const expected = read(careful(text));
      const bytes = new TextEncoder().encode(text);
      const cutCount = Math.floor(rnd() * 12);
      const cuts = Array.from({ length: cutCount }, () => Math.floor(rnd() * bytes.length)).sort((a, b) => a - b);
      assert.deepEqual(read(bytePath(bytes, cuts)), expected, `seed ${seed}, cuts ${cuts.join(',')}`);
      assert.deepEqual(read(bytePath(bytes, [])), expected, `seed ${seed}, one chunk`);
    }
  });

  it('cuts inside every token and every multi-byte character of a file read the same', () => {
    const text = `{"traceEvents":[\n{"name":"dm_get","ph":"i","ts":1.5,"pid":1,"tid":1,"args":{"cpu":1,"md":"md0","note":"caf\u00e9 \u{1F600}"}},\n{"name":"dm_put","ph":"X","ts":2,"dur":1,"pid":1,"tid":2,"args":{"md":"md0","holders":"0x1"}}, {"name":"m\u00e9","ph":"i","ts":3,"pid":1,"tid":1}, {"name":"dm_get","ph":"i","ts":4,"pid":{},"tid":1}\n]}\n`;
    const expected = read(careful(text));
    assert.equal(expected.events.length, 3);
    // columns count characters, not bytes, after the non-ASCII event on that line
    assert.deepEqual(expected.diagnostics, ['3:143 error "i" event whose "pid" is an object: expected a number or a string']);
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(read(bytePath(bytes, [cut])), expected, `cut at byte ${cut}`);
  });
});
