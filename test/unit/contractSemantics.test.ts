// The semantics of the revised contract (README.md, "The trace format in short", and docs/rules.md) on small traces:
// task identity by pid, pointer spellings, object incarnations, reader-writer
// semaphores, sleeping gfp masks, task and module edges, `!owner`, DMR1 on a
// device never initialised, DMR2's first get, anonymous locks, `!hb` self-loops.

import { strict as assert } from 'node:assert';
import { analyzeText } from '../../extension/core/analyze';
import { HappensBefore } from '../../extension/core/hb/happensBefore';
import { toPerfetto } from '../../extension/core/report/perfetto';
import { gfpMaySleep, gfpMaySleepAtAll } from '../../extension/core/rules/maySleep';
import { parseTrace } from '../../extension/core/trace/parse';
import { canonicalPointer } from '../../extension/core/trace/vocabulary';
import { analyze, summary, trace } from './helpers';

function hbOf(...lines: string[]) {
  const t = parseTrace(trace(...lines));
  return { t, hb: new HappensBefore(t) };
}

describe('task identity by pid', () => {
  it('keeps one task for a pid whose comm the recorder did not know at first', () => {
    const { t, hb } = hbOf('<...>/42 md_access md=m', 'x/7 md_access md=m', 'dmsetup/42 md_access md=m', ':-1/42 md_access md=m');
    assert.deepEqual(t.tasks.map((k) => k.name), ['dmsetup/42', 'x/7']);
    assert.deepEqual(Array.from(t.seq), [1, 1, 2, 3]);
    assert.ok(hb.happensBefore(0, 3), 'program order runs through every spelling of the task');
  });

  it('keeps the first known comm across an exec', () => {
    const { t } = hbOf('bash/9 task_fork child=10', 'bash/10 md_access md=m', 'dmsetup/10 md_access md=m');
    assert.deepEqual(t.tasks.map((k) => k.name), ['bash/9', 'bash/10']);
    assert.equal(t.taskName(2), 'bash/10');
  });

  it('keeps the idle tasks of the cpus (pid 0) apart', () => {
    const { t } = hbOf('swapper/0/0 md_access md=m', 'swapper/1/0 md_access md=m');
    assert.deepEqual(t.tasks.map((k) => k.name), ['swapper/0/0', 'swapper/1/0']);
  });

  it('resolves !hb by pid, whatever comm it writes', () => {
    const a = analyzeText(trace('a/1 md_access md=m', 'b/2 md_access md=m', '!hb renamed/1:1 -> b/2:1'));
    assert.deepEqual(a.diagnostics, []);
    assert.ok(a.hb.happensBefore(0, 1));
  });
});

describe('pointer spellings', () => {
  it('reads MINOR_ALLOCED and NULL in every recorder spelling', () => {
    for (const v of ['0xffffffffffffffff', '0xFFFFFFFFFFFFFFFF', '-1', 'MINOR_ALLOCED']) assert.equal(canonicalPointer(v), 'MINOR_ALLOCED', v);
    for (const v of ['0', '0x0', '(nil)', 'NULL']) assert.equal(canonicalPointer(v), 'NULL', v);
    assert.equal(canonicalPointer('md0'), 'md0');
  });

  it('links a find to the store of the placeholder however each one spells it', () => {
    const { hb } = hbOf('c/1 idr_get_new idr=I minor=0 ptr=-1', 'l/2 idr_find idr=I minor=0 ret=0xffffffffffffffff', 'c/1 idr_replace idr=I minor=1 ptr=0', 'l/2 idr_find idr=I minor=1 ret=(nil)');
    assert.deepEqual(hb.incoming(1).map((e) => `${e.kind} ${e.from}`), ['reads-from 0']);
    assert.deepEqual(hb.incoming(3).map((e) => `${e.kind} ${e.from}`), ['reads-from 2']);
  });

  it('never takes a spelt placeholder or NULL for a device that DMR1 could flag', () => {
    const a = analyze(
      'c/1 md_alloc md=md0',
      'c/1 idr_get_new idr=I minor=0 ptr=0xffffffffffffffff',
      'c/1 idr_replace idr=I minor=1 ptr=(nil) old=-1',
      'c/1 idr_get_new idr=I minor=2 ptr=0x0',
      'c/1 md_init_done md=md0',
      'c/1 idr_replace idr=I minor=0 ptr=md0 old=-1',
    );
    assert.deepEqual(summary(a), []);
  });
});

