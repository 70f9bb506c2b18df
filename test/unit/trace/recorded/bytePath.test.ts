// The byte path of the recorded text formats (byteEvents.ts: what parseFile
// and parseTrace use) must give exactly the trace the text path gives: same
// events, arguments, strings, tasks, call contexts, gaps and diagnostics,
// whatever the chunking, for every kind of line; and it must be the path the
// common lines take.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ByteLineSplitter } from '../../../../extension/core/trace/byteLines';
import type { Trace, TraceFormat } from '../../../../extension/core/trace/model';
import { createParser } from '../../../../extension/core/trace/parse';
import { BpftraceParser } from '../../../../extension/core/trace/recorded/bpftrace';
import { FtraceParser } from '../../../../extension/core/trace/recorded/ftrace';
import { PerfScriptParser } from '../../../../extension/core/trace/recorded/perfScript';
import { fuzzRuns, parseBytesInChunks, repoPath } from '../../helpers';

type TextFormat = Extract<TraceFormat, 'ftrace' | 'trace-cmd' | 'perf-script' | 'bpftrace'>;
const FORMATS: TextFormat[] = ['ftrace', 'trace-cmd', 'perf-script', 'bpftrace'];

function snapshot(t: Trace) {
  const strings: string[] = [];
  for (let id = 0; id < t.strings.size; id++) strings.push(t.strings.get(id));
  const columns = Object.fromEntries((['time', 'cpu', 'task', 'name', 'line', 'seq', 'argStart', 'argKey', 'argValue', 'argKeys'] as const).map((c) => [c, Array.from(t[c])]));
  return { columns, strings, tasks: t.tasks, diagnostics: t.diagnostics, gaps: t.gaps, callers: [...t.callers], entryLines: [...t.callEntryLine], locks: t.lockDeclarations };
}

/** The text path: decoded text through feed(), every line read by the parser's line(). */
function parseText(format: TextFormat, text: string): Trace {
  const parser = createParser(format);
  parser.feed(text);
  return parser.end();
}

function assertSame(format: TextFormat, text: string, chunkSizes: number[]): void {
  const bytes = new TextEncoder().encode(text);
  const decoded = new TextDecoder('utf-8').decode(bytes);
  assert.deepEqual(snapshot(parseBytesInChunks(format, bytes, chunkSizes)), snapshot(parseText(format, decoded)));
}

