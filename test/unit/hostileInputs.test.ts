// Hostile and huge inputs: each case is a reproducer of a way a file once
// crashed, hung or exhausted memory, scaled down so that it runs in seconds;
// the assertions are on behaviour, sizes and counts, never on tight timings.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import { generateTrace } from '../../bench/generate';
import { analyzeText, analyzeTrace } from '../../extension/core/analyze';
import { analyzeFile } from '../../extension/core/node/readFile';
import { jsonReportPieces, toJson } from '../../extension/core/report/json';
import { perfettoPieces, toPerfetto } from '../../extension/core/report/perfetto';
import { sarifPieces, toSarif } from '../../extension/core/report/sarif';
import { textPieces, toText } from '../../extension/core/report/text';
import { MAX_PER_KIND } from '../../extension/core/trace/diagnostics';
import { Growable, RESERVE_FIRST, reservationStats } from '../../extension/core/trace/growable';
import { TraceBuilder } from '../../extension/core/trace/builder';
import { QUOTE_LIMIT } from '../../extension/core/trace/scan';
import { windowTimeline, witnessList } from '../../extension/core/report/explain';
import { REPO_ROOT } from './helpers';

const ROOT = REPO_ROOT;
const CLI = join(ROOT, 'dist/cli.js');
const hostileDir = () => tempDir('dmrl-hostile-');

/** `count` native lines of task t/1, one nanosecond apart, from `make(k)`. */
function lines(count: number, make: (k: number) => string, from = 0): string {
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(`${from + k + 1}ns cpu0 t/1 ${make(k)}`);
  return out.join('\n') + '\n';
}

describe('hostile inputs: a spinlock that is never released', () => {
  it('gives one DMR4 finding for the held section, counting the other sleeping calls (was one finding each, quadratic)', () => {
    const a = analyzeText(lines(1, () => 'spin_lock lock=L') + lines(5000, (k) => `kmalloc obj=o${k} gfp=GFP_KERNEL`, 1));
    assert.equal(a.findings.length, 1);
    const f = a.findings[0];
    assert.equal(a.trace.line[f.primary], 2);
    assert.match(f.message, /4999 more sleeping calls follow in this section \(up to line 5001\)$/);
    assert.ok(f.witness.length <= 20, `${f.witness.length} witness steps`);
  });

  it('bounds the witness of a long window: the events near the keys and one summary step for the rest', () => {
    const a = analyzeText(lines(1, () => 'spin_lock lock=L') + lines(3000, () => 'md_access md=md0 field=x', 1) + lines(1, () => 'kmalloc obj=o gfp=GFP_KERNEL', 3001));
    const f = a.findings[0];
    assert.equal(a.trace.line[f.primary], 3002);
    assert.ok(f.witness.length <= 2 * (2 * 4 + 1) + 1, `${f.witness.length} witness steps`);
    const elided = f.witness.filter((s) => s.elided !== undefined);
    assert.equal(elided.length, 1);
    assert.equal(f.witness.filter((s) => s.event !== undefined).length + elided[0].elided!, 3002, 'shown + elided = the whole window');
    assert.match(elided[0].text, /^t\/1: … 2992 more events \(lines 6-2997\) …$/);
    // every consumer shows the summary as what it is, not as a step of another schedule
    assert.ok(toText(a, 't').includes(`. ${elided[0].text}\n`));
    assert.ok(!witnessList(f).includes('(not in this trace)'));
    const timeline = windowTimeline(a.trace, a.hb, f).split('\n');
    assert.ok(timeline.length < 40, `${timeline.length} timeline rows`);
    assert.ok(timeline.some((l) => /⋮ 2986 more events/.test(l)), timeline.join('\n'));
  });

  it('keeps the generated benchmark trace linear when an irq entry is mapped to a spinlock it never releases', async () => {
    const file = join(hostileDir(), 'bench.dmtrace');
    generateTrace({ events: 20_000, seed: 7 }, file);
    writeFileSync(`${file}.map`, `!map irq_handler_entry=spin_lock\n${readFileSync(file, 'utf8')}`);
    const a = await analyzeFile(`${file}.map`);
    const dmr4 = a.findings.filter((f) => f.rule === 'DMR4');
    assert.ok(dmr4.length > 0 && dmr4.length < 500, `${dmr4.length} DMR4 findings`);
    const longest = Math.max(...a.findings.slice(0, 1000).map((f) => f.witness.length));
    assert.ok(longest <= 40, `a witness of ${longest} steps`);
  });
});