describe('object incarnations (address reuse)', () => {
  const first = ['a/1 md_alloc md=X', 'a/1 md_init_done md=X', 'a/1 dm_put md=X holders=0', 'a/1 free_dev md=X'];
  const lookup = ['!lock L spin', 'b/2 spin_lock lock=L', 'b/2 idr_find idr=I minor=0 ret=X', 'b/2 spin_unlock lock=L', 'b/2 dm_get md=X holders=1'];

  it('names the second incarnation X#2 in the events and the findings', () => {
    const a = analyze(...first, 'b/2 md_alloc md=X', 'b/2 md_init_done md=X', ...lookup);
    assert.deepEqual(summary(a), ['DMR2 warning 11'], 'the first incarnation\'s free does not race with a get of the second');
    assert.equal(a.findings[0].md, 'X#2');
    assert.equal(a.trace.arg(a.trace.eventAtLine(9), 'ret'), 'X#2');
    assert.equal(a.trace.arg(a.trace.eventAtLine(4), 'md'), 'X', 'the free belongs to the first');
  });

  it('keeps a stale use between the free and the next md_alloc with the freed object', () => {
    const a = analyze(...first, ...lookup, 'b/2 md_alloc md=X', 'c/3 md_alloc md=X', 'c/3 free_dev md=X', 'c/3 md_alloc md=X');
    assert.deepEqual(summary(a), ['DMR2 error 9']);
    assert.equal(a.findings[0].md, 'X');
    assert.deepEqual(['b/2', 'c/3', 'c/3', 'c/3'].map((_, k) => a.trace.arg(a.trace.eventAtLine(10 + k), 'md')), ['X#2', 'X#2', 'X#2', 'X#3']);
  });

  it('renames the pointer a store publishes and a find returns', () => {
    const a = analyze(...first, 'b/2 md_alloc md=X', 'b/2 idr_get_new idr=I minor=0 ptr=X', 'l/3 idr_find idr=I minor=0 ret=X', 'b/2 md_init_done md=X');
    assert.deepEqual(summary(a), ['DMR1 error 6']);
    assert.equal(a.findings[0].md, 'X#2');
  });

  it('follows time order in a time-ordered format (bpftrace), file order elsewhere', () => {
    // the free is printed after the new md_alloc but happened before it
    const lines = ['300 1 10 b md_alloc md=X', '200 0 11 a free_dev md=X', '400 1 10 b md_access md=X field=map'];
    const bpf = parseTrace(lines.join('\n'), { format: 'bpftrace' });
    assert.deepEqual(Array.from({ length: bpf.length }, (_, i) => bpf.describe(i)), ['free_dev md=X', 'md_alloc md=X#2', 'md_access md=X#2 field=map']);
    const native = parseTrace(trace('b/10 md_alloc md=X', 'a/11 free_dev md=X', 'b/10 md_access md=X field=map'));
    assert.deepEqual(Array.from({ length: native.length }, (_, i) => native.describe(i)), ['md_alloc md=X', 'free_dev md=X', 'md_access md=X field=map']);
  });

  it('counts a live later incarnation, not the freed one, for DMR5', () => {
    const a = analyze('a/1 md_alloc md=X', 'a/1 free_dev md=X', 'a/1 md_alloc md=X', 'a/1 module_put mod=dm_mod count=0', 'r/2 delete_module mod=dm_mod ret=0');
    assert.deepEqual(summary(a), ['DMR5 error 5']);
    assert.equal(a.findings[0].md, 'X#2');
  });
});

