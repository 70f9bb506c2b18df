// The probe kit's output formats (tracefs, perf, bpftrace) for the synthetic
// disassembly, with and without the target's kallsyms, and for a function
// whose site the compiler split off into a .cold part.

import { strict as assert } from 'node:assert';
import { deriveProbes, parseKallsyms, renderBpftrace, renderPerf, renderTracefs } from '../../../extension/core/probes';
import { inventedModule, KALLSYMS, lineOf, objdumpText } from './fixture';

describe('probe kit: rendering', () => {
  const set = deriveProbes(objdumpText(inventedModule()));
  const kallsyms = parseKallsyms(KALLSYMS);

  it('tracefs: definitions, filters and the header; addresses from kallsyms when given, placeholders when not', () => {
    const withAddresses = renderTracefs(set, kallsyms);
    assert.match(withAddresses, /^# !alias 0xffffffffc0a40100=dm_mod$/m);
    assert.match(withAddresses, /^# filter dmrl\/module_put_0 mod == 0xffffffffc0a40100$/m);
    assert.match(withAddresses, /^# !lock _minor_lock spin$/m);
    assert.match(withAddresses, /^# enable syscalls\/sys_exit_wait4 ret > 0$/m);
    const symbolic = renderTracefs(set);
    assert.match(symbolic, /^# !alias @__this_module\[dm_mod\]=dm_mod$/m);
    // everything that is not a definition is a comment: the text can be written to kprobe_events as it is
    for (const line of symbolic.trimEnd().split('\n')) assert.ok(line.startsWith('#') || /^[pr]:dmrl\/\w+ \S+( \S+)*$/.test(line), line);
  });

  it('perf and bpftrace carry every probe and the header', () => {
    const perf = renderPerf(set, kallsyms);
    assert.match(perf, /^perf probe -q -m dm_mod -a 'dmrl:idr_find_0=dm_lookup\+35 idr=\\"_minor_idr":string minor=%bp:s32 ret=%ax:x64'$/m);
    assert.match(perf, /-e dmrl:module_put_0 --filter 'mod == 0xffffffffc0a40100'/);
    const bt = renderBpftrace(set, kallsyms);
    assert.match(bt, /^kprobe:dm_lookup\+35 \{ printf\("%llu %d %d %s idr_find_0 idr=_minor_idr minor=%d ret=0x%lx\\n", nsecs, cpu, tid, comm, \(int32\)reg\("bp"\), reg\("ax"\)\); \}$/m);
    assert.match(bt, /^kprobe:dm_get\+12 \{ .* holders=%d\\n", nsecs, cpu, tid, comm, reg\("di"\), \(int32\)\*\(int32 \*\)\(reg\("di"\) \+ 0x48\)\); \}$/m);
    assert.match(bt, /printf\("%s\\n", "# !alias 0xffffffffc0a40100=dm_mod"\)/);
  });
});

describe('probe kit: compiler-split .cold parts', () => {
  const fns = [
    ...inventedModule(),
    {
      name: 'dev_status.cold',
      section: '.text.unlikely',
      body: [
        [7, 'mov    $0x0,%rdi', 'R_X86_64_32S\t.data+0x80'],
        [5, 'call   @next', 'R_X86_64_PLT32\tup_read-0x4'],
        [5, 'jmp    @next', 'R_X86_64_PC32\t.text+0x1fc'],
      ] as [number, string, string?][],
    },
  ];
  const set = deriveProbes(objdumpText(fns));

  it('tracefs probes a site in a .cold part by its own symbol', () => {
    assert.equal(lineOf(set, 'up_read_1'), 'p:dmrl/up_read_1 dm_mod:dev_status.cold+0x7 lock=\\"_hash_lock":string');
  });

  it('perf defines it through tracefs; bpftrace says it leaves it out', () => {
    assert.match(renderPerf(set), /^printf '%s\\n' 'p:dmrl\/up_read_1 dm_mod:dev_status\.cold\+0x7 lock=\\"_hash_lock":string' >> \/sys\/kernel\/tracing\/kprobe_events$/m);
    assert.match(renderPerf(set), /-e dmrl:up_read_1 /);
    const bt = renderBpftrace(set);
    assert.match(bt, /^\/\/ bpftrace cannot name a \.cold part: up_read_1 \(dm_mod:dev_status\.cold\+0x7\) are left out;$/m);
    assert.doesNotMatch(bt, /^kprobe:dev_status\.cold/m);
  });
});
