// Every native sample, printed the way each recording tool prints it (with
// the tools' own name spellings, headers, noise and, for bpftrace, per-cpu
// interleaving), must give the findings of the native file. The printers
// below are deliberately independent of the parsers: they follow the tools'
// layouts, not our code.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, type Analysis } from '../../../../extension/core/analyze';
import type { Trace, TraceFormat } from '../../../../extension/core/trace/model';
import { repoPath } from '../../helpers';

const SAMPLES = repoPath('sample-traces');
const outcome = (a: Analysis) => a.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`).sort();

/** Directive lines of the native file (`!lock`, `!alias`, `!hb`, ...), in order. */
const directives = (text: string) => text.split('\n').filter((l) => l.startsWith('!') && !l.startsWith('!frobnicate'));

const SPELLINGS: Record<string, string[]> = {
  spin_lock: ['p__raw_spin_lock_0', '_raw_spin_lock', 'spin_lock'],
  spin_unlock: ['p__raw_spin_unlock_0', '_raw_spin_unlock_irqrestore', 'spin_unlock'],
  mutex_lock: ['down', 'p_mutex_lock_1', 'mutex_lock'],
  mutex_unlock: ['up', 'mutex_unlock'],
  idr_get_new: ['idr_alloc', 'p_idr_get_new_0'],
  add_disk: ['device_add_disk', 'add_disk'],
  module_get: ['try_module_get', 'module_get'],
};
/** The k-th recorded spelling of a vocabulary event (varied along the trace). */
const spell = (name: string, k: number) => {
  const forms = SPELLINGS[name] ?? [name, `p_${name}_0`];
  return forms[k % forms.length];
};
const secs = (ns: number) => `${Math.floor(ns / 1e9)}.${String(Math.floor(ns % 1e9) / 1e3 | 0).padStart(6, '0')}`;
const argText = (t: Trace, i: number) => t.argList(i).map(([k, v]) => `${k}=${v}`).join(' ');
const split = (task: string) => {
  const slash = task.lastIndexOf('/');
  return { comm: task.slice(0, slash), pid: task.slice(slash + 1) };
};

/** Times strictly increasing in file order, so tools that sort by time keep the native order. */
function times(t: Trace): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) out.push(Math.max(t.time[i], (out[i - 1] ?? -1) + 1000));
  return out;
}

const PRINTERS: Record<Exclude<TraceFormat, 'dmtrace'>, (t: Trace, text: string) => string> = {
  ftrace: (t, text) => {
    const ts = times(t);
    const lines = ['# tracer: nop', '#', '# entries-in-buffer/entries-written: 99/99   #P:4', '#', '#           TASK-PID     CPU#  ||||  TIMESTAMP  FUNCTION', '#              | |         |   ||||     |         |'];
    lines.push(...directives(text).map((d) => `# ${d}`));
    for (let i = 0; i < t.length; i++) {
      const { comm, pid } = split(t.taskName(i));
      const name = t.eventName(i);
      const head = `${comm.padStart(16)}-${pid.padEnd(7)} [${String(t.cpu[i]).padStart(3, '0')}] ...1 ${secs(ts[i]).padStart(12)}:`;
      if (i % 3 === 0) lines.push(`${head} sched_switch: prev_comm=${comm} prev_pid=${pid} prev_prio=120 prev_state=R+ ==> next_comm=swapper/1 next_pid=0 next_prio=120`);
      lines.push(`${head} ${spell(name, i)}: (${name}+0x0/0x60 [dm_mod]) ${argText(t, i)}`);
    }
    return lines.join('\n') + '\n';
  },
  'trace-cmd': (t, text) => {
    const ts = times(t);
    const lines = ['cpus=4', ...directives(text).map((d) => `# ${d}`)];
    for (let i = 0; i < t.length; i++) {
      const { comm, pid } = split(t.taskName(i));
      lines.push(`${comm.padStart(16)}-${pid.padEnd(5)} [${String(t.cpu[i]).padStart(3, '0')}] ${secs(ts[i])}: ${`${spell(t.eventName(i), i + 1)}:`.padEnd(20)} ${argText(t, i)}`);
    }
    return lines.join('\n') + '\n';
  },
  'perf-script': (t, text) => {
    const ts = times(t);
    const lines = directives(text).map((d) => `# ${d}`);
    for (let i = 0; i < t.length; i++) {
      const { comm, pid } = split(t.taskName(i));
      const ids = i % 2 ? `${pid}/${pid}` : pid;
      lines.push(`${comm.padStart(16)} ${ids.padStart(6)} [${String(t.cpu[i]).padStart(3, '0')}] ${secs(ts[i]).padStart(12)}: probe:${spell(t.eventName(i), i + 2)}: (ffffffffc04a${(0x1c30 + i).toString(16)}) ${argText(t, i)}`);
    }
    return lines.join('\n') + '\n';
  },
  bpftrace: (t, text) => {
    const ts = times(t);
    // per-cpu buffers drained one cpu at a time in rounds of four events: out of time order
    const rows = [...Array(t.length).keys()].map((i) => ({ i, round: Math.floor(i / 4), cpu: t.cpu[i] }));
    rows.sort((a, b) => a.round - b.round || b.cpu - a.cpu || a.i - b.i);
    const lines = ['Attaching 12 probes...', ...directives(text).map((d) => `# ${d}`)];
    for (const { i } of rows) {
      const { comm, pid } = split(t.taskName(i));
      lines.push(`${ts[i]} ${t.cpu[i]} ${pid} ${comm} ${t.eventName(i)} ${argText(t, i)}`.trimEnd());
    }
    return lines.join('\n') + '\n^C\n';
  },
  'chrome-json': (t, text) => {
    const ts = times(t);
    const events: object[] = [{ ph: 'M', name: 'dmtrace', pid: 0, tid: 0, args: { directives: directives(text) } }];
    for (let i = 0; i < t.length; i++) {
      const { pid } = split(t.taskName(i));
      events.push({ name: spell(t.eventName(i), i), cat: 'dm', ph: i % 2 ? 'X' : 'i', s: 't', ts: ts[i] / 1000, dur: 0.1, pid: Number(pid), tid: Number(pid), args: { cpu: t.cpu[i], ...Object.fromEntries(t.argList(i)) } });
    }
    for (const task of t.tasks) {
      const { comm, pid } = split(task.name);
      events.push({ ph: 'M', name: 'thread_name', pid: Number(pid), tid: Number(pid), args: { name: comm } });
    }
    return `{"traceEvents":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n],"displayTimeUnit":"ns"}\n`;
  },
};

describe('every native sample, printed by each recording tool', () => {
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.dmtrace') && f !== 'malformed.dmtrace');
  it('covers the six rules', () => assert.ok(files.length >= 18));
  for (const file of files) {
    const text = readFileSync(join(SAMPLES, file), 'utf8');
    const native = analyzeText(text);
    for (const [format, print] of Object.entries(PRINTERS) as [TraceFormat, (t: Trace, text: string) => string][]) {
      it(`${file} as ${format}`, () => {
        const recorded = print(native.trace, text);
        const a = analyzeText(recorded, { fileName: `recording.${format === 'chrome-json' ? 'json' : 'txt'}` });
        assert.equal(a.trace.format, format, 'detected from the content');
        assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
        assert.equal(a.trace.length, native.trace.length + (format === 'ftrace' ? Math.ceil(native.trace.length / 3) : 0));
        assert.deepEqual(outcome(a), outcome(native));
        assert.deepEqual(a.trace.tasks.map((x) => x.name).filter((n) => !n.startsWith('swapper')), native.trace.tasks.map((x) => x.name));
      });
    }
  }
});
