// The recording sh script against a fake tracefs and /proc, and the CLI's
// probes and record commands end to end (dist/cli.js).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { deriveProbes, renderScript, type ProbeSet } from '../../../extension/core/probes';
import { kprobeLine } from '../../../extension/core/probes/render';
import { inventedModule, KALLSYMS, objdumpText } from './fixture';
import { REPO_ROOT } from '../helpers';

/** A directory that looks like tracefs and /proc enough for the recording script of `set`. */
function fakeTarget(set: ProbeSet): { dir: string; tracefs: string; proc: string } {
  const dir = tempDir('dmrl-probes-');
  const tracefs = join(dir, 'tracing');
  const proc = join(dir, 'proc');
  mkdirSync(proc, { recursive: true });
  writeFileSync(join(proc, 'kallsyms'), KALLSYMS + '\n');
  writeFileSync(join(proc, 'modules'), 'dm_mod 184320 0 - Live 0xffffffffc0a00000\n');
  for (const p of set.probes) mkdirSync(join(tracefs, 'events', 'dmrl', p.event), { recursive: true });
  for (const t of set.tracepoints) mkdirSync(join(tracefs, 'events', t.system, t.event), { recursive: true });
  for (const f of ['kprobe_events', 'trace', 'tracing_on', 'trace_clock', 'error_log', 'buffer_size_kb']) writeFileSync(join(tracefs, f), '');
  return { dir, tracefs, proc };
}

describe('probe kit: the recording script', function () {
  this.timeout(20000);
  const set = deriveProbes(objdumpText(inventedModule()));

  function run(script: string, target: { dir: string; tracefs: string; proc: string }, ...command: string[]) {
    const file = join(target.dir, 'record.sh');
    writeFileSync(file, script);
    chmodSync(file, 0o755);
    const out = join(target.dir, 'out.trace');
    const r = spawnSync('sh', [file, out, '--', ...command], { encoding: 'utf8', env: { ...process.env, DMRL_TRACEFS: target.tracefs, DMRL_PROC: target.proc } });
    return { status: r.status, stderr: r.stderr, out };
  }

  it('applies every definition and filter, runs the command, writes header + trace, exits with the command’s status', () => {
    const t = fakeTarget(set);
    const r = run(renderScript(set), t, 'sh', '-c', `echo "dmsetup-7 [000] ..... 1.0: dm_get_0: (dm_get+0xc/0x20 [dm_mod]) md=0x1 holders=1" >> "${t.tracefs}/trace"; exit 3`);
    assert.equal(r.status, 3, r.stderr);
    const events = readFileSync(join(t.tracefs, 'kprobe_events'), 'utf8');
    for (const p of set.probes) assert.ok(events.includes(kprobeLine(set, p) + '\n'), p.event);
    assert.match(events, /^-:dmrl\/idr_find_0$/m, 'the probes are removed at the end');
    assert.equal(readFileSync(join(t.tracefs, 'events/dmrl/module_get_0/filter'), 'utf8'), 'mod == 0xffffffffc0a40100\n');
    assert.equal(readFileSync(join(t.tracefs, 'events/syscalls/sys_exit_wait4/filter'), 'utf8'), 'ret > 0\n');
    assert.equal(readFileSync(join(t.tracefs, 'trace_clock'), 'utf8'), 'global\n');
    const trace = readFileSync(r.out, 'utf8').split('\n');
    assert.deepEqual(trace.slice(0, 3), ['# !lock _minor_lock spin', '# !owner dm_mod', '# !alias 0xffffffffc0a40100=dm_mod']);
    assert.match(trace[3], /dm_get_0: \(dm_get\+0xc\/0x20 \[dm_mod\]\) md=0x1 holders=1/);
  });

  it('stops with status 125 and the error log when a probe is refused', () => {
    const t = fakeTarget(set);
    writeFileSync(join(t.tracefs, 'error_log'), '');
    // a directory where kprobe_events should be: every write fails
    const events = join(t.tracefs, 'kprobe_events');
    spawnSync('rm', [events]);
    mkdirSync(events);
    const r = run(renderScript(set), t, 'true');
    assert.equal(r.status, 125);
    assert.match(r.stderr, /dm-race-lens: probe refused: p:dmrl\/spin_lock_0 /);
  });

  it('refuses to run without an address for dm_mod’s struct module', () => {
    const t = fakeTarget(set);
    writeFileSync(join(t.proc, 'kallsyms'), '0000000000000000 d __this_module\t[dm_mod]\n');
    const r = run(renderScript(set), t, 'true');
    assert.equal(r.status, 125);
    assert.match(r.stderr, /no address for __this_module \[dm_mod\]/);
  });
});

describe('probe kit: the probes and record commands', function () {
  this.timeout(20000);
  const ROOT = REPO_ROOT;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  const dir = tempDir('dmrl-probes-cli-');

  it('prints tracefs definitions from a saved disassembly and exits 0 when everything was placed', () => {
    const file = join(dir, 'complete.objdump');
    writeFileSync(file, objdumpText(inventedModule()));
    const r = cli('probes', '--disassembly', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^p:dmrl\/idr_find_0 dm_mod:dm_lookup\+0x23 /m);
    assert.match(r.stderr, /not probed: set_bit: /);
  });

  it('exits 1 and names what it could not place', () => {
    const file = join(dir, 'no-dm-get.objdump');
    writeFileSync(file, objdumpText(inventedModule().filter((f) => f.name !== 'dm_get')));
    const r = cli('probes', '--disassembly', file, '--format', 'script', '--out', join(dir, 'record.sh'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not placed: dm_get: /);
    assert.match(readFileSync(join(dir, 'record.sh'), 'utf8'), /^#!\/bin\/sh$/m);
  });

  it('record applies the probes, runs the command and writes the trace with its header', () => {
    const file = join(dir, 'record.objdump');
    writeFileSync(file, objdumpText(inventedModule()));
    const { tracefs, proc } = fakeTarget(deriveProbes(readFileSync(file, 'utf8')));
    const out = join(dir, 'recorded.trace');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'record', '--disassembly', file, '--out', out, '--', 'sh', '-c', `echo "dd-9 [001] ..... 2.0: dm_blk_open_0: (dm_blk_open+0x0/0x70 [dm_mod]) md=0x2 disk=0x3" >> "${tracefs}/trace"; exit 4`], {
      encoding: 'utf8',
      env: { ...process.env, DMRL_TRACEFS: tracefs, DMRL_PROC: proc },
    });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /trace written to .*recorded\.trace/);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n').slice(0, 4), [
      '# !lock _minor_lock spin',
      '# !owner dm_mod',
      '# !alias 0xffffffffc0a40100=dm_mod',
      'dd-9 [001] ..... 2.0: dm_blk_open_0: (dm_blk_open+0x0/0x70 [dm_mod]) md=0x2 disk=0x3',
    ]);
  });

  it('exits 2 with a message for an unreadable or unusable input, and on usage errors', () => {
    const missing = cli('probes', '--disassembly', join(dir, 'nope'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope: ENOENT/);
    const file = join(dir, 'junk.txt');
    writeFileSync(file, 'not a disassembly\n');
    const junk = cli('probes', '--disassembly', file);
    assert.equal(junk.status, 2);
    assert.match(junk.stderr, /junk\.txt:1:1: no disassembled function/);
    assert.equal(cli('probes', '--disassembly', file, '--format', 'xml').status, 2);
    const rec = cli('record', '--disassembly', file);
    assert.equal(rec.status, 2);
    assert.match(rec.stderr, /record needs -- COMMAND/);
  });
});
