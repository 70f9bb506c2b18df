// The native parser's byte fast path (parseFile) must give exactly the trace
// the text path (parseTrace) gives: same events, columns, strings, tasks and
// diagnostics, whatever the chunking, for every kind of line.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Trace } from '../../../extension/core/trace/model';
import { createParser, parseTrace } from '../../../extension/core/trace/parse';
import { fuzzRuns, parseBytesInChunks, repoPath } from '../helpers';

function snapshot(t: Trace) {
  const strings: string[] = [];
  for (let id = 0; id < t.strings.size; id++) strings.push(t.strings.get(id));
  const columns = Object.fromEntries((['time', 'cpu', 'task', 'name', 'line', 'seq', 'argStart', 'argKey', 'argValue', 'argKeys', 'srcEvent', 'srcFile', 'srcLine'] as const).map((c) => [c, Array.from(t[c])]));
  return { columns, strings, tasks: t.tasks, diagnostics: t.diagnostics, locks: t.lockDeclarations, edges: t.declaredEdges, sources: [...t.sources] };
}

/** The reference is the text path on the file as a UTF-8 decoder gives it (which drops a leading byte order mark). */
function assertSame(text: string, chunkSizes: number[]): void {
  const bytes = new TextEncoder().encode(text);
  const decoded = new TextDecoder('utf-8').decode(bytes);
  assert.deepEqual(snapshot(parseBytesInChunks('dmtrace', bytes, chunkSizes)), snapshot(parseText(decoded)));
  // parseTrace feeds well-formed text as bytes: the same trace again.
  assert.deepEqual(snapshot(parseTrace(decoded, { format: 'dmtrace' })), snapshot(parseText(decoded)));
}

/** The text path: the whole text through feed(), as a parser gets it when bytes are not an option. */
function parseText(text: string): Trace {
  const parser = createParser('dmtrace');
  parser.feed(text);
  return parser.end();
}

function dmtraceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return dmtraceFiles(path);
    return name.endsWith('.dmtrace') ? [path] : [];
  });
}

