// Recordings of the stock Linux 6.1 dm-mod under QEMU (kernel/record.sh), one per recorder, checked
// against the workload that produced them: every line parses, each vocabulary event occurs as often
// as the workload log says, the four recorders agree, and there is no finding at all (6.1 has every
// fix of the series). `npm run test:kernel` runs the same checks on a fresh recording: it points
// DMRL_REAL_TRACES at the harness's output.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, type Analysis } from '../../../extension/core/analyze';
import { detectFormat } from '../../../extension/core/trace/parse';
import type { TraceFormat } from '../../../extension/core/trace/model';
import { repoPath } from '../helpers';

const DIR = process.env.DMRL_REAL_TRACES ?? repoPath('sample-traces', 'real', 'linux-6.1');

const RECORDERS: { phase: string; file: string; format: TraceFormat }[] = [
  { phase: 'ftrace', file: 'ftrace.txt', format: 'ftrace' },
  { phase: 'trace-cmd', file: 'trace-cmd.txt', format: 'trace-cmd' },
  { phase: 'perf', file: 'perf-script.txt', format: 'perf-script' },
  { phase: 'bpftrace', file: 'bpftrace.txt', format: 'bpftrace' },
];

/** The dm events the probes record; task_* events differ between recorders (each forks its own helpers). */
const DM_EVENTS = [
  'md_alloc', 'md_init_done', 'add_disk', 'idr_pre_get', 'idr_get_new', 'idr_replace', 'idr_find', 'idr_remove', 'free_dev',
  'dm_get', 'dm_put', 'dm_blk_open', 'dm_blk_close', 'spin_lock', 'spin_unlock', 'down_read', 'up_read', 'down_write', 'up_write',
  'module_get', 'module_put', 'delete_module',
];

/** The workload log: one `KIND DEVICE rc=N` line per step (kernel/guest/workload.sh). */
interface Step {
  kind: string;
  device: string;
  rc: number;
}
function readWorkload(phase: string): Step[] {
  const text = readFileSync(join(DIR, `workload-${phase}.log`), 'utf8');
  const steps: Step[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z-]+) (\S+) rc=(\d+)$/.exec(line);
    if (m) steps.push({ kind: m[1], device: m[2], rc: Number(m[3]) });
  }
  return steps;
}
const count = (steps: Step[], kind: string | string[], ok?: boolean) =>
  steps.filter((s) => (Array.isArray(kind) ? kind.includes(s.kind) : s.kind === kind) && (ok === undefined || (s.rc === 0) === ok)).length;

/** A recorder's own task: bpftrace takes a dm_mod reference for each probe it attaches to the module. */
const RECORDER_TASK = /^(bpftrace|perf|trace-cmd)\/\d+$/;

function vocabularyCounts(a: Analysis): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(DM_EVENTS.map((e) => [e, 0]));
  for (let i = 0; i < a.trace.length; i++) {
    if (RECORDER_TASK.test(a.trace.taskName(i))) continue;
    const name = a.trace.eventName(i);
    if (name in counts) counts[name]++;
  }
  return counts;
}
const eventsOf = (a: Analysis, name: string) => [...Array(a.trace.length).keys()].filter((i) => a.trace.eventName(i) === name);

const analyses = new Map<string, Analysis>();
function analysis(file: string): Analysis {
  let a = analyses.get(file);
  if (!a) {
    a = analyzeText(readFileSync(join(DIR, file), 'utf8'), { fileName: file });
    analyses.set(file, a);
  }
  return a;
}

