// The CLI as a user runs it: the built dist/cli.js in a child process.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import Ajv from 'ajv-draft-04';
import type * as Sarif from 'sarif';
import { REPO_ROOT } from '../helpers';

const ROOT = REPO_ROOT;
const CLI = join(ROOT, 'dist/cli.js');
const SAMPLES = join(ROOT, 'sample-traces');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempTrace(text: string): string {
  const file = join(tempDir('dmrl-'), 't.dmtrace');
  writeFileSync(file, text);
  return file;
}

describe('CLI analyze', () => {
  it('exits 1 when a finding is an error, 0 when none is, 2 when the input cannot be read', () => {
    assert.equal(cli('analyze', join(SAMPLES, 'dmr2-stale-lookup-get.race.dmtrace')).status, 1);
    assert.equal(cli('analyze', join(SAMPLES, 'dmr2-stale-lookup-get.fixed.dmtrace')).status, 0);
    const missing = cli('analyze', join(SAMPLES, 'no-such-file.dmtrace'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*no-such-file\.dmtrace: ENOENT/);
    assert.equal(cli('analyze', SAMPLES).status, 2, 'a directory is not a trace');
  });

  it('exits 0 for warnings only', () => {
    const file = tempTrace('1.0 cpu0 c/1 idr_get_new idr=I minor=0 ptr=md0\n2.0 cpu0 c/1 md_init_done md=md0\n');
    const r = cli('analyze', file, '--format', 'json');
    assert.equal(r.status, 0);
    assert.equal(JSON.parse(r.stdout).findings[0].severity, 'warning');
  });

  it('exits 0 for parse errors without error findings, and reports them with line and column', () => {
    const r = cli('analyze', tempTrace('1.0 cpu0 a/1 dm_get md=md0\nbad line here\n'), '--format', 'json');
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout).errors, [{ line: 2, column: 1, message: 'bad time "bad": expected seconds with a decimal point (12.000310) or nanoseconds (12000310ns)' }]);
  });

  it('prints the JSON report the contract names', () => {
    const r = cli('analyze', join(SAMPLES, 'multi-device.dmtrace'), '--format=json');
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.events, 19);
    assert.deepEqual(report.tasks, ['dmsetup/5100', 'lvm/5110', 'dmsetup/5120', 'dmsetup/5130', 'mount/5140']);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.findings[0], {
      rule: 'DMR2',
      name: 'stale-lookup-get',
      severity: 'error',
      line: 26,
      related: [23, 24, 25, 27],
      md: 'md11',
      message: report.findings[0].message,
      fixedBy: ['04', '06'],
    });
    assert.match(report.findings[0].message, /dm_get of md11 at line 26/);
    assert.deepEqual(report.findings.map((f: { rule: string; line: number }) => `${f.rule}@${f.line}`), ['DMR2@26', 'DMR3@29']);
  });

  it('prints a text report like a kernel report: both sides, window, witness, fix', () => {
    const r = cli('analyze', join(SAMPLES, 'dmr2-stale-lookup-get.race.dmtrace'));
    assert.match(r.stdout, /^BUG: DMR2 stale-lookup-get: /m);
    assert.match(r.stdout, /dm_get of md0 by lvm\/4300 on cpu1 at .*dmr2-stale-lookup-get\.race\.dmtrace:17:/);
    assert.match(r.stdout, /^window:\n {2}lvm\/4300: lines \d+-17/m);
    assert.match(r.stdout, /witness schedule \(consistent with happens-before\):\n\s+1\. lvm\/4300: idr_find/);
    assert.match(r.stdout, /fixed by: patch 04 \+ 06 of the series/);
    assert.match(r.stdout, /1 race, 0 unsafe orderings/);
  });

  it('prints SARIF 2.1.0 that validates against the schema, with a threadFlow per task', () => {
    const r = cli('analyze', join(SAMPLES, 'dmr3-open-while-freeing.race.dmtrace'), '--format', 'sarif');
    const log = JSON.parse(r.stdout) as Sarif.Log;
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 1));
    const result = (log.runs[0].results ?? [])[0];
    assert.equal(result.ruleId, 'DMR3');
    assert.equal(result.level, 'error');
    assert.equal(result.locations?.[0].physicalLocation?.region?.startLine, 12);
    const flows = result.codeFlows?.[0].threadFlows ?? [];
    assert.deepEqual(flows.map((f) => f.id).sort(), ['blkid/4510', 'dmsetup/4500']);
    const orders = flows.flatMap((f) => f.locations.map((l) => l.executionOrder ?? 0)).sort((a, b) => a - b);
    assert.deepEqual(orders, [...new Set(orders)], 'each step of the interleaving has its own place');
  });

  it('takes several files and reports the worst status', () => {
    const r = cli('analyze', join(SAMPLES, 'dmr4-sleep-in-atomic.fixed.dmtrace'), join(SAMPLES, 'dmr4-sleep-in-atomic.race.dmtrace'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /fixed\.dmtrace: 7 events.*0 races/);
  });

  it('reads numeric gfp masks with the __GFP_DIRECT_RECLAIM bit --gfp-direct-reclaim gives', () => {
    // 0xd0 is GFP_KERNEL of 2.6 kernels, where the bit was __GFP_WAIT (0x10)
    const file = tempTrace('!lock L spin\n1.0 cpu0 a/1 spin_lock lock=L\n2.0 cpu0 a/1 kmalloc obj=o gfp=0xd0\n');
    assert.equal(cli('analyze', file).status, 0, '0xd0 lacks the default bit 0x400');
    const r = cli('analyze', file, '--gfp-direct-reclaim', '0x10', '--format', 'json');
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).findings[0].rule, 'DMR4');
  });

  it('rejects bad usage with exit 2 and the usage text', () => {
    for (const args of [[], ['frobnicate'], ['analyze'], ['analyze', 'x', '--format', 'xml'], ['analyze', 'x', '--bogus'], ['analyze', 'x', '--map', 'nope'], ['analyze', 'x', '--gfp-direct-reclaim', 'lots']]) {
      const r = cli(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /usage: dm-race-lens analyze/);
    }
  });
});