describe('reader-writer semaphores', () => {
  it('hands an up_write to the readers up to the next down_write, and every up_read to that down_write', () => {
    const { hb } = hbOf(
      'w/1 down_write lock=S', // 0
      'w/1 up_write lock=S', // 1
      'r/2 down_read lock=S', // 2
      'r/3 down_read lock=S', // 3
      'r/2 up_read lock=S', // 4
      'r/3 up_read lock=S', // 5
      'w/4 down_write lock=S', // 6
      'r/5 down_read lock=S', // 7
    );
    assert.ok(hb.happensBefore(1, 2) && hb.happensBefore(1, 3));
    assert.ok(hb.concurrent(4, 5), 'readers do not order each other');
    assert.ok(hb.happensBefore(4, 6) && hb.happensBefore(5, 6));
    assert.ok(hb.concurrent(6, 7), 'a reader after the next down_write gets nothing from the old up_write');
    assert.deepEqual(hb.incoming(6).map((e) => `${e.kind} ${e.from} ${e.via}`).sort(), ['lock 1 S', 'lock 4 S', 'lock 5 S']);
  });

  it('is a sleeping lock (DMR4) and a held lock (DMR2)', () => {
    for (const sleeping of ['down_read', 'down_write']) {
      assert.deepEqual(summary(analyze('!lock L spin', 'a/1 spin_lock lock=L', `a/1 ${sleeping} lock=S`)), ['DMR4 error 3'], sleeping);
    }
    const a = analyze('l/2 down_read lock=_hash_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 up_read lock=_hash_lock', 'l/2 dm_get md=md0 holders=2');
    assert.deepEqual(summary(a), ['DMR2 warning 4']);
    assert.match(a.findings[0].message, /dropped _hash_lock/);
  });
});

describe('sleeping gfp masks', () => {
  it('reads named masks and flags', () => {
    for (const gfp of ['GFP_KERNEL', 'GFP_KERNEL_ACCOUNT', 'GFP_NOIO', 'GFP_NOFS', 'GFP_USER', 'GFP_HIGHUSER', 'GFP_HIGHUSER_MOVABLE', 'GFP_NOIO|__GFP_HIGH', '__GFP_DIRECT_RECLAIM|__GFP_NOWARN', '__GFP_RECLAIM', 'GFP_KERNEL|__GFP_ZERO']) {
      assert.ok(gfpMaySleep(gfp), gfp);
    }
    for (const gfp of ['GFP_ATOMIC', 'GFP_NOWAIT', 'GFP_NOWAIT|__GFP_NOWARN', '__GFP_HIGH', 'GFP_WHATEVER']) assert.ok(!gfpMaySleep(gfp), gfp);
  });

  it('reads numbers by the direct-reclaim bit', () => {
    for (const gfp of ['0xcc0', '3264', '0x400', '0xc00|0x100']) assert.ok(gfpMaySleep(gfp), gfp);
    for (const gfp of ['0xa20', '0x820', '0', '0x20']) assert.ok(!gfpMaySleep(gfp), gfp);
    assert.ok(gfpMaySleep('0xd0', 0x10), 'a setting gives another bit (2.6 kernels: __GFP_WAIT 0x10)');
  });

  it('says which masks may sleep for some value of the reclaim bit (the held-lock walk keeps only those)', () => {
    for (const gfp of ['GFP_KERNEL', '0x20', '3264', 'GFP_ATOMIC|0x1']) assert.ok(gfpMaySleepAtAll(gfp), gfp);
    for (const gfp of ['GFP_ATOMIC', 'GFP_NOWAIT|__GFP_NOWARN', '0', '0x0']) assert.ok(!gfpMaySleepAtAll(gfp), gfp);
  });

  it('decides DMR4 for allocations under a spinlock', () => {
    const under = (gfp: string) => summary(analyze('!lock L spin', 'a/1 spin_lock lock=L', `a/1 kmalloc obj=o gfp=${gfp}`));
    assert.deepEqual(under('GFP_NOIO'), ['DMR4 error 3']);
    assert.deepEqual(under('0xcc0'), ['DMR4 error 3']);
    assert.deepEqual(under('GFP_ATOMIC'), []);
    assert.deepEqual(under('GFP_NOWAIT'), []);
  });
});

