// The same dm session recorded by each tool (sample-traces/recorded/) must
// give the findings of its native twin: same rules, severities and devices,
// on the lines of the recording itself.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../tempDir';
import { analyzeText, type Analysis } from '../../../../extension/core/analyze';
import { detectFormat, parseTrace } from '../../../../extension/core/trace/parse';
import { parseFile } from '../../../../extension/core/node/readFile';
import type { TraceFormat } from '../../../../extension/core/trace/model';
import { repoPath } from '../../helpers';

const DIR = repoPath('sample-traces', 'recorded');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

/** What a user compares across formats: rule, severity, device; sorted, lines left out. */
function outcome(a: Analysis): string[] {
  return a.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`).sort();
}

const FORMATS: [string, TraceFormat][] = [
  ['ftrace.txt', 'ftrace'],
  ['trace-cmd.txt', 'trace-cmd'],
  ['perf-script.txt', 'perf-script'],
  ['bpftrace.txt', 'bpftrace'],
  ['chrome.json', 'chrome-json'],
];
const RECORDINGS: [string, TraceFormat][] = FORMATS.map(([suffix, format]) => [`session.${suffix}`, format]);

const SESSIONS: { name: string; expected: string[]; tasks: string[] }[] = [
  {
    name: 'session',
    expected: [
      'DMR1 error md0', // lvm's idr_find reads md0 before dmsetup's md_init_done
      'DMR2 error md1', // lvm's dm_get of md1 after the unlock, concurrent with the final put
      'DMR2 warning md0', // the same shape for md0, with no put of md0 in the trace
      'DMR4 error md0', // idr_preload(GFP_KERNEL) under the _minor_lock spinlock
      'DMR6 error md0', // udev opens dm-0 from the add uevent before md_init_done
    ],
    tasks: ['dmsetup/4211', 'lvm/4300', 'systemd-udevd/311', 'dmsetup/4220'],
  },
  {
    name: 'teardown',
    expected: [
      'DMR3 error md0', // mount opens md0 through private_data while dmsetup remove frees it
      'DMR5 error md1', // rmmod unloads dm_mod while md1 is alive
    ],
    tasks: ['dmsetup/5100', 'dmsetup/5120', 'mount/5140', 'rmmod/5200'],
  },
];

for (const session of SESSIONS) {
  describe(`recorded sample ${session.name}`, () => {
    const twin = analyzeText(read(`${session.name}.native.dmtrace`));

    it('the native twin has the races the session was written to show', () => {
      assert.deepEqual(outcome(twin), session.expected);
      assert.deepEqual(twin.diagnostics, []);
    });

    for (const [suffix, format] of FORMATS) {
      const file = `${session.name}.${suffix}`;
      describe(file, () => {
        const text = read(file);
        const a = analyzeText(text, { fileName: file });

        it(`is detected as ${format} from its content alone`, () => {
          assert.equal(detectFormat(text.slice(0, 65536)), format);
        });

        it('gives the findings of the native twin', () => {
          assert.equal(a.trace.format, format);
          assert.deepEqual(outcome(a), outcome(twin));
          assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
        });

        it('puts each finding on the line of the recording that holds its event', () => {
          const lines = text.split('\n');
          for (const f of a.findings) {
            const line = lines[a.trace.line[f.primary] - 1];
            const event = a.trace.eventName(f.primary);
            // the recorded line names the probe (p_dm_get_0, idr_alloc, dm_get ...), so check the device instead
            if (a.trace.arg(f.primary, 'md') !== undefined) assert.ok(line.includes(f.md) || line.includes(rawAddress(text, f.md)), `line ${a.trace.line[f.primary]} "${line}" should be the ${event} of ${f.md}`);
            assert.ok(!line.trimStart().startsWith('#'), 'not a comment line');
          }
        });

        it('names tasks comm/pid and keeps noise events out of the findings', () => {
          const names = a.trace.tasks.map((t) => t.name);
          for (const t of session.tasks) assert.ok(names.includes(t), `${t} in ${names.join(', ')}`);
          for (const f of a.findings) assert.match(a.trace.eventName(f.primary), /^(dm_|idr_|add_disk|delete_module|module_exit)/);
        });
      });
    }
  });
}

describe('recorded sample details', () => {
  it('reading a recording from disk in chunks gives the trace reading its text gives', async () => {
    for (const session of SESSIONS) {
      for (const [suffix] of FORMATS) {
        const file = join(DIR, `${session.name}.${suffix}`);
        const fromDisk = await parseFile(file);
        const fromText = parseTrace(read(`${session.name}.${suffix}`), { fileName: file });
        assert.equal(fromDisk.format, fromText.format, file);
        const shape = (t: typeof fromDisk) => [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} ${t.describe(i)}`);
        assert.deepEqual(shape(fromDisk), shape(fromText), file);
        assert.deepEqual(fromDisk.diagnostics, fromText.diagnostics, file);
      }
    }
  });

  it('ftrace: the lost-events line is a warning and a gap, and the function tracer gives call context', () => {
    const a = analyzeText(read('session.ftrace.txt'));
    const lost = a.diagnostics.filter((d) => /lost 14 events/.test(d.message));
    assert.equal(lost.length, 1);
    assert.equal(lost[0].severity, 'warning');
    assert.equal(a.trace.gaps.length, 1);
    assert.equal(a.trace.gaps[0].cpu, 3);
    const get = [...Array(a.trace.length).keys()].find((i) => a.trace.eventName(i) === 'dm_get');
    assert.ok(get !== undefined);
    assert.equal(a.trace.callers.get(get), 'dm_get <-dm_get_md');
    // the gap is before every dm event, so no finding is uncertain
    assert.ok(a.findings.every((f) => !f.uncertain));
  });

  it('bpftrace: lines out of time order are analysed in time order', () => {
    const text = read('session.bpftrace.txt');
    const a = analyzeText(text);
    for (let i = 1; i < a.trace.length; i++) assert.ok(a.trace.time[i - 1] <= a.trace.time[i]);
    const fileOrder = [...Array(a.trace.length).keys()].map((i) => a.trace.line[i]);
    assert.notDeepEqual(fileOrder, [...fileOrder].sort((x, y) => x - y), 'the sample must really be interleaved');
  });
});