describe('hostile inputs: a deep stack of held locks', () => {
  it('releases of locks the task does not hold do not scan the stack (50k held, 50k such releases: was 12 s of CPU)', () => {
    const text = lines(50_000, (k) => `spin_lock lock=L${k}`) + lines(50_000, (k) => `spin_unlock lock=X${k}`, 50_000) + lines(1, () => 'kmalloc obj=o gfp=GFP_KERNEL', 100_000);
    const start = process.cpuUsage();
    const a = analyzeText(text);
    const cpu = process.cpuUsage(start);
    assert.deepEqual(a.findings.map((f) => `${f.rule} ${a.trace.line[f.primary]}`), ['DMR4 100001']);
    assert.ok((cpu.user + cpu.system) / 1e6 < 4, `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`);
  });
});

describe('hostile inputs: millions of bad lines', () => {
  it(`keeps the first ${MAX_PER_KIND} errors and says in every output how many more there were`, () => {
    const a = analyzeText('x\n'.repeat(5000));
    assert.equal(a.diagnostics.length, MAX_PER_KIND + 1);
    const summary = a.diagnostics[MAX_PER_KIND];
    assert.deepEqual([summary.line, summary.column, summary.severity], [MAX_PER_KIND + 1, 1, 'error']);
    assert.match(summary.message, /^4000 more input errors from here on are not listed: only the first 1000 errors are kept$/);
    const json = toJson(a);
    assert.deepEqual(json.diagnosticsOmitted, { errors: 4000, warnings: 0 });
    assert.equal(json.errors.length, MAX_PER_KIND + 1);
    assert.match(toText(a, 't'), /1001 input diagnostics listed \(4000 more not listed\)\n$/);
    const notes = toSarif(a, 'file:///t', '0').runs[0].invocations![0].toolExecutionNotifications!;
    assert.match(notes[notes.length - 1].message.text!, /4000 more input errors/);
  });

  it('caps warnings on their own, and a clean trace has no diagnosticsOmitted key', () => {
    const lost = Array.from({ length: 1500 }, (_, k) => `CPU:0 [LOST ${k + 1} EVENTS]`).join('\n');
    const a = analyzeText(`# tracer: nop\n${lost}\n           t-1     [000] .... 1.000000: dm_get: md=md0\n`, { format: 'ftrace' });
    assert.deepEqual(toJson(a).diagnosticsOmitted, { errors: 0, warnings: 500 });
    assert.equal(toJson(analyzeText(lines(1, () => 'dm_get md=md0'))).diagnosticsOmitted, undefined);
  });
});