describe('task life and module release edges', () => {
  it('orders a fork before the child and the child\'s last event before the wait that reaps it', () => {
    const { hb } = hbOf('sh/10 md_access md=m', 'sh/10 task_fork child=20', 'dmsetup/20 md_access md=m', 'dmsetup/20 task_exit', 'sh/10 task_wait ret=20', 'sh/10 md_access md=m');
    assert.ok(hb.happensBefore(0, 2), 'the parent\'s earlier events come before the child');
    assert.ok(hb.happensBefore(2, 5), 'the child\'s events come before what the parent does after the wait');
    assert.deepEqual(hb.incoming(2).map((e) => `${e.kind} ${e.via}`), ['task 20']);
    assert.deepEqual(hb.incoming(4).map((e) => `${e.kind} ${e.from}`), ['task 3']);
  });

  it('reads a pid printed in hex, and adds no edge against the trace order', () => {
    const { hb } = hbOf('c/20 md_access md=m', 'p/10 task_fork child=20', 'p/10 task_wait ret=0x14');
    assert.deepEqual(hb.incoming(0), [], 'the child ran before the fork in this trace: no backward edge');
    assert.deepEqual(hb.incoming(2).map((e) => `${e.kind} ${e.from}`), ['task 0']);
  });

  it('orders a module_put before the next successful delete_module of that module', () => {
    const { hb } = hbOf('a/1 module_put mod=dm_mod count=0', 'b/2 delete_module mod=dm_mod ret=-16', 'c/3 module_put mod=dm_zero count=0', 'r/4 delete_module mod=dm-mod ret=0', 'd/5 module_put mod=dm_mod count=0');
    assert.ok(hb.concurrent(0, 1), 'a refused unload checked nothing');
    assert.ok(hb.happensBefore(0, 3));
    assert.ok(hb.concurrent(2, 3), 'another module');
    assert.ok(hb.concurrent(4, 3), 'a put after the unload');
  });

  it('lets the module release order a device\'s free before the unload (no DMR5)', () => {
    const a = analyze('a/1 md_alloc md=md0', 'a/1 free_dev md=md0', 'a/1 module_put mod=dm_mod count=0', 'r/2 delete_module mod=dm_mod ret=0');
    assert.deepEqual(summary(a), []);
  });
});

