// Recordings of the race variants of kernel/dm-variants/ (Linux 6.1's dm-mod with one fix of the
// series undone) and of stock dm-mod as the control, made under QEMU by kernel/workload/run-variant.sh
// with RECORD=1 and race_delay_ms=0: the window is open but not widened, so nothing crashed and the
// recording is whole. The analysis must find each variant's race from a run that did not fault, and
// nothing on stock under the same workload.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../../extension/core/analyze';
import { repoPath } from '../helpers';

const DIR = repoPath('sample-traces', 'real', 'linux-6.1', 'races');

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
  // the control of R3: the same open workload (opens paced across 20 creates and removes) on stock
  { file: 'stock.open.ftrace.txt' },
  // the control of R6: the same register workload; every open counted, every remove refused
  { file: 'stock.register.ftrace.txt' },
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

// R1 recorded until its oops: the guest did not panic, and run-variant.sh's watchdog dumped the
// trace once the lookup oopsed on the half-made device (the trace ends at that lookup's idr_find).
describe('race variant recording that ends at an oops: R1 publish-before-init (lookup)', () => {
  const file = 'r1-publish-before-init.lookup.ftrace.txt';

  it(`${file}: DMR1 errors, the last on the lookup that oopsed, and no other rule`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const a = analyzeText(text, { fileName: file });
    assert.deepEqual(a.diagnostics, [], 'every line parses');
    assert.deepEqual([...new Set(a.findings.map((f) => f.rule))], ['DMR1']);
    assert.ok(a.findings.every((f) => f.severity === 'error'), 'each published md was found before its md_init_done');
    // the crashing lookup: the trace's last line, an idr_find that returned the md the other task had just reserved
    const lines = text.trimEnd().split('\n');
    const last = lines.length;
    const found = /idr_find_\d+: .* ret=(0x[0-9a-f]+)$/.exec(lines[last - 1]);
    assert.ok(found, 'the trace ends at the crashing lookup’s idr_find');
    const crash = a.findings.find((f) => f.related.some((e) => a.trace.line[e] === last));
    assert.ok(crash, 'a DMR1 error names the crashing lookup');
    assert.equal(crash.md, found[1]);
    assert.match(lines[a.trace.line[crash.primary] - 1], new RegExp(`idr_alloc_\\d+: .* ptr=${found[1]} `), 'the store is the idr_alloc of the md itself');
    assert.match(crash.message, /md_init_done of \S+ never comes/);
  });

  // the lookup mode's first device completes before the lookups start; the first racing create
  // (race_delay_ms=2) is found half-made and the kernel oopses: that lookup is an error, and the
  // completed device is a warning (its store also came before its md_init_done)
  it('r1-publish-before-init.lookup.oops.ftrace.txt: the first racing create oopses, and its lookup is a DMR1 error', () => {
    const oops = 'r1-publish-before-init.lookup.oops.ftrace.txt';
    const text = readFileSync(join(DIR, oops), 'utf8');
    const a = analyzeText(text, { fileName: oops });
    assert.deepEqual(a.diagnostics, []);
    const last = text.trimEnd().split('\n').length;
    assert.deepEqual(a.findings.map((f) => `${f.rule}:${f.severity}`), ['DMR1:warning', 'DMR1:error']);
    const crash = a.findings[1];
    assert.ok(crash.related.some((e) => a.trace.line[e] === last), 'the error names the lookup on the last line');
    assert.match(crash.message, /md_init_done of \S+ never comes/);
  });
});

// R3 recorded through its window (race_delay_ms=2 keeps the opener between its load of private_data
// and its dm_get): the remover's final dm_put and __dm_destroy run while the opener sleeps, and the
// opener's late dm_get (the trace's last line) trips dm_get's BUG_ON(DMF_FREEING).
describe('race variant recording that ends at an oops: R3 open-while-freeing (open)', () => {
  const file = 'r3-open-while-freeing.open.ftrace.txt';

  it(`${file}: one DMR3 error, the opener's crashing dm_get against the remover's final put, and no other rule`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const a = analyzeText(text, { fileName: file });
    assert.deepEqual(a.diagnostics, [], 'every line parses');
    assert.deepEqual(a.findings.map((f) => `${f.rule}:${f.severity}`), ['DMR3:error']);
    const [f] = a.findings;
    const lines = text.trimEnd().split('\n');
    const lineOf = (e: number) => lines[a.trace.line[e] - 1];
    assert.match(lineOf(f.primary), /dm_blk_open_\d+: .* md=(0x[0-9a-f]+) /);
    // the opener's dm_get is the last line: the kernel BUG stopped the trace there
    assert.ok(f.related.some((e) => a.trace.line[e] === lines.length && /dm_get_\d+: .* holders=1$/.test(lineOf(e))), 'the crashing dm_get is named');
    const put = f.related.find((e) => /dm_put_\d+: .* holders=0$/.test(lineOf(e)));
    assert.ok(put !== undefined, "the remover's final put is named");
    assert.notEqual(a.trace.task[put], a.trace.task[f.primary], 'by another task');
  });
});

