// A successful delete_module is decided where its call entered (docs/rules.md, DMR5): a recorded
// entry and return merge into one event at the return's line, after the exit path it ran, so the
// module-release edge and DMR5's liveness check use the task's first event after the entry line.

import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../extension/core/analyze';
import { deserializeTrace, serializeTrace } from '../../../extension/core/trace/transfer';
import { unloadPoint } from '../../../extension/core/trace/unloadPoint';
import { Ev } from '../../../extension/core/trace/vocabulary';
import { summary } from '../helpers';

const ENTRY = ' rmmod-1 [000] .....  1.000010: delete_module_0: (__x64_sys_delete_module+0x0/0x20) mod="dm_mod"';
const EXIT_PATH = [
  ' rmmod-1 [000] .....  1.000011: free_dev_0: (0xffffffffc0001200) md=0xff01',
  ' rmmod-1 [000] .....  1.000012: module_exit_0: (0xffffffffc0001300) mod="dm_mod"',
];
const RETURN = ' rmmod-1 [000] .....  1.000013: delete_module_1: (do_syscall_64+0x5d/0xb0 <- __x64_sys_delete_module) ret=0';

/** A device made by rmmod, opened and closed by another task, then dm_mod unloaded with `between` inside the call. */
function recording(between: string[]): string {
  return [
    '# !owner dm_mod',
    '# tracer: nop',
    ' rmmod-1 [000] .....  1.000001: md_alloc_0: (0xffffffffc0001000) md=0xff01',
    ' opener-2 [001] .....  1.000002: dm_blk_open_0: (0xffffffffc0001100) md=0xff01 disk=0xd1',
    ' opener-2 [001] .....  1.000003: dm_blk_close_0: (0xffffffffc0001110) md=0xff01 disk=0xd1',
    ' opener-2 [001] .....  1.000004: module_put_0: (module_put+0x0/0x90) mod="dm_mod"',
    ENTRY,
    ...between,
    RETURN,
  ].join('\n');
}

const lineOf = (text: string, line: string) => text.split('\n').indexOf(line) + 1;

describe('the unload point of a recorded delete_module', () => {
  it('an exit path that frees the device: the release edge targets its first event, and DMR5 finds the device alive', () => {
    const text = recording(EXIT_PATH);
    const a = analyzeText(text, { fileName: 'r5.ftrace.txt' });
    assert.deepEqual(a.diagnostics, []);
    const unload = a.trace.length - 1;
    assert.equal(a.trace.name[unload], Ev.delete_module);
    assert.equal(a.trace.line[unload], lineOf(text, RETURN), 'the merged event stays at the return’s line');
    assert.equal(a.trace.callEntryLine.get(unload), lineOf(text, ENTRY));
    const point = unloadPoint(a.trace, a.hb.taskEvents, unload);
    assert.equal(a.trace.name[point], Ev.free_dev);
    const put = [...Array(a.trace.length).keys()].find((i) => a.trace.name[i] === Ev.module_put) as number;
    assert.deepEqual(a.hb.incoming(point).map((e) => [e.from, e.kind]), [[put, 'module']]);
    assert.ok(a.hb.happensBefore(put, point), 'the opener’s put precedes the free of the exit path');
    assert.deepEqual(summary(a), [`DMR5 error ${lineOf(text, RETURN)}`], 'one unload in use, no DMR3 against the free');
    assert.match(a.findings[0].message, new RegExp(`entered at line ${lineOf(text, ENTRY)}\\)$`));
  });

  it('nothing between entry and return: the merged event is its own unload point', () => {
    const a = analyzeText(recording([]), { fileName: 'r5.ftrace.txt' });
    const unload = a.trace.length - 1;
    assert.equal(unloadPoint(a.trace, a.hb.taskEvents, unload), unload);
    assert.deepEqual(a.hb.incoming(unload).map((e) => e.kind), ['module']);
    assert.equal(a.findings.filter((f) => f.rule === 'DMR5').length, 1);
  });

  it('a native delete_module has no entry line: it is its own unload point', () => {
    const a = analyzeText('1.0 cpu0 a/1 md_alloc md=X\n1.1 cpu0 a/1 module_put mod=dm_mod count=0\n1.2 cpu0 r/2 delete_module mod=dm_mod ret=0');
    assert.equal(a.trace.callEntryLine.size, 0);
    assert.equal(unloadPoint(a.trace, a.hb.taskEvents, 2), 2);
    assert.doesNotMatch(a.findings[0].message, /entered at/);
  });

  it('the entry line crosses to the analysis worker', () => {
    const a = analyzeText(recording(EXIT_PATH), { fileName: 'r5.ftrace.txt' });
    const copy = deserializeTrace(serializeTrace(a.trace).data);
    assert.deepEqual([...copy.callEntryLine], [...a.trace.callEntryLine]);
  });
});