describe('!owner and DMR5', () => {
  const alive = 'a/1 md_alloc md=md0';

  it('reports only unloads of the owning module (dm_mod by default)', () => {
    assert.deepEqual(summary(analyze(alive, 'r/2 delete_module mod=dm_zero ret=0', 'r/2 module_exit mod=dm_zero')), []);
    assert.deepEqual(summary(analyze(alive, 'r/2 delete_module mod=dm-mod ret=0')), ['DMR5 error 2']);
    assert.deepEqual(summary(analyze(alive, 'r/2 delete_module ret=0')), ['DMR5 error 2'], 'an unload that names no module may be the owner');
  });

  it('follows !owner from its line on', () => {
    const a = analyze('!owner dm_zero', alive, 'r/2 delete_module mod=dm_mod ret=0', 'r/2 delete_module mod=dm_zero ret=0');
    assert.deepEqual(summary(a), ['DMR5 error 4']);
    assert.deepEqual(summary(analyze(alive, 'r/2 delete_module mod=dm_zero ret=0', '!owner dm_zero')), []);
  });

  it('does not count an allocation after the unload (it belongs to the next load)', () => {
    assert.deepEqual(summary(analyze('r/2 delete_module mod=dm_mod ret=0', alive)), []);
  });

  it('survives the Perfetto export', () => {
    const a = analyze('!owner dm_zero', alive, 'r/2 delete_module mod=dm_mod ret=0', 'r/2 delete_module mod=dm_zero ret=0');
    const back = analyzeText(JSON.stringify(toPerfetto(a)));
    assert.deepEqual(back.findings.map((f) => `${f.rule} ${back.trace.eventName(f.primary)} ${back.trace.arg(f.primary, 'mod')}`), ['DMR5 delete_module dm_zero']);
  });

  it('reports a malformed !owner with its column', () => {
    const a = analyzeText('!owner\n!owner a b\n');
    assert.deepEqual(a.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`), ['1:1 !owner takes one module name: !owner MOD', '2:10 !owner takes one module name: !owner MOD']);
  });
});

describe('DMR2 pairs a find with its task\'s first dm_get', () => {
  it('takes a get while still holding the lock as the fixed pattern, and ignores later gets', () => {
    const a = analyze(
      '!lock L spin',
      'l/2 spin_lock lock=L',
      'l/2 idr_find idr=I minor=0 ret=md0',
      'l/2 dm_get md=md0 holders=2',
      'l/2 spin_unlock lock=L',
      'l/2 dm_get md=md0 holders=3',
      'c/1 dm_put md=md0 holders=0',
    );
    assert.deepEqual(summary(a), []);
  });
});

describe('DMR1 on a device never initialised', () => {
  const other = ['c/1 md_alloc md=md0', 'c/1 md_init_done md=md0'];
  const publish = ['c/1 md_alloc md=md1', 'c/1 idr_get_new idr=I minor=1 ptr=md1'];

  it('warns when the trace initialises some device but never this one', () => {
    const a = analyze(...other, ...publish, 'c/1 md_access md=md1');
    assert.deepEqual(summary(a), ['DMR1 warning 4']);
    assert.match(a.findings[0].message, /md_init_done of md1 never comes in this trace/);
  });

  it('is an error when another task reads the store', () => {
    assert.deepEqual(summary(analyze(...other, ...publish, 'l/2 idr_find idr=I minor=1 ret=md1')), ['DMR1 error 4']);
  });

  it('says nothing when the trace records no md_init_done at all', () => {
    assert.deepEqual(summary(analyze(...publish, 'l/2 idr_find idr=I minor=1 ret=md1')), []);
  });
});

describe('anonymous locks (lock events without a lock)', () => {
  it('count as held by nesting depth for DMR4', () => {
    const a = analyze('a/1 spin_lock', 'a/1 spin_lock', 'a/1 spin_unlock', 'a/1 kmalloc obj=o gfp=GFP_KERNEL', 'a/1 mutex_unlock', 'a/1 idr_pre_get idr=I gfp=GFP_KERNEL', 'a/1 spin_unlock', 'a/1 kmalloc obj=o gfp=GFP_KERNEL');
    assert.deepEqual(summary(a), ['DMR4 error 4'], 'still one level deep after the inner unlock; none after the outer one');
    assert.match(a.findings[0].message, /spinlock <anonymous> \(taken by spin_lock at line 1\); 1 more sleeping call follows in this section \(up to line 6\)/, 'a mutex_unlock does not end a spinlock');
  });

  it('are not held when the trace records no anonymous release of their kind (an inlined spin_unlock is invisible to the function tracer)', () => {
    assert.deepEqual(summary(analyze('a/1 spin_lock', 'a/1 kmalloc obj=o gfp=GFP_KERNEL', 'a/1 mutex_lock lock=M')), []);
    assert.deepEqual(summary(analyze('a/1 spin_lock', 'a/1 kmalloc obj=o gfp=GFP_KERNEL', 'b/2 spin_lock', 'b/2 spin_unlock')), ['DMR4 error 2'], 'a traced anonymous release makes them count');
    assert.deepEqual(summary(analyze('a/1 spin_lock lock=L', 'a/1 kmalloc obj=o gfp=GFP_KERNEL')), ['DMR4 error 2'], 'named locks are held as always');
  });

  it('hand nothing off', () => {
    const { hb } = hbOf('a/1 spin_unlock', 'b/2 spin_lock', 'a/1 mutex_unlock', 'b/2 mutex_lock');
    assert.ok(hb.concurrent(0, 1) && hb.concurrent(2, 3));
    assert.equal(hb.edgeCount, 0);
  });
});

describe('!hb self-loops', () => {
  it('are reported on their own and leave a legitimate backward edge in place', () => {
    const a = analyzeText(trace('a/1 md_access md=m', 'b/2 md_access md=m', '!hb a/1:1 -> a/1:1', '!hb b/2:1 -> a/1:1'));
    assert.deepEqual(a.diagnostics.map((d) => `${d.line} ${d.message}`), ['3 !hb edge from an event to itself orders nothing; ignored']);
    assert.ok(a.hb.happensBefore(1, 0));
  });
});