// Precision (docs/recording.md): kernel/workload/count-r2-windows.mjs counts the R2 windows really
// present without the analysis (a lookup that found the md between the remover's hash release and its
// unpublish, then took a reference); the DMR2 errors must be exactly those lookups' dm_gets.
describe('R2 precision: the DMR2 errors are the windows really present', () => {
  const file = 'r2-stale-lookup-get.lookup.ftrace.txt';
  const script = repoPath('kernel', 'workload', 'count-r2-windows.mjs');

  it(`${file}: one error per real window, at its dm_get`, () => {
    const r = spawnSync(process.execPath, [script, join(DIR, file)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const counted = /: (\d+) R2 windows? \(dm_get at lines ([\d, ]+)\)/.exec(r.stdout);
    assert.ok(counted, r.stdout);
    const windows = counted[2].split(', ').map(Number);
    assert.equal(windows.length, Number(counted[1]));
    const a = analyzeText(readFileSync(join(DIR, file), 'utf8'), { fileName: file });
    const errors = a.findings.filter((f) => f.rule === 'DMR2' && f.severity === 'error').map((f) => a.trace.line[f.primary]);
    assert.deepEqual(errors, windows);
  });

  // the same variant with race_delay_ms=2, recorded through the kernel's BUG_ON: the trace ends at the
  // lookup's dm_get on the freeing device, the one window of that run
  it('r2-stale-lookup-get.lookup.oops.ftrace.txt: one error, on the dm_get that crashed the kernel', () => {
    const oops = 'r2-stale-lookup-get.lookup.oops.ftrace.txt';
    const text = readFileSync(join(DIR, oops), 'utf8');
    const r = spawnSync(process.execPath, [script, join(DIR, oops)], { encoding: 'utf8' });
    const last = text.trimEnd().split('\n').length;
    assert.match(r.stdout, new RegExp(`: 1 R2 window \\(dm_get at lines ${last}\\)`));
    const a = analyzeText(text, { fileName: oops });
    assert.deepEqual(a.diagnostics, []);
    const errors = a.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(errors.map((f) => `${f.rule}:${a.trace.line[f.primary]}`), [`DMR2:${last}`]);
    assert.deepEqual([...new Set(a.findings.map((f) => f.rule))], ['DMR2']);
  });

  it('counts no window on stock and on R2-closed under the same workload', () => {
    for (const f of ['stock.lookup.ftrace.txt', 'r2-closed-stale-lookup-get.lookup.ftrace.txt']) {
      const r = spawnSync(process.execPath, [script, join(DIR, f)], { encoding: 'utf8' });
      assert.match(r.stdout, /: 0 R2 windows$/m, f);
    }
  });

  // 2.6.18's code (dm_get after _minor_lock) with 6.1's DMF_DELETING check: the lookup by number finds
  // the md under _hash_lock held for reading, so the remove path is closed. The pattern is still there
  // and still reachable through a failed DM_DEV_CREATE (kernel/dm-variants/README.md), so each late
  // dm_get is a correct predictive warning; an error would claim a window the kernel closes.
  it('r2-closed-stale-lookup-get.lookup.ftrace.txt: no error, DMR2 warnings on the late gets only', () => {
    const file = 'r2-closed-stale-lookup-get.lookup.ftrace.txt';
    const a = analyzeText(readFileSync(join(DIR, file), 'utf8'), { fileName: file });
    assert.ok(a.trace.length > 200, 'a whole recording');
    assert.deepEqual(a.diagnostics, [], 'every line parses');
    assert.ok(a.findings.length > 0, 'a lookup found the device and took its reference after the unlock');
    assert.deepEqual([...new Set(a.findings.map((f) => `${f.rule}:${f.severity}`))], ['DMR2:warning']);
  });
});

// R6 recorded with race_delay_ms=100 between add_disk and the moved initialisation. The probe kit
// placed md_init_done after that initialisation (derived from this build), so the window is in the
// trace: add_disk, another task's dm_blk_open of the md, then md_init_done. The open is not ordered
// after add_disk by happens-before (no udev in the guest: the opener polls the node, no uevent
// receipt is recorded), so DMR6 is a warning; DMR1 warns on each create because this build also
// publishes the md in the IDR before those fields are initialised (docs/race-variants.md).
describe('race variant recording: R6 register-before-init (register)', () => {
  const file = 'r6-register-before-init.register.ftrace.txt';

  it(`${file}: a DMR6 warning per round, the open inside its window, DMR1 warnings, no error`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const a = analyzeText(text, { fileName: file });
    assert.deepEqual(a.diagnostics, [], 'every line parses');
    assert.deepEqual(a.findings.filter((f) => f.severity === 'error'), []);
    const dmr6 = a.findings.filter((f) => f.rule === 'DMR6');
    const adds = text.split('\n').filter((l) => /add_disk_\d+:/.test(l)).length;
    assert.equal(dmr6.length, adds, 'every add_disk comes before its md_init_done');
    assert.ok(adds >= 3, `rounds: ${adds}`);
    assert.deepEqual([...new Set(a.findings.map((f) => f.rule))].sort(), ['DMR1', 'DMR6']);
    const lines = text.split('\n');
    for (const f of dmr6) {
      const add = a.trace.line[f.primary];
      const init = a.trace.line[f.related[0]];
      const md = /md=(0x[0-9a-f]+)/.exec(lines[add - 1])![1];
      const opener = lines.slice(add, init - 1).find((l) => new RegExp(`dm_blk_open_\\d+: .* md=${md} `).test(l));
      assert.ok(opener, `an open of ${md} between add_disk (line ${add}) and md_init_done (line ${init})`);
    }
  });
});