describe('native parser: byte path = text path', () => {
  it('every sample trace, in one chunk and in small odd chunks', () => {
    const files = dmtraceFiles(repoPath('sample-traces'));
    assert.ok(files.length >= 20);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assertSame(text, [1 << 20]);
      assertSame(text, [7, 1, 64, 3]);
    }
  });

  it('lines the fast path leaves to the text path: directives, quotes, non-ASCII, CRLF, BOM, errors', () => {
    const text = [
      '\uFEFF# a comment after a byte order mark',
      '!lock _minor_lock spin',
      '1.000001 cpu0 dmsetup/1 md_alloc md=md0 @dm.c:12\r',
      '  \t',
      '1.000002 cpu1 udev/2 md_access md=md0 field="with space \\" and \\\\"',
      '1.000003 cpu1 udev/2 md_access md=mdé field=café',
      '1000004ns cpu1 udev/2 dm_get md=md0 holders=2',
      '1.000005 cpu1 udev/2 dm_get md=md0 holders=',
      '1.000006 cpu1 udev/2 dm_get md=md0 =3',
      '1.000007 cpu1 udev/2 dm_get md=md0 @dm.c:1 holders=2',
      '1.000008 cpu1 udev/2 dm_get md=md0 @dm.c:x',
      '1.000009 cpu1 udev dm_get md=md0',
      '1.00001x cpu1 udev/2 dm_get md=md0',
      '12 cpu1 udev/2 dm_get md=md0',
      '1.000010 cpux udev/2 dm_get md=md0',
      '1.000011 cpu1 udev/2 md=md0',
      '1.000012 cpu1 udev/2 @dm.c:3',
      '1.000013 cpu1 udev/2',
      '1.000014',
      '1.000015 cpu2 t\u00e4sk/3 dm_put md=md0 holders=1',
      '1.000016 cpu2 x/4 dm_put md=md0 holders=1 \uFEFF',
      '1.000017\tcpu2\tx/4\tdm_put\tmd=md0\tholders=0',
      '!alias 0xffff88003c4b2000=md9',
      '1.000018 cpu0 dmsetup/1 md_alloc md=0xffff88003c4b2000',
      '!map probe_get=dm_get',
      '1.000019 cpu0 dmsetup/1 probe_get md=md9 holders=1',
      '!bogus directive',
      '1.000020 cpu0 dmsetup/1 free_dev md=md9',
    ].join('\n');
    for (const sizes of [[1 << 20], [1], [2, 5], [13, 17, 1]]) assertSame(text, sizes);
  });

  it('the last line without a newline, and a file of only a partial line', () => {
    assertSame('1.000001 cpu0 a/1 md_alloc md=md0\n1.000002 cpu0 a/1 free_dev md=md0', [5]);
    assertSame('1.000001 cpu0 a/1 md_al', [3]);
    assertSame('', [3]);
  });

  it('parseTrace of text longer than one piece: cuts after newlines, a line longer than a piece, non-ASCII at the cuts', () => {
    const lines: string[] = [];
    for (let i = 0, length = 0; length < 1_300_000; i++) {
      // Odd lines are not ASCII (the text path takes them), even lines are (the byte path does).
      const e = i % 2 ? '\u00e9' : 'e';
      lines.push(`1.${String(i).padStart(6, '0')} cpu1 t${e}/${(i % 7) + 1} md_access md=md${i % 13} field=caf${e}${i} ${'k'.repeat(40)}=v`);
      length += lines[i].length + 1;
    }
    lines.splice(100, 0, '# ' + 'x'.repeat(1_100_000));
    const text = lines.join('\n');
    assert.deepEqual(snapshot(parseTrace(text, { format: 'dmtrace' })), snapshot(parseText(text)));
  });

  it('the same trace whatever size the input says it has (the columns are sized from it once a part is read)', () => {
    // Long lines first, then short ones: sized from the first part, the columns must grow past the estimate.
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const args = i < 4000 ? ` field=${'f'.repeat(60)}${i % 5} obj=o${i % 11} ${'k'.repeat(20)}=${i}` : i % 3 ? '' : ` md=md${i % 7}`;
      lines.push(`1.${String(i).padStart(6, '0')} cpu${i % 4} t/${(i % 9) + 1} ${i % 2 ? 'dm_get' : 'md_access'}${args}`);
    }
    const text = lines.join('\n') + '\n';
    const bytes = new TextEncoder().encode(text);
    const reference = snapshot(parseText(text));
    for (const totalBytes of [bytes.length, bytes.length / 10, bytes.length * 20]) {
      const parser = createParser('dmtrace', { totalBytes });
      for (let at = 0; at < bytes.length; at += 1 << 19) parser.feedBytes!(bytes.subarray(at, at + (1 << 19)));
      assert.deepEqual(snapshot(parser.end()), reference, `totalBytes ${totalBytes}`);
    }
  });

  it('text with a lone surrogate (not UTF-8) is parsed as text, value kept', () => {
    const trace = parseTrace('1.000001 cpu0 a/1 md_access md=md0 field=x\uD800y\n', { format: 'dmtrace' });
    assert.equal(trace.arg(0, 'field'), 'x\uD800y');
  });

  it('random lines from valid and broken tokens, in random chunks', () => {
    const token = fc.constantFrom(
      '1.000001', '2000ns', '12', 'x.1', 'cpu0', 'cpu12', 'cpuX', 'dmsetup/41', 'a/b', 'udev/7', 'dm_get', 'md_alloc', 'odd_event',
      'md=md0', 'holders=0', 'ret=MINOR_ALLOCED', 'field="a b"', 'field="unterminated', 'k=', '=v', 'k=v=w', '@dm.c:12', '@dm.c:', '@x',
      'é=1', 'md=é', '!lock', '!alias', 'L=M', '#', '\t', '', '\r', '5', '7=8', '0=00',
    );
    const line = fc.array(token, { maxLength: 9 }).map((ts) => ts.join(' '));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), (lines, sizes) => {
        assertSame(lines.join('\n'), sizes);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('event lines whose tasks, names, keys and values repeat, change or are near misses (what the fast path expects), in random chunks', () => {
    // Near misses: a value or key that is a prefix of the expected one or longer, tokens too long to be expected,
    // control characters, CR and tabs between fields, more arguments than are expected per name, CRLF line ends.
    const time = fc.constantFrom('1.000001', '2.5', '3000ns', '4.0000000001', '5.', '1e3');
    const cpu = fc.constantFrom('cpu0', 'cpu1', 'cpu255', 'cpu4000', 'cpu01');
    const task = fc.constantFrom('fio/2052', 'fio/2044', 'kdmflush/1897', 'a/1', `${'x'.repeat(40)}/7`, 'bad', '\u00e9/1', 'b/1\u0001');
    const name = fc.constantFrom('dm_get', 'md_alloc', 'spin_lock', 'workqueue_execute_start', 'n'.repeat(35), 'a=b', 'dm_get\u0001', '5', '05');
    const key = fc.constantFrom('md', 'mdx', 'm', 'lock', 'k'.repeat(30), '\u00e9', '', 'k\u0001', '7', '0');
    const value = fc.constantFrom(
      'md0', 'md00', 'md', '8', '80', '0xffff88800febc800', 'v'.repeat(28), 'v'.repeat(29), 'v'.repeat(33), '"q"', '\u00e9', 'a\u0001b', '', 'a=b',
      '0', '00', '999999999', '1234567890',
    );
    const arg = fc.oneof(
      { weight: 9, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}=${v}`) },
      { weight: 1, arbitrary: fc.constantFrom('@dm.c:12', '@f:99999999999', '@:1') },
    );
    const blank = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \r');
    const line = fc
      .tuple(time, cpu, task, name, fc.array(arg, { maxLength: 10 }), blank)
      .map(([t, c, k, n, args, b]) => [t, c, k, n, ...args].join(b));
    const eol = fc.constantFrom('\n', '\n', '\n', '\r\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, eol), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 5 }),
        (lines, sizes) => assertSame(lines.map(([l, e]) => l + e).join(''), sizes),
      ),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('more event names and tasks than the fast path remembers, each seen again with other arguments', () => {
    const lines: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        lines.push(`1.${String(i).padStart(6, '0')} cpu${i % 300} t${i % 2500}/${i % 2500} ev${i} k${(i + round) % 3}=v${i % (7 + round)} x=${round}`);
      }
    }
    assertSame(lines.join('\n'), [1 << 16, 777]);
  });
});
