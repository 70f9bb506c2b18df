// Recordings of the race variants of kernel/dm-variants/ (Linux 6.1's dm-mod with one fix of the
// series undone) and of stock dm-mod as the control, made under QEMU by kernel/workload/run-variant.sh
// with RECORD=1 and race_delay_ms=0: the window is open but not widened, so nothing crashed and the
// recording is whole. The analysis must find each variant's race from a run that did not fault, and
// nothing on stock under the same workload.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../extension/core/analyze';

const DIR = join(__dirname, '../../../sample-traces/real/linux-6.1/races');

interface Case {
  file: string;
  /** the rule of the variant's race; undefined: stock, no finding at all */
  rule?: string;
  /** the run also recorded a schedule that closed on the window (an error, not only a warning) */
  error?: boolean;
  /** the exact number of findings, when the recording pins it */
  count?: number;
}

const CASES: Case[] = [
  { file: 'r2-stale-lookup-get.lookup.ftrace.txt', rule: 'DMR2', error: true },
  { file: 'stock.lookup.ftrace.txt' },
  { file: 'r4-sleep-in-atomic.create.ftrace.txt', rule: 'DMR4', error: true },
  // 6.1's exit path frees the device inside delete_module: the unload is decided where the call
  // entered, so one DMR5 on the unload and no DMR3 of the opens against that free
  { file: 'r5-unload-in-use.unload.ftrace.txt', rule: 'DMR5', error: true, count: 1 },
];

describe('race variant recordings (Linux 6.1, kernel/dm-variants)', () => {
  for (const c of CASES.filter((c) => existsSync(join(DIR, c.file)))) {
    it(`${c.file}: ${c.rule ? `${c.rule} and no other rule` : 'no finding'}`, () => {
      const a = analyzeText(readFileSync(join(DIR, c.file), 'utf8'), { fileName: c.file });
      assert.ok(a.trace.length > 200, 'a whole recording'); // R5's unload run is the shortest: 255 entries
      assert.deepEqual(a.diagnostics, [], 'every line parses');
      const rules = [...new Set(a.findings.map((f) => f.rule))];
      if (!c.rule) {
        assert.deepEqual(rules, []);
        return;
      }
      assert.deepEqual(rules, [c.rule]);
      if (c.error) assert.ok(a.findings.some((f) => f.severity === 'error'), 'an error finding');
      if (c.count !== undefined) assert.equal(a.findings.length, c.count);
    });
  }

  it('has the stock control next to the variants', () => {
    for (const f of ['stock.lookup.ftrace.txt', 'r2-stale-lookup-get.lookup.ftrace.txt', 'README.md']) {
      assert.ok(existsSync(join(DIR, f)), f);
    }
  });
});
