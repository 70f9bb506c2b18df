// The Problems-panel entries (extension/core/report/problems.ts): the squiggle
// sits on the event's name, on native and recorded lines alike, and the
// entries the editor's worker places from a few picked lines are the ones the
// host would place from the whole document.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../../extension/core/analyze';
import { eventColumns, findingProblems, linesOfFindings } from '../../../extension/core/report/problems';
import { pickLinesOfText } from '../../../extension/core/node/pickLines';
import { repoPath } from '../helpers';

const SAMPLES = repoPath('sample-traces');

describe('Problems-panel entries', () => {
  it('start at the event name as a whole word after a blank or a colon, and end before trailing blanks', () => {
    const line = '1.000002 cpu1 lvm/4300: xdm_get dm_get_md md=md0 dm_get md=md0   ';
    assert.deepEqual(eventColumns('dmtrace', line, 'dm_get'), [line.indexOf(' dm_get md') + 1, line.trimEnd().length]);
    assert.deepEqual(eventColumns('dmtrace', 'lvm/4300:dm_get md=md0', 'dm_get'), [9, 22]);
  });

  it('fall back to the event field of a recorded line whose name is a kernel spelling, else to the first non-blank', () => {
    const ftrace = '           lvm-4300    [001] .....   12.000100: p_dm_get_0: (dm_get+0x0/0x30) md=0xffff';
    assert.equal(eventColumns('ftrace', ftrace, 'dm_get')[0], ftrace.indexOf('p_dm_get_0'));
    assert.deepEqual(eventColumns('dmtrace', '   lvm/1 something else', 'dm_put'), [3, 23]);
  });

  it('put every finding of the race samples on its event name, with its related events summarised', () => {
    let checked = 0;
    for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.race.dmtrace'))) {
      const text = readFileSync(join(SAMPLES, file), 'utf8');
      const lines = text.split('\n');
      const a = analyzeText(text, { fileName: file });
      const problems = findingProblems(a.trace, a.findings, (l) => lines[l]);
      assert.equal(problems.length, a.findings.length, file);
      problems.forEach((p, k) => {
        const f = a.findings[k];
        const [line, start, end] = p.range;
        assert.equal(line, a.trace.line[f.primary] - 1);
        assert.ok(lines[line].slice(start).startsWith(a.trace.eventName(f.primary)), `${file}:${line + 1} starts at ${start}`);
        assert.equal(end, lines[line].trimEnd().length);
        assert.equal(p.related.length, f.related.length);
        p.related.forEach((r, i) => assert.equal(r.summary, `${a.trace.taskName(f.related[i])}: ${a.trace.describe(f.related[i])}`));
        checked++;
      });
    }
    assert.ok(checked >= 6, `${checked} findings`);
  });

  it('are the same from the few lines the worker picks as from the whole document', () => {
    const text = readFileSync(join(SAMPLES, 'multi-device.dmtrace'), 'utf8');
    const a = analyzeText(text);
    assert.ok(a.findings.length > 0);
    const lines = text.split('\n');
    const picked = pickLinesOfText(text, linesOfFindings(a.trace, a.findings));
    assert.ok(picked.size < lines.length / 2, 'only the lines of the findings are picked');
    assert.deepEqual(findingProblems(a.trace, a.findings, (l) => picked.get(l)), findingProblems(a.trace, a.findings, (l) => lines[l]));
  });
});