describe(`real kernel recordings (${DIR.includes('sample-traces') ? 'fixtures' : DIR})`, () => {
  for (const { phase, file, format } of RECORDERS) {
    describe(file, () => {
      // read when a test runs: a missing recording fails its tests, it does not stop the suite
      let steps: Step[] = [];
      let creates = 0;
      let fixed = 0;
      let removes = 0;
      beforeEach(() => {
        steps = readWorkload(phase);
        creates = count(steps, ['create', 'create-fixed', 'create-linear'], true);
        fixed = count(steps, 'create-fixed', true);
        removes = count(steps, 'remove', true);
      });

      it('the workload ran: creates, lookups, opens, a refused remove, concurrent jobs, a refused and a clean rmmod', () => {
        assert.ok(creates >= 8 && fixed >= 2 && count(steps, 'create-linear', true) === 1, `creates ${creates}, fixed ${fixed}`);
        assert.equal(count(steps, 'create', false) + count(steps, 'create-fixed', false), 0, 'every create succeeded');
        assert.equal(removes, creates, 'every device was removed in the end');
        assert.equal(count(steps, 'remove', false), 1, 'the remove while open was refused');
        assert.ok(count(steps, 'lookup-number') >= 10 && count(steps, 'lookup-name') >= 5 && count(steps, 'open', true) >= 5);
        assert.deepEqual(steps.filter((s) => s.kind === 'rmmod').map((s) => `${s.device} ${s.rc === 0 ? 'ok' : 'refused'}`), ['dm_mod refused', 'dm_zero ok', 'dm_mod ok']);
      });

      it(`is read as ${format}, every line parses`, () => {
        const a = analysis(file);
        assert.equal(detectFormat(readFileSync(join(DIR, file), 'utf8').slice(0, 65536)), format);
        assert.equal(a.trace.format, format);
        assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').slice(0, 5), []);
        assert.deepEqual(a.trace.gaps, [], 'no events lost');
        assert.ok(a.trace.length > 500, `${a.trace.length} events`);
      });

      it('has each dm event as often as the workload log says', () => {
        const a = analysis(file);
        const c = vocabularyCounts(a);
        const byNumber = count(steps, 'lookup-number');
        const opens = count(steps, ['open', 'hold'], true) + count(steps, 'create-linear', true); // a linear table opens its device
        assert.equal(c.md_alloc, creates, 'md_alloc: one per create');
        assert.equal(c.md_init_done, creates, 'md_init_done: one per create');
        assert.equal(c.add_disk, creates, 'add_disk: at the first table load of each device');
        assert.equal(c.idr_get_new, creates, 'idr_get_new: each create reserves its minor');
        assert.equal(c.idr_replace, creates + removes, 'idr_replace: publish at create, unpublish at remove');
        assert.equal(c.idr_remove, removes, 'idr_remove: one per remove');
        assert.equal(c.free_dev, removes, 'free_dev: one per remove');
        // each device pins dm_mod (opens of the control and block devices pin it too, while they last)
        assert.ok(c.module_get >= creates, `module_get ${c.module_get} < ${creates} creates`);
        assert.ok(c.module_put >= removes, `module_put ${c.module_put} < ${removes} removes`);
        // dmsetup create looks its new device up by number to load the table, and a fixed-minor one again to resume it
        assert.equal(c.idr_find, byNumber + creates + fixed, 'idr_find: lookups by number');
        assert.equal(c.dm_blk_open, opens, 'dm_blk_open: dd, the holding shell, the linear table');
        assert.equal(c.dm_blk_close, opens, 'dm_blk_close: one per open');
        assert.equal(c.spin_lock, c.spin_unlock, 'each _minor_lock section is closed');
        assert.equal(c.down_read, c.up_read);
        assert.equal(c.down_write, c.up_write);
        // the failed lookup of an unused minor finds nothing
        assert.equal(eventsOf(a, 'idr_find').filter((i) => a.trace.arg(i, 'ret') === 'NULL').length, count(steps, 'lookup-number', false));
      });

      it('has one delete_module per rmmod, with its module and its result', () => {
        const a = analysis(file);
        const got = eventsOf(a, 'delete_module').map((i) => `${a.trace.arg(i, 'mod')} ${a.trace.arg(i, 'ret') === '0' ? 'ok' : 'refused'}`);
        const want = steps.filter((s) => s.kind === 'rmmod').map((s) => `${s.device} ${s.rc === 0 ? 'ok' : 'refused'}`);
        assert.deepEqual(got, want);
      });

      it('keeps one task per pid although the comm changes at exec (timeout -> dmsetup)', () => {
        const a = analysis(file);
        const taskOfPid = new Map<string, string>();
        for (let i = 0; i < a.trace.length; i++) {
          const name = a.trace.taskName(i);
          assert.match(name, /^\S+\/\d+$/);
          const pid = name.slice(name.lastIndexOf('/') + 1);
          assert.equal(taskOfPid.get(pid) ?? name, name, `pid ${pid}`);
          taskOfPid.set(pid, name);
        }
        // each create is one task from its md_alloc to its add_disk, whatever comm the recorder printed
        const tasksOf = (name: string) => eventsOf(a, name).map((i) => a.trace.taskName(i)).sort();
        assert.deepEqual(tasksOf('md_alloc'), tasksOf('add_disk'));
      });

      it('has no finding: 6.1 carries every fix of the series', () => {
        const a = analysis(file);
        assert.deepEqual(a.findings.map((f) => `${f.rule} ${f.severity} line ${a.trace.line[f.primary]}: ${f.message}`).slice(0, 5), []);
      });
    });
  }

  it('the four recorders agree on every dm event count', () => {
    const [first, ...rest] = RECORDERS.map((r) => ({ file: r.file, counts: vocabularyCounts(analysis(r.file)) }));
    for (const r of rest) assert.deepEqual(r.counts, first.counts, `${r.file} vs ${first.file}`);
  });
});
