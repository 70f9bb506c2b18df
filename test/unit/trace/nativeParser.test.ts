import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../extension/core/analyze';
import { parseTrace } from '../../../extension/core/trace/parse';

function errors(text: string) {
  return analyzeText(text).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
}

describe('native .dmtrace parser', () => {
  it('reads time, cpu, task, event, arguments and source location', () => {
    const t = parseTrace('12.000310 cpu1 dmsetup/4121 idr_get_new idr=_minor_idr minor=0 ptr=md0 @dm.c:214\n');
    assert.equal(t.length, 1);
    assert.equal(t.time[0], 12_000_310_000);
    assert.equal(t.cpu[0], 1);
    assert.equal(t.taskName(0), 'dmsetup/4121');
    assert.equal(t.eventName(0), 'idr_get_new');
    assert.deepEqual(t.argList(0), [['idr', '_minor_idr'], ['minor', '0'], ['ptr', 'md0']]);
    assert.deepEqual(t.source(0), { file: 'dm.c', line: 214 });
  });

  it('reads nanosecond times exactly', () => {
    const t = parseTrace('12000310ns cpu0 a/1 dm_get md=md0 holders=1\n1.5 cpu0 a/1 dm_put md=md0 holders=0');
    assert.equal(t.time[0], 12000310);
    assert.equal(t.time[1], 1_500_000_000);
  });

  it('unescapes quoted values', () => {
    const t = parseTrace('1.0 cpu0 a/1 md_access md=md0 field="a \\"quoted\\" back\\\\slash"');
    assert.equal(t.arg(0, 'field'), 'a "quoted" back\\slash');
  });

  it('accepts CRLF line ends and keeps line numbers', () => {
    const t = parseTrace('# c\r\n\r\n1.0 cpu0 a/1 dm_get md=md0 holders=1\r\n2.0 cpu0 a/1 dm_put md=md0 holders=0\r\n');
    assert.deepEqual([...t.line], [3, 4]);
    assert.equal(t.arg(1, 'holders'), '0');
  });

  it('skips blank lines and comments, also indented ones', () => {
    const t = parseTrace('   # comment\n\t\n  1.0 cpu0 a/1 dm_get md=md0 holders=1');
    assert.equal(t.length, 1);
    assert.equal(t.line[0], 3);
  });

  it('keeps unknown event names without complaint', () => {
    const a = analyzeText('1.0 cpu0 a/1 sched_switch prev=a next=b');
    assert.equal(a.trace.eventName(0), 'sched_switch');
    assert.deepEqual(a.diagnostics, []);
  });

  it('applies !alias from its line on', () => {
    const t = parseTrace('1.0 cpu0 a/1 dm_get md=0xffff1 holders=1\n!alias 0xffff1=md0\n2.0 cpu0 a/1 dm_put md=0xffff1 holders=0');
    assert.equal(t.arg(0, 'md'), '0xffff1');
    assert.equal(t.arg(1, 'md'), 'md0');
  });

  it('records !lock, !source and !map', () => {
    const t = parseTrace('!lock _minor_lock mutex\n!source dm.c=../source/dm.c\n!map p_dm_get_0=dm_get\n1.0 cpu0 a/1 p_dm_get_0 md=md0');
    assert.equal(t.declaredLockKind('_minor_lock', 5), 'mutex');
    assert.deepEqual(t.sources.get('dm.c'), { path: '../source/dm.c', line: 2, column: 14, endColumn: 28 });
    assert.equal(t.eventName(0), 'dm_get');
  });

  it('gives per-task sequence numbers in file order', () => {
    const t = parseTrace('1.0 cpu0 a/1 x\n1.0 cpu1 b/2 x\n1.0 cpu0 a/1 x');
    assert.deepEqual([...t.seq], [1, 1, 2]);
    assert.deepEqual(t.tasks.map((x) => x.name), ['a/1', 'b/2']);
  });

  describe('reports each bad line with line and column and goes on', () => {
    const cases: [string, string, RegExp][] = [
      ['bad time', '1,5 cpu0 a/1 dm_get', /^1:1 bad time "1,5"/],
      ['time without point or ns', '15 cpu0 a/1 dm_get', /^1:1 bad time "15": seconds need a decimal point/],
      ['time with a unit other than ns', '15us cpu0 a/1 dm_get', /^1:1 bad time "15us"/],
      ['missing cpu', '1.0', /^1:4 missing cpu/],
      ['bad cpu', '1.0 core0 a/1 dm_get', /^1:5 bad cpu "core0"/],
      ['missing task', '1.0 cpu0', /^1:9 missing task/],
      ['task without pid', '1.0 cpu0 dmsetup dm_get', /^1:10 bad task "dmsetup"/],
      ['task with a non-numeric pid', '1.0 cpu0 dmsetup/x dm_get', /^1:10 bad task "dmsetup\/x"/],
      ['missing event', '1.0 cpu0 a/1', /^1:13 missing event name/],
      ['key=value where the event should be', '1.0 cpu0 a/1 md=md0', /^1:14 missing event name/],
      ['argument without =', '1.0 cpu0 a/1 dm_get md', /^1:21 expected key=value, found "md"/],
      ['argument without key', '1.0 cpu0 a/1 dm_get =md0', /^1:21 missing key/],
      ['argument without value', '1.0 cpu0 a/1 dm_get md=', /^1:21 missing value after "md="/],
      ['unterminated quote', '1.0 cpu0 a/1 dm_get md="md0', /^1:24 unterminated quoted value/],
      ['unknown escape', '1.0 cpu0 a/1 dm_get md="a\\nb"', /^1:26 unknown escape "\\n"/],
      ['text right after a closing quote', '1.0 cpu0 a/1 dm_get md="a"b', /^1:27 expected a space after the closing quote/],
      ['source without line', '1.0 cpu0 a/1 dm_get @dm.c', /^1:21 bad source location "@dm.c"/],
      ['source not last', '1.0 cpu0 a/1 dm_get @dm.c:3 md=md0', /^1:29 @file:line must be the last field/],
      ['unknown directive', '!frob x', /^1:1 unknown directive "!frob"/],
      ['!lock with a bad kind', '!lock L rwsem', /^1:9 unknown lock kind "rwsem"/],
      ['!lock without kind', '!lock L', /^1:1 !lock takes a lock name and its kind/],
      ['!alias without =', '!alias 0xffff', /^1:8 expected VALUE=NAME/],
      ['!source without =', '!source dm.c', /^1:9 expected FILE=PATH/],
      ['!hb without arrow', '!hb a/1:1 b/2:1', /^1:1 !hb takes TASK_A:SEQ -> TASK_B:SEQ/],
      ['!hb with a bad end', '!hb a/1 -> b/2:1', /^1:5 expected TASK:SEQ/],
    ];
    for (const [what, line, expected] of cases) {
      it(what, () => {
        const text = `${line}\n2.0 cpu0 ok/9 dm_get md=md0 holders=1`;
        const errs = errors(text);
        assert.equal(errs.length, 1, errs.join('\n'));
        assert.match(errs[0], expected);
        const a = analyzeText(text);
        assert.equal(a.trace.eventName(a.trace.length - 1), 'dm_get', 'the next line is still read');
      });
    }
  });

  it('reports !hb edges to tasks or events that do not exist', () => {
    const errs = errors('1.0 cpu0 a/1 x\n!hb a/1:1 -> z/9:1\n!hb a/1:5 -> a/1:1');
    assert.deepEqual(errs.map((e) => e.split(' ')[0]), ['2:1', '3:1']);
    assert.match(errs[0], /task "z\/9", which has no event/);
    assert.match(errs[1], /task "a\/1" has 1 events, not 5/);
  });

  it('survives hostile text: control characters, huge tokens, HTML in task names', () => {
    const hostile = [
      '1.0 cpu0 <img src=x onerror=alert(1)>/66 dm_get md=md0',
      '1.0 cpu0 "><script>alert(1)</script>/7 dm_get md=md0',
      `1.0 cpu0 a/1 ${'x'.repeat(100_000)} md=${'y'.repeat(100_000)}`,
      '\u0000\u0001\u0002 \u202e cpu0',
    ].join('\n');
    const a = analyzeText(hostile);
    assert.ok(a.diagnostics.every((d) => d.line >= 1 && d.column >= 1));
    assert.equal(a.trace.tasks.some((t) => t.name === '"><script>alert(1)</script>/7'), true);
  });
});

describe('trace line lookup', () => {
  it('finds the event written on a line, and -1 for comments and blank lines', () => {
    const t = parseTrace('# c\n1.0 cpu0 a/1 x\n\n2.0 cpu0 b/2 y\n3.0 cpu0 a/1 z');
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((l) => t.eventAtLine(l)), [-1, 0, -1, 1, 2, -1]);
  });
});