/** The byte path's trace of `text`, and how many of its lines were decoded for the text path. */
function parseCountingDecoded(format: TextFormat, text: string): { trace: Trace; decoded: number } {
  const parser = format === 'perf-script' ? new PerfScriptParser() : format === 'bpftrace' ? new BpftraceParser() : new FtraceParser(format);
  let decoded = 0;
  const line = parser.line.bind(parser);
  parser.line = (text, lineNo) => {
    decoded++;
    line(text, lineNo);
  };
  const splitter = new ByteLineSplitter(parser);
  splitter.feedBytes(new TextEncoder().encode(text));
  return { trace: splitter.end(), decoded };
}

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const pad = pick('', ' ', '   ', '\t');
const comm = pick('dmsetup', 'kworker/0:1', 'systemd-udevd', '<...>', 'jbd2/dm-0-8', 'wörker', 'cafe', 'a b', 'x[1]', ':-1', 'C', 'cpus');
const pid = pick('0', '1', '4211', '4212', '04211', '99999999999999999', '123456789012345678901', '-1');
const cpu = pick('0', '1', '003', '12', '99999999999');
const seconds = pick('8123.456789', '8123.4567891234', '1.5', '12', '8123.', 'x.1', '99999999999999.999999', '8123.000001');
const eventName = pick(
  'dm_get', 'dm_put', 'p_dm_get_0', 'r_idr_find_0', 'idr_find', 'idr_get_new', 'idr_alloc', 'sched_switch', 'sched_process_fork', 'sys_exit_wait4',
  'tracing_mark_write', 'kprobes/dm_put', 'dm_get_md__return', 'mystery', 'spin_lock', '_raw_spin_lock', 'kmalloc', 'atomic_dec_and_lock', 'dm_gét',
);
const location = pick(
  '', '', '(dm_get+0x0/0x30 [dm_mod])', '(dm_get+0x4/0x30)', '(dm_get_md+0x1c/0x90 <- dm_get)', '(ffffffffc03ceb3f)', '(ffffffffc03ceb3f <- ffffffffc03ce000)',
  '(idr_find+0x0/0x40 [dm_mod])', '(idr_find+0x2c/0x40 <- idr_find)', '(unclosed', '(x)', '(mystery+0x10/0x40)',
);
const arg = pick(
  'md=md0', 'md=0xffff888003c4b000', 'holders=0x2', 'holders=2', 'arg1=0x10', 'arg2=0xcc0', 'ret=0x0', 'ret=0xffffffffffffffff', 'gfp=0xcc0',
  'gfp=GFP_ATOMIC', 'minor=0x1', 'ptr=0x0', 'field="a b"', 'lock="_minor_lock"', 's="unterminated', 's=""', 'child=0x10', 'k=', '=v', 'k=v=w', '0x1194', 'bare', 'é=1', 'md=mdé', 'child_pid=4500',
  'lock=_minor_lock', 'ptr=MINOR_ALLOCED', 'idr=_minor_idr', 'count=0x3', 'retval=0x1',
);
const args = fc.array(arg, { maxLength: 4 }).map((a) => a.join(' '));
const otherLine = pick(
  '', '  \t', '# a comment', '# !map mystery=dm_get', '# !alias 0xffff888003c4b000=md7', '# !lock _minor_lock spin', 'garbage', 'x',
);

const ftraceLine = (traceCmd: boolean) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(pad, comm, pid, pick('', '(  4100) ', '(4100)'), cpu, pick('', '..... ', 'd..1. '), seconds, eventName, pad, location, args).map(([p, c, id, tgid, n, flags, s, e, p2, loc, a]) => `${p}${c}-${id} ${tgid}[${n}] ${flags}${s}: ${e}:${p2 || ' '}${loc} ${a}`) },
    { weight: 1, arbitrary: fc.tuple(comm, pid, cpu, seconds, eventName, pick('dm_get_md', '')).map(([c, id, n, s, f, parent]) => (traceCmd ? `${c}-${id} [${n}] ${s}: function: ${f} <-- ${parent}` : `${c}-${id} [${n}] ${s}: ${f}${parent ? ` <-${parent}` : ''}`)) },
    { weight: 1, arbitrary: fc.tuple(comm, pid, cpu, seconds, pick('sys_wait4(upid: ffffffff)', 'sys_wait4 -> 0x1194', 'sys_exit_wait4: 0x1194')).map(([c, id, n, s, sys]) => `${c}-${id} [${n}] ..... ${s}: ${sys}`) },
    { weight: 1, arbitrary: fc.tuple(comm, pid, cpu, seconds, pick('dm_get md=md0', 'dm_put md=md0 holders=1', 'hello world')).map(([c, id, n, s, msg]) => `${c}-${id} [${n}] ..... ${s}: tracing_mark_write: ${msg}`) },
    { weight: 1, arbitrary: pick('CPU:1 [LOST 3 EVENTS]', 'CPU:0 [7 EVENTS DROPPED]', 'CPU:2 [LOST EVENTS]', 'cpus=2', 'version = 6', 'CPU 1 is empty') },
    { weight: 1, arbitrary: otherLine },
  );

const perfLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(pad, comm, pid, pick('', '4100/'), pick('', '[000] ', '[003] ', '[x] '), seconds, pick('', '1 '), pick('probe', 'sched', 'syscalls', 'kprobes'), eventName, location, args).map(([p, c, id, pidOf, n, s, period, group, e, loc, a]) => `${p}${c} ${pidOf}${id} ${n}${s}: ${period}${group}:${e}: ${loc} ${a}`) },
  { weight: 1, arbitrary: pick('\t    ffffffffc04a1c30 dm_get_md+0x30 ([dm_mod])', '\t    ffffffff81000000 do_syscall_64+0x5d ([kernel.kallsyms])', '  cafe 4211 [000] 1.5: probe:dm_get: md=md0') },
  { weight: 1, arbitrary: otherLine },
);

const bpftraceLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(pick('5000001616', '12', '1234567890123456789', '18446744073709551615', '99999999999999999999', '9007199254740993', '123456789012345678901', 'x1'), cpu, pid, comm, pick('kretprobe:dm_get_md', 'kprobe:dm_get', 'fexit:dm_mod:dm_get_md', 'md=md0'), eventName, args).map(([ns, n, id, c, e1, e2, a]) => `${ns} ${n} ${id} ${c} ${e1.startsWith('k') || e1.startsWith('f') ? e1 : e2} ${a}`) },
  { weight: 1, arbitrary: pick('Attaching 3 probes...', 'Lost 5 events', '@holders[md0]: 3', '^C') },
  { weight: 1, arbitrary: otherLine },
);

const LINES: Record<TextFormat, fc.Arbitrary<string>> = { ftrace: ftraceLine(false), 'trace-cmd': ftraceLine(true), 'perf-script': perfLine, bpftrace: bpftraceLine };

function recordedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return recordedFiles(path);
    return name.endsWith('.txt') ? [path] : [];
  });
}

function formatOfFile(path: string): TextFormat | undefined {
  return FORMATS.find((f) => path.endsWith(`${f}.txt`)) ?? (path.endsWith('ftrace.txt') ? 'ftrace' : undefined);
}