describe('hostile inputs: one bad Chrome event', () => {
  it('skips an event whose args nest 5,000 deep with a diagnostic at its line, and reads the rest', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const a = analyzeText(`{"traceEvents":[\n{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"md":"md0","x":${deep}}},\n{"name":"dm_get","ph":"i","ts":2,"pid":1,"tid":1,"args":{"md":"md1"}}\n]}\n`);
    assert.deepEqual(a.diagnostics.map((d) => `${d.line}:${d.column}`), ['2:1']);
    assert.match(a.diagnostics[0].message, /nests deeper than 64 levels/);
    assert.equal(a.trace.length, 1);
    assert.equal(a.trace.arg(0, 'md'), 'md1');
  });

  it('reports a pid or tid that is an object (even one JSON cannot print as text), and reads the rest', () => {
    const a = analyzeText('[\n{"name":"dm_get","ph":"i","ts":1,"pid":{"toString":1},"tid":1},\n{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":[2]},\n{"name":"dm_get","ph":"i","ts":2,"pid":1,"tid":1,"args":{"md":"md0"}}\n]\n');
    assert.deepEqual(a.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`), [
      '2:1 "i" event whose "pid" is an object: expected a number or a string',
      '3:1 "i" event whose "tid" is an array: expected a number or a string',
    ]);
    assert.equal(a.trace.length, 1);
  });
});

describe('hostile inputs: reports bigger than a string', () => {
  const a = analyzeText(Array.from({ length: 2000 }, (_, k) => lines(3, (j) => ['spin_lock lock=L', 'kmalloc obj=o gfp=GFP_KERNEL', 'spin_unlock lock=L'][j], 3 * k)).join(''));

  it('writes every format in small pieces whose text is exactly the one-string form', () => {
    assert.equal(a.findings.length, 2000);
    const pieces = {
      json: [...jsonReportPieces(a)],
      sarif: [...sarifPieces(a, 'file:///t', '0')],
      perfetto: [...perfettoPieces(a)],
      text: [...textPieces(a, 't')],
    };
    assert.equal(pieces.json.join(''), JSON.stringify(toJson(a), null, 2));
    assert.equal(pieces.sarif.join(''), JSON.stringify(toSarif(a, 'file:///t', '0'), null, 2));
    assert.equal(pieces.perfetto.join(''), JSON.stringify(toPerfetto(a), null, 2));
    assert.equal(pieces.text.join(''), toText(a, 't'));
    for (const [format, list] of Object.entries(pieces)) {
      const longest = Math.max(0, ...list.slice(0, 1000).map((p) => p.length)); // a sample: the largest pieces are findings
      // (the JSON formats write findings up to 4 KB a piece, the text one a piece)
      assert.ok(list.length > 2000 / 40 && longest < 8192, `${format}: ${list.length} pieces, longest ${longest}`);
    }
  });

  it('the CLI streams a report of 5,000 findings as valid SARIF and JSON', () => {
    const file = join(hostileDir(), 'many.dmtrace');
    writeFileSync(file, Array.from({ length: 5000 }, (_, k) => lines(3, (j) => ['spin_lock lock=L', 'kmalloc obj=o gfp=GFP_KERNEL', 'spin_unlock lock=L'][j], 3 * k)).join(''));
    const sarif = spawnSync(process.execPath, [CLI, 'analyze', file, '--format', 'sarif'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(sarif.status, 1, sarif.stderr);
    assert.equal((JSON.parse(sarif.stdout) as { runs: { results: unknown[] }[] }).runs[0].results.length, 5000);
    const two = spawnSync(process.execPath, [CLI, 'analyze', file, file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.deepEqual((JSON.parse(two.stdout) as { findings: unknown[] }[]).map((r) => r.findings.length), [5000, 5000]);
  });
});

describe('hostile inputs: findings with more related events than a call takes arguments', () => {
  it('checks a 200,000-event DMR5 finding against a gap without spreading its events into Math.min', () => {
    const b = new TraceBuilder('ftrace');
    const s = b.strings;
    const task = b.taskId('c/1', 0);
    const [mdKey, allocName] = [s.intern('md'), s.intern('md_alloc')];
    for (let k = 0; k < 200_000; k++) b.addEvent(k, 0, task, allocName, k + 1, [mdKey, s.intern(`md${k}`)], 1);
    b.gaps.push({ cpu: 0, lost: 1, line: 100, beforeEvent: 99 });
    b.addEvent(200_000, 0, b.taskId('r/2', 0), s.intern('delete_module'), 200_001, [s.intern('mod'), s.intern('dm_mod'), s.intern('ret'), s.intern('0')], 2);
    const a = analyzeTrace(b.finish());
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0].related.length, 200_000);
    assert.equal(a.findings[0].uncertain, true);
  });
});

describe('hostile inputs: numbers out of range', () => {
  const diagnostics = (text: string, format?: 'ftrace' | 'perf-script' | 'bpftrace' | 'chrome-json') =>
    analyzeText(text, { format }).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);

  it('native: a 400-digit time, cpu4294967297 and a source line past int32 are diagnostics, never Infinity or a wrapped value', () => {
    const text = `${'9'.repeat(400)}.0 cpu0 t/1 dm_get md=md0\n1.0 cpu4294967297 t/1 dm_get md=md0\n1.0 cpu0 t/1 dm_get md=md0 @dm.c:99999999999\n${'9'.repeat(30)}ns cpu0 t/1 dm_get md=md0\n2.0 cpu2 t/1 dm_get md=md0\n`;
    const d = diagnostics(text);
    assert.equal(d.length, 4);
    assert.match(d[0], /^1:1 time "9{80}…" \(402 characters\) is out of range: at most 2\^64 ns/);
    assert.equal(d[1], '2:5 cpu "cpu4294967297" is out of range: at most 2147483647');
    assert.equal(d[2], '3:34 source line "99999999999" is out of range: at most 2147483647');
    assert.match(d[3], /^4:1 time "9{30}ns" is out of range/);
    const a = analyzeText(text);
    assert.deepEqual([a.trace.length, a.trace.cpu[0]], [1, 2]);
    assert.ok(!JSON.stringify(toPerfetto(a)).includes('null'), 'the export has no "ts": null');
  });

  it('ftrace, perf script, bpftrace and Chrome JSON check the same ranges', () => {
    assert.deepEqual(diagnostics('# tracer: nop\n           t-1     [99999999999999999999] .... 1.000000: dm_get: md=md0\n', 'ftrace'), ['2:21 cpu "99999999999999999999" is out of range: at most 2147483647']);
    assert.match(diagnostics(`           t-1     [000] .... ${'9'.repeat(40)}.0: dm_get: md=md0\n`, 'ftrace')[0], /^1:31 time "9{40}\.0" is out of range/);
    assert.match(diagnostics(`t 1 [000] ${'9'.repeat(40)}.0: probe:dm_get: md=md0\n`, 'perf-script')[0], /^1:11 time "9{40}\.0" is out of range/);
    assert.match(diagnostics(`${'9'.repeat(20)} 0 1 t dm_get md=md0\n1 4294967296 1 t dm_get md=md0\n`, 'bpftrace').join('\n'), /^1:1 time "9{20}" is out of range.*\n2:3 cpu "4294967296" is out of range/);
    assert.deepEqual(diagnostics('[\n{"name":"dm_get","ph":"i","ts":1e300,"pid":1,"tid":1},\n{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"cpu":1e12}}\n]\n', 'chrome-json'), [
      '2:1 "i" event: time "1e+300 µs" is out of range: at most 2^64 ns (18446744073.709551616 s), the range of the kernel clocks',
      '3:1 "i" event: args.cpu "1000000000000" is out of range: at most 2147483647',
    ]);
  });
});

describe('hostile inputs: a huge bad token', () => {
  it(`quotes at most ${QUOTE_LIMIT} characters of it, in every parser`, () => {
    const huge = 'x'.repeat(1_000_000);
    const cases: [string, Parameters<typeof analyzeText>[1]][] = [
      [`${huge} cpu0 t/1 dm_get\n`, {}],
      [`1.0 ${huge} t/1 dm_get\n`, {}],
      [`1.0 cpu0 ${huge} dm_get\n`, {}],
      [`1.0 cpu0 t/1 dm_get ${huge}\n`, {}],
      [`!lock L ${huge}\n`, {}],
      [`!hb ${huge} -> a/1:1\n`, {}],
      [`           t-1     [000] .... ${huge}: dm_get: md=md0\n`, { format: 'ftrace' }],
      [`${huge} 0 1 t dm_get md=md0\n`, { format: 'bpftrace' }],
      [`t 1 [000] 1.000000: ${huge} md=md0\n`, { format: 'perf-script' }],
      [`1.0 cpu0 a/1 dm_get md=md0\n!hb ${huge}/9:1 -> a/1:1\n`, {}],
      [`{"traceEvents":[{"name":"dm_get","ph":"s","id":"${huge}","ts":1,"pid":1,"tid":1}]}`, { format: 'chrome-json' }],
    ];
    for (const [text, options] of cases) {
      const d = analyzeText(text, options).diagnostics;
      assert.equal(d.length, 1, text.slice(0, 40));
      assert.ok(d[0].message.length < QUOTE_LIMIT + 200 && /\(100000[0-2] characters\)/.test(d[0].message), d[0].message.slice(0, 300));
    }
  });
});

describe('hostile inputs: growable columns under an address-space limit', () => {
  it('reserve keeps values written through data past length when an outgrown reservation is replaced', () => {
    const g = new Growable(Int32Array);
    const n = RESERVE_FIRST / 4 + 10; // more than the first reservation holds
    const before = reservationStats.requested;
    g.reserve(1000);
    for (let i = 0; i < 1000; i++) g.data[i] = i + 1; // written through data, length still 0 (as the trace builder does)
    g.reserve(n);
    assert.deepEqual([g.data[0], g.data[999]], [1, 1000]);
    for (let i = 1000; i < n; i++) g.data[i] = i + 1;
    g.length = n;
    const out = g.finish();
    assert.deepEqual([out[0], out[n - 1], out.length], [1, n, n]);
    assert.ok(reservationStats.requested - before <= 2, `${reservationStats.requested - before} reservations`);
  });

  it('analyses under `ulimit -v` exactly as without it (each column once reserved 1 GiB: refused, then data lost)', function () {
    if (process.platform !== 'linux') this.skip();
    const file = join(hostileDir(), 'g.dmtrace');
    generateTrace({ events: 20_000, seed: 3 }, file);
    const run = (limit: string) => spawnSync('bash', ['-c', `${limit} node '${CLI}' analyze '${file}' --format json`], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const free = run('');
    const limited = run('ulimit -v 1500000;');
    assert.equal(limited.status, free.status, limited.stderr);
    assert.equal(limited.stdout, free.stdout);
  });
});