function rawAddress(text: string, name: string): string {
  const m = new RegExp(`!alias (\\S+)=${name}\\b`).exec(text);
  return m ? m[1] : name;
}

describe('CLI on recordings', () => {
  const CLI = repoPath('dist', 'cli.js');
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const twinFindings = () => outcomeOfJson(JSON.parse(cli('analyze', join(DIR, 'session.native.dmtrace'), '--format', 'json').stdout));

  it('detects each recorded format and exits 1 for its error findings', () => {
    for (const [file] of RECORDINGS) {
      const r = cli('analyze', join(DIR, file), '--format', 'json');
      assert.equal(r.status, 1, file);
      assert.deepEqual(outcomeOfJson(JSON.parse(r.stdout)), twinFindings(), file);
    }
  });

  it('--input-format overrides detection and --map names probes', () => {
    const file = join(tempDir('dmrl-rec-'), 'trace.dmtrace');
    // a bpftrace recording saved under a native name, whose probes have the user's own names
    writeFileSync(file, ['100 0 11 lvm take lock=L', '200 0 11 lvm idr_pre_get gfp=0xcc0', '300 0 11 lvm release lock=L', ''].join('\n'));
    const plain = cli('analyze', file, '--format', 'json', '--input-format', 'bpftrace');
    assert.equal(plain.status, 0);
    assert.deepEqual(JSON.parse(plain.stdout).findings, [], 'take/release mean nothing to the rules');
    const mapped = cli('analyze', file, '--format', 'json', '--input-format', 'bpftrace', '--map', 'take=spin_lock', '--map', 'release=spin_unlock');
    assert.equal(mapped.status, 1);
    assert.deepEqual(JSON.parse(mapped.stdout).findings.map((f: { rule: string; line: number }) => `${f.rule} ${f.line}`), ['DMR4 2']);
    const detected = JSON.parse(cli('analyze', file, '--format', 'json').stdout);
    assert.equal(detected.events, 3, 'the content says bpftrace even under a .dmtrace name');
    assert.deepEqual(detected.errors, []);
  });

  it('--format perfetto writes a trace that reads back to the same findings', () => {
    const dir = tempDir('dmrl-pf-');
    const r = cli('analyze', join(DIR, 'session.perf-script.txt'), '--format', 'perfetto');
    assert.equal(r.status, 1);
    const out = join(dir, 'session.perfetto.json');
    writeFileSync(out, r.stdout);
    assert.ok(Array.isArray(JSON.parse(r.stdout).traceEvents));
    assert.deepEqual(outcomeOfJson(JSON.parse(cli('analyze', out, '--format', 'json').stdout)), twinFindings());
  });
});

function outcomeOfJson(report: { findings: { rule: string; severity: string; md: string }[] }): string[] {
  return report.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`).sort();
}