describe('recorded text formats: byte path = text path', () => {
  it('every recorded sample and real-kernel recording, in one chunk and in small odd chunks', () => {
    const files = [...recordedFiles(repoPath('sample-traces', 'recorded')), ...recordedFiles(repoPath('sample-traces', 'real'))];
    let checked = 0;
    for (const file of files) {
      const format = formatOfFile(file);
      if (!format) continue;
      const text = readFileSync(file, 'utf8');
      assertSame(format, text, [1 << 20]);
      assertSame(format, text, [7, 1, 64, 3]);
      checked++;
    }
    assert.ok(checked >= 20, `${checked} files`);
  });

  for (const format of FORMATS) {
    it(`${format}: random lines, CRLF, a byte order mark and random chunks`, () => {
      const line = fc.tuple(LINES[format], fc.boolean()).map(([l, crlf]) => (crlf ? `${l}\r` : l));
      fc.assert(
        fc.property(fc.boolean(), fc.array(line, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }), (bom, lines, sizes) => {
          assertSame(format, (bom ? '\uFEFF' : '') + lines.join('\n'), sizes);
        }),
        { numRuns: fuzzRuns(300) },
      );
    });
  }

  it('return probes merge with their entries on either path (ftrace, perf script, bpftrace)', () => {
    const ftrace = [
      '  dmsetup-4211 [000] ..... 1.000001: p_idr_find_0: (idr_find+0x0/0x40 [dm_mod]) idr=_minor_idr arg2=0x1',
      '  udevd-4300 [001] ..... 1.000002: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0 holders=0x1',
      '  dmsetup-4211 [000] ..... 1.000003: r_idr_find_0: (dm_get_md+0x2c/0x90 <- idr_find) arg1=0xffff888003c4b000',
      '  dmsetup-4211 [000] ..... 1.000004: p_idr_find_0: (idr_find+0x0/0x40 [dm_mod]) idr=_minor_idr arg2=0x2',
      '  dmsetup-4211 [000] ..... 1.000005: r_idr_find_0: (dm_get_md+0x2c/0x90 <- idr_find) arg1=0x0',
    ].join('\n');
    const perf = [
      '  dmsetup  4211 [000] 1.000001: probe:idr_find: (ffffffffc03ceb3f) idr=_minor_idr arg2=0x1',
      '  dmsetup  4211 [000] 1.000003: probe:idr_find__return: (ffffffffc03ceb3f <- ffffffffc03c0000) arg1=0xffff888003c4b000',
    ].join('\n');
    const bpftrace = ['1000001 0 4211 dmsetup kprobe:idr_find idr=_minor_idr minor=1', '1000003 0 4211 dmsetup kretprobe:idr_find ret=0xffffffffffffffff'].join('\n');
    for (const [format, text] of [['ftrace', ftrace], ['perf-script', perf], ['bpftrace', bpftrace]] as const) {
      for (const sizes of [[1 << 20], [5, 3]]) assertSame(format, text, sizes);
      const t = parseBytesInChunks(format, new TextEncoder().encode(text), [1 << 20]);
      assert.ok(t.callEntryLine.size > 0, `${format}: the return merged into its entry`);
    }
  });

  it("an event's keys and values compared with its probe's last event's: every way they can differ", () => {
    // (ByteEvents predicts each key and value from the probe's last event: a wrong prediction would show here)
    const bodies = [
      // kmalloc's arg2 is `gfp` unless the line prints gfp too; a return probe's keys depend on how many it prints
      'kmalloc arg2=0x10 arg1=buffer_head',
      'kmalloc arg2=0x10 gfp=GFP_KERNEL',
      'kmalloc arg2=0x10 arg1=buffer_head',
      'kmalloc arg2=0x10 gfp=GFP_KERNEL',
      'kmalloc arg2=0x10',
      'kretprobe:dm_get_md ret=0x0',
      'kretprobe:dm_get_md ret=0x0 arg1=0x5',
      'kretprobe:dm_get_md ret=0x0',
      'kretprobe:dm_get_md x=0x1 y=2',
      'kretprobe:dm_get_md x=0x1',
      // values and keys that the last ones are a prefix of, or longer than; more, fewer and swapped arguments
      'dm_get md=md0 holders=2',
      'dm_get md=md00 holders=2',
      'dm_get md=md holders=2',
      'dm_get md=md0 holders=2 extra=1',
      'dm_get md=md0',
      'dm_get mdx=md0',
      'dm_get m=md0',
      'dm_get holders=2 md=md0',
      'dm_get holders=2 md=md0',
      `dm_get md=${'m'.repeat(40)} holders=2`,
      `dm_get md=${'m'.repeat(40)} holders=2`,
      `dm_get ${'k'.repeat(40)}=1 md=md0`,
      `dm_get ${'k'.repeat(40)}=1 md=md0`,
      'dm_get a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 md=md0',
      'dm_get a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 md=md0',
      // control characters right after a value the last event had
      'dm_get md=md0\x01 holders=2',
      'dm_get md=md0 holders=2\x01',
      'dm_get md=md0 holders=2',
      // normalised values (a kernel address, then the same address once `!alias` names it)
      'dm_get md=0xffff888003c4b000',
      'dm_get md=0xffff888003c4b000',
      '# !alias 0xffff888003c4b000=md7',
      'dm_get md=0xffff888003c4b000',
      'sched_process_fork child_pid=4500 parent_pid=1',
      'sched_process_fork child_pid=4500 parent_pid=1',
    ];
    const quoted = ['md_access md="a b" field=x', 'md_access md=a b field=x', 'md_access md="a" field=x', 'md_access md=a field=x', 'md_access md=a field="x', 'md_access md=a field=x'];
    const lineOf: Record<TextFormat, (body: string, i: number) => string> = {
      ftrace: (body, i) => {
        const [name, ...args] = body.split(' ');
        return `dmsetup-42 [000] ..... 1.${String(i).padStart(6, '0')}: ${name}: ${args.join(' ')}`;
      },
      'trace-cmd': (body, i) => {
        const [name, ...args] = body.split(' ');
        return `dmsetup-42 [000] 1.${String(i).padStart(6, '0')}: ${name}: (dm_get+0x0/0x30 [dm_mod]) ${args.join(' ')}`;
      },
      'perf-script': (body, i) => {
        const [name, ...args] = body.split(' ');
        return `dmsetup 42 [000] 1.${String(i).padStart(6, '0')}: probe:${name}: (ffffffffc03ceb3f) ${args.join(' ')}`;
      },
      bpftrace: (body, i) => `${1000 + i} 0 42 dmsetup ${body}`,
    };
    for (const format of FORMATS) {
      // bpftrace: a name with `=` is a key=value to the text path (which reports the missing name), a name not ASCII is its too
      const unnamed = ['md=md0 holders=2', 'md=md0 holders=2', 'dm_gét md=md0', 'dm_get md=md0'];
      const lines = [...bodies, ...(format === 'bpftrace' ? unnamed : quoted)].map((body, i) => (body.startsWith('#') ? body : lineOf[format](body, i)));
      const text = lines.join('\n') + '\n';
      for (const sizes of [[1 << 20], [9, 2, 31]]) assertSame(format, text, sizes);
      // all but the directive, the lines with control characters and the unclosed quote take the byte path
      const { decoded } = parseCountingDecoded(format, text);
      assert.equal(decoded, format === 'bpftrace' ? 6 : 4, format);
    }
  });

  it('one printed name at several locations: each line is read with its own location', () => {
    const text = [
      'dmsetup-1 [0] 1.000001: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      'dmsetup-1 [0] 1.000002: dm_get: (dm_get_md+0x1c/0x90 <- dm_get) md=md0',
      'dmsetup-1 [0] 1.000003: dm_get: (dm_get+0x0/0x30 [dm_mod]) md=md0',
      'dmsetup-1 [0] 1.000004: dm_get: (dm_get+0x0/0x31 [dm_mod]) md=md0',
      'dmsetup-1 [0] 1.000004: dm_get: (dm_get+0x0/0x31 [dm_mod] x) md=md0',
      'dmsetup-1 [0] 1.000004: dm_get: (dm_get+0x0/0x31) md=md0',
      'dmsetup-1 [0] 1.000005: dm_get: md=md0',
      'dmsetup-1 [0] 1.000006: dm_get: () md=md0',
    ].join('\n');
    assertSame('ftrace', text, [1 << 20]);
    const t = parseBytesInChunks('ftrace', new TextEncoder().encode(text), [1 << 20]);
    assert.deepEqual([...t.callers], [[0, 'dm_get_md']], 'the return probe merged, and named its caller');
    // a location that begins with the one the name had last, and one it begins with
    const longer = [
      'dmsetup-1 [0] 1.000001: dm_get: (dm_get_md+0x1c/0x90) md=md0',
      'dmsetup-1 [0] 1.000002: dm_get: (dm_get_md+0x1c/0x90 <- dm_get) md=md0',
      'dmsetup-1 [0] 1.000003: dm_get: (dm_get_md+0x1c/0x90) md=md0',
      'dmsetup-1 [0] 1.000004: dm_get: (dm_get_md+0x1c/0x9) md=md0',
    ].join('\n');
    assertSame('ftrace', longer, [1 << 20]);
  });

  it('empty quoted values are one and the same value on either path', () => {
    const text = ['dmsetup-1 [0] 1.000001: md_access: md="" field=""', 'dmsetup-1 [0] 1.000002: md_access: md="" field=""'].join('\n');
    for (const trace of [parseText('ftrace', text), parseBytesInChunks('ftrace', new TextEncoder().encode(text), [1 << 20])]) {
      const values = Array.from(trace.argValue);
      assert.equal(new Set(values).size, 1, 'every "" is the same string id');
    }
  });

  it('the same trace whatever size the input says it has (the columns are sized from it once a part is read)', () => {
    // Long lines first, then short ones: sized from the first part, the columns must grow past the estimate.
    const lineOf: Record<TextFormat, (i: number, args: string) => string> = {
      ftrace: (i, a) => `fio-${(i % 9) + 1} [00${i % 4}] ..... 5.${String(i).padStart(6, '0')}: dm_get: (dm_get+0x0/0x40 [dm_mod])${a}`,
      'trace-cmd': (i, a) => `fio-${(i % 9) + 1} [00${i % 4}] 5.${String(i).padStart(6, '0')}: dm_get: (dm_get+0x0/0x40 [dm_mod])${a}`,
      'perf-script': (i, a) => `fio ${(i % 9) + 1} [00${i % 4}] 5.${String(i).padStart(6, '0')}: probe:dm_get: (ffffffffc03ceb3f)${a}`,
      // a few events out of time order: the queue replays them sorted
      bpftrace: (i, a) => `${5000000000 + i * 10 - (i % 97 === 0 ? 25 : 0)} ${i % 4} ${(i % 9) + 1} fio dm_get${a}`,
    };
    for (const format of FORMATS) {
      const lines: string[] = [];
      for (let i = 0; i < 30_000; i++) lines.push(lineOf[format](i, i < 3000 ? ` md=md${i % 5} field=${'f'.repeat(60)}${i % 5} ${'k'.repeat(20)}=${i}` : ` md=md${i % 7}`));
      const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
      const reference = snapshot(parseBytesInChunks(format, bytes, [1 << 19]));
      assert.equal(reference.columns.time.length, lines.length, format);
      for (const totalBytes of [bytes.length, bytes.length / 10, bytes.length * 20]) {
        const parser = createParser(format, { totalBytes });
        for (let at = 0; at < bytes.length; at += 1 << 16) parser.feedBytes!(bytes.subarray(at, at + (1 << 16)));
        assert.deepEqual(snapshot(parser.end()), reference, `${format}, totalBytes ${totalBytes}`);
      }
    }
  });

  it('the common lines of every format take the byte path (no line decoded)', () => {
    const common: Record<TextFormat, string[]> = {
      ftrace: [
        '              fio-2179 [006] ..... 5.000002028: mutex_lock: (mutex_lock+0x0/0x40 [dm_mod]) lock=i_rwsem.48',
        '          dmsetup-1192 [003] ..... 5.000011590: kmalloc: (kmalloc+0x0/0x40 [dm_mod]) obj=buffer_head gfp=GFP_KERNEL',
        '              fio-2139 [005] ..... 5.000009465: sched_switch: prev_pid=2139 next_pid=14430 prev_state=S',
        '          <idle>-0     [001] d..1. 5.000012000: dm_get: (dm_get+0x0/0x40 [dm_mod]) md=md0 holders=2',
      ],
      'trace-cmd': [
        '            fio-2179  [006] 5.000002028: mutex_lock:          (mutex_lock+0x0/0x40 [dm_mod]) lock=i_rwsem.48',
        '       kdmflush-1869  [007] 5.000008856: kmalloc:             (kmalloc+0x0/0x40 [dm_mod]) obj=buffer_head gfp=GFP_KERNEL',
      ],
      'perf-script': [
        '             fio   2179 [006] 5.000002028: probe:mutex_lock: (ffffffffc03ceb3f) lock=i_rwsem.48',
        '             fio   2139 [005] 5.000009465: sched:sched_switch: prev_pid=2139 next_pid=14430 prev_state=S',
        '         dmsetup   1192 [003] 5.000042088: probe:module_get: (ffffffffc03ceb3f) mod=dm_mod count=1',
      ],
      bpftrace: ['5000002028 6 2179 fio mutex_lock lock=i_rwsem.48', '5000991090 5 1503 systemd-udevd dm_get md=md0 holders=2', '5000009465 5 2139 fio sched_switch prev_pid=2139 next_pid=14430 prev_state=S'],
    };
    for (const format of FORMATS) {
      const { trace, decoded } = parseCountingDecoded(format, common[format].join('\n') + '\n');
      assert.equal(trace.length, common[format].length, format);
      assert.equal(decoded, 0, `${format}: ${decoded} lines left to the text path`);
    }
  });
});
