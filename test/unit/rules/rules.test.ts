// Each rule's error and warning branches, and the orderings that must not
// be flagged, on small traces written for the case.

import { strict as assert } from 'node:assert';
import { analyze, summary } from '../helpers';

const SPIN = '!lock _minor_lock spin';
const MUTEX = '!lock _minor_lock mutex';

describe('DMR1 publish-before-init', () => {
  const create = ['c/1 md_alloc md=md0', 'c/1 mutex_lock lock=_minor_lock', 'c/1 idr_get_new idr=I minor=0 ptr=md0', 'c/1 mutex_unlock lock=_minor_lock'];
  const lookup = ['l/2 mutex_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 mutex_unlock lock=_minor_lock'];

  it('is an error when another task finds the device before it is initialised', () => {
    const a = analyze(MUTEX, ...create, ...lookup, 'c/1 md_init_done md=md0');
    assert.deepEqual(summary(a), ['DMR1 error 4']);
    const f = a.findings[0];
    assert.equal(f.md, 'md0');
    assert.deepEqual(f.fixedBy, ['01', '02']);
    assert.deepEqual(f.related.map((e) => a.trace.line[e]).sort(), [7, 9]);
    assert.match(f.message, /finds it at line 7 before initialisation completes/);
  });

  it('is a warning when no lookup reads the early store', () => {
    assert.deepEqual(summary(analyze(MUTEX, ...create, 'c/1 md_init_done md=md0')), ['DMR1 warning 4']);
  });

  it('is a warning when the only lookup is ordered after md_init_done', () => {
    const a = analyze(MUTEX, ...create, 'c/1 md_init_done md=md0', 'c/1 mutex_lock lock=_minor_lock', 'c/1 mutex_unlock lock=_minor_lock', ...lookup);
    assert.deepEqual(summary(a), ['DMR1 warning 4']);
  });

  it('ignores the MINOR_ALLOCED placeholder, NULL, and stores after initialisation', () => {
    const a = analyze(
      'c/1 md_alloc md=md0',
      'c/1 idr_get_new idr=I minor=0 ptr=MINOR_ALLOCED',
      'c/1 idr_replace idr=I minor=1 ptr=NULL old=MINOR_ALLOCED',
      'c/1 md_init_done md=md0',
      'c/1 idr_replace idr=I minor=0 ptr=md0 old=MINOR_ALLOCED',
      'l/2 idr_find idr=I minor=0 ret=md0',
    );
    assert.deepEqual(summary(a), []);
  });

  it('flags idr_replace of a real object before init like idr_get_new', () => {
    assert.deepEqual(summary(analyze('c/1 idr_replace idr=I minor=0 ptr=md0 old=MINOR_ALLOCED', 'l/2 idr_find idr=I minor=0 ret=md0', 'c/1 md_init_done md=md0')), ['DMR1 error 1']);
  });

  it('does not count a find by the creating task itself', () => {
    assert.deepEqual(summary(analyze('c/1 idr_get_new idr=I minor=0 ptr=md0', 'c/1 idr_find idr=I minor=0 ret=md0', 'c/1 md_init_done md=md0')), ['DMR1 warning 1']);
  });

  it('gives a witness in which the find runs between the store and md_init_done', () => {
    const a = analyze(MUTEX, ...create, ...lookup, 'c/1 md_init_done md=md0');
    const order = a.findings[0].witness.filter((s) => s.event !== undefined).map((s) => a.trace.eventName(s.event as number));
    assert.ok(order.indexOf('idr_get_new') < order.indexOf('idr_find'));
    assert.ok(order.indexOf('idr_find') < order.indexOf('md_init_done'));
  });
});

describe('DMR2 stale-lookup-get', () => {
  const lookupThenGet = ['l/2 mutex_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 mutex_unlock lock=_minor_lock', 'l/2 dm_get md=md0 holders=2'];

  it('is an error when a final put of another task is concurrent with the dm_get', () => {
    const a = analyze(MUTEX, ...lookupThenGet, 'r/3 dm_put md=md0 holders=0');
    assert.deepEqual(summary(a), ['DMR2 error 5']);
    assert.deepEqual(a.findings[0].fixedBy, ['04', '06']);
  });

  it('is an error when a free_dev of another task is concurrent', () => {
    assert.deepEqual(summary(analyze(MUTEX, ...lookupThenGet, 'r/3 free_dev md=md0')), ['DMR2 error 5']);
  });

  it('is an error for atomic_dec_and_lock ret=1 as the final put', () => {
    assert.deepEqual(summary(analyze(SPIN, 'l/2 spin_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 spin_unlock lock=_minor_lock', 'r/3 atomic_dec_and_lock md=md0 lock=_minor_lock holders=0 ret=1', 'l/2 dm_get md=md0 holders=1')), ['DMR2 error 6']);
  });

  it('is a warning when no final put or free is in the trace', () => {
    assert.deepEqual(summary(analyze(MUTEX, ...lookupThenGet, 'r/3 dm_put md=md0 holders=1')), ['DMR2 warning 5']);
  });

  it('is a warning when the final put is ordered after the dm_get', () => {
    const a = analyze(MUTEX, ...lookupThenGet, 'l/2 mutex_lock lock=_minor_lock', 'l/2 mutex_unlock lock=_minor_lock', 'r/3 mutex_lock lock=_minor_lock', 'r/3 dm_put md=md0 holders=0');
    assert.deepEqual(summary(a), ['DMR2 warning 5']);
  });

  it('does not flag a dm_get taken inside the critical section (patch 06)', () => {
    assert.deepEqual(summary(analyze(SPIN, 'l/2 spin_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 dm_get md=md0 holders=2', 'l/2 spin_unlock lock=_minor_lock', 'r/3 dm_put md=md0 holders=0')), []);
  });

  it('does not flag a dm_get of another device, or one with no lookup before it', () => {
    assert.deepEqual(summary(analyze(MUTEX, 'l/2 mutex_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 mutex_unlock lock=_minor_lock', 'l/2 dm_get md=md1 holders=2', 'x/4 dm_get md=md0 holders=3')), []);
  });

  it('ignores a final put by the looking task itself', () => {
    assert.deepEqual(summary(analyze(MUTEX, 'l/2 dm_put md=md0 holders=0', ...lookupThenGet)), ['DMR2 warning 6']);
  });

  it('reports each dm_get once, even with a put and a free both concurrent', () => {
    const a = analyze(MUTEX, ...lookupThenGet, 'r/3 dm_put md=md0 holders=0', 'r/3 free_dev md=md0');
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0].related.length, 4);
  });
});

describe('DMR3 open-while-freeing', () => {
  it('is an error when the open path is concurrent with free_dev of another task', () => {
    const a = analyze('r/3 dm_put md=md0 holders=0', 'o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 dm_get md=md0 holders=1', 'r/3 free_dev md=md0');
    assert.deepEqual(summary(a), ['DMR3 error 2']);
    assert.deepEqual(a.findings[0].fixedBy, ['05']);
  });

  it('is an error when the open takes a reference concurrent with the final put', () => {
    assert.deepEqual(summary(analyze('r/3 dm_put md=md0 holders=0', 'o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 dm_get md=md0 holders=1')), ['DMR3 error 2']);
  });

  it('has no warning branch: nothing to report when nobody frees the device', () => {
    assert.deepEqual(summary(analyze('o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 dm_get md=md0 holders=2', 'o/4 dm_blk_close md=md0 disk=dm-0')), []);
  });

  it('does not flag an open ordered before the free through the lock (patch 05)', () => {
    const a = analyze(
      SPIN,
      'r/3 atomic_dec_and_lock md=md0 lock=_minor_lock holders=0 ret=1',
      'r/3 set_bit md=md0 flag=DMF_FREEING',
      'r/3 spin_unlock lock=_minor_lock',
      'o/4 spin_lock lock=_minor_lock',
      'o/4 dm_blk_open md=md0 disk=dm-0',
      'o/4 test_bit md=md0 flag=DMF_FREEING ret=1',
      'o/4 spin_unlock lock=_minor_lock',
      'r/3 spin_lock lock=_minor_lock',
      'r/3 spin_unlock lock=_minor_lock',
      'r/3 free_dev md=md0',
    );
    assert.deepEqual(summary(a), []);
  });

  it('stops the open path at dm_blk_close', () => {
    const a = analyze('o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 dm_blk_close md=md0 disk=dm-0', 'o/4 spin_unlock lock=L', 'r/3 spin_lock lock=L', 'o/4 md_access md=md0 field=x', 'r/3 free_dev md=md0');
    // the open and close are before the free; the access after the close is not part of the open path
    assert.deepEqual(summary(a), []);
  });

  it('ends the open path at the task\'s next open of the device, and runs an open never closed to the task\'s end', () => {
    const first = ['o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 dm_get md=md0 holders=1', 'o/4 dm_blk_open md=md0 disk=dm-0', 'o/4 spin_unlock lock=L', 'r/3 spin_lock lock=L'];
    // the free comes after the first path's end (the second open), but is concurrent with the second open's dm_get
    const a = analyze(...first, 'o/4 dm_get md=md0 holders=2', 'r/3 free_dev md=md0');
    assert.deepEqual(summary(a), ['DMR3 error 3']);
    assert.equal(a.trace.line[a.findings[0].related[0]], 6, 'the dm_get of the open never closed');
    // closed before the hand-off: nothing races
    assert.deepEqual(summary(analyze(...first.slice(0, 3), 'o/4 dm_get md=md0 holders=2', 'o/4 dm_blk_close md=md0 disk=dm-0', 'o/4 spin_unlock lock=L', 'r/3 spin_lock lock=L', 'r/3 free_dev md=md0')), []);
  });
});

describe('DMR4 sleep-in-atomic', () => {
  it('flags idr_pre_get and kmalloc with GFP_KERNEL, and mutex_lock, under a spinlock: once per held section', () => {
    const a = analyze(
      SPIN,
      'c/1 spin_lock lock=_minor_lock', 'c/1 idr_pre_get idr=I gfp=GFP_KERNEL', 'c/1 kmalloc obj=x gfp=GFP_KERNEL|__GFP_ZERO', 'c/1 mutex_lock lock=M', 'c/1 spin_unlock lock=_minor_lock',
      'c/1 spin_lock lock=_minor_lock', 'c/1 mutex_lock lock=M2', 'c/1 spin_unlock lock=_minor_lock',
    );
    assert.deepEqual(summary(a), ['DMR4 error 3', 'DMR4 error 8']);
    assert.deepEqual(a.findings[0].fixedBy, ['03']);
    assert.match(a.findings[0].message, /holds spinlock _minor_lock \(taken by spin_lock at line 2\); 2 more sleeping calls follow in this section \(up to line 5\)$/);
    assert.match(a.findings[1].message, /^mutex_lock lock=M2 may sleep, .*\(taken by spin_lock at line 7\)$/);
  });

  it('flags a sleep under the lock that atomic_dec_and_lock took', () => {
    assert.deepEqual(summary(analyze('c/1 atomic_dec_and_lock md=md0 lock=_minor_lock holders=0 ret=1', 'c/1 kmalloc obj=x gfp=GFP_KERNEL')), ['DMR4 error 2']);
  });

  it('does not flag non-sleeping allocations, sleeping locks, or calls after the unlock', () => {
    const a = analyze(
      'c/1 spin_lock lock=S',
      'c/1 idr_pre_get idr=I gfp=GFP_ATOMIC',
      'c/1 kmalloc obj=x',
      'c/1 spin_unlock lock=S',
      'c/1 idr_pre_get idr=I gfp=GFP_KERNEL',
      'c/1 mutex_lock lock=M',
      'c/1 kmalloc obj=y gfp=GFP_KERNEL',
      'c/1 atomic_dec_and_lock md=md0 lock=S holders=1 ret=0',
      'c/1 kmalloc obj=z gfp=GFP_KERNEL',
    );
    assert.deepEqual(summary(a), []);
  });

  it('follows the lock kind declared by !lock for atomic_dec_and_lock', () => {
    assert.deepEqual(summary(analyze('!lock L mutex', 'c/1 atomic_dec_and_lock md=md0 lock=L holders=0 ret=1', 'c/1 kmalloc obj=x gfp=GFP_KERNEL')), []);
  });

  it('does not count a spinlock held by another task', () => {
    assert.deepEqual(summary(analyze('a/1 spin_lock lock=S', 'b/2 kmalloc obj=x gfp=GFP_KERNEL')), []);
  });
});

describe('DMR5 module-unload-in-use', () => {
  it('flags a successful delete_module while a device is alive', () => {
    const a = analyze('c/1 md_alloc md=md0', 'c/1 md_alloc md=md1', 'c/1 free_dev md=md1', 'c/1 spin_unlock lock=L', 'r/2 spin_lock lock=L', 'r/2 delete_module mod=dm_mod ret=0', 'r/2 module_exit mod=dm_mod');
    assert.deepEqual(summary(a), ['DMR5 error 6']);
    assert.equal(a.findings[0].md, 'md0');
    assert.deepEqual(a.findings[0].related.map((e) => a.trace.line[e]), [1]);
  });

  it('flags a module_exit with no delete_module before it in its task', () => {
    assert.deepEqual(summary(analyze('c/1 md_alloc md=md0', 'k/2 module_exit mod=dm_mod')), ['DMR5 error 2']);
  });

  it('does not flag a refused unload, or an unload after every device was freed', () => {
    const a = analyze('c/1 md_alloc md=md0', 'r/2 delete_module mod=dm_mod ret=-EBUSY', 'c/1 free_dev md=md0', '!hb c/1:2 -> r/3:1', 'r/3 delete_module mod=dm_mod ret=0');
    assert.deepEqual(summary(a), []);
  });

  it('counts the allocations ordered before the unload, also through an !hb edge pointing backwards', () => {
    // md0 comes after the unload in its task; md1, later in the file, before it by the !hb edge
    const a = analyze('r/2 delete_module mod=dm_mod ret=0', 'r/2 md_alloc md=md0', 'k/3 md_alloc md=md1', '!hb k/3:1 -> r/2:1');
    assert.deepEqual(summary(a), ['DMR5 error 1']);
    assert.deepEqual(a.findings[0].related.map((e) => a.trace.line[e]), [3]);
  });

  it('flags an unload concurrent with the free (the predictive case)', () => {
    assert.deepEqual(summary(analyze('c/1 md_alloc md=md0', 'c/1 free_dev md=md0', 'r/2 delete_module mod=dm_mod ret=0')), ['DMR5 error 3']);
  });
});

describe('DMR6 register-before-init', () => {
  const create = ['c/1 md_alloc md=md0', 'c/1 add_disk md=md0 disk=dm-0'];
  it('is an error when udev opens through the uevent before md_init_done', () => {
    const a = analyze(...create, 'u/2 uevent_recv disk=dm-0 action=add', 'u/2 dm_blk_open md=md0 disk=dm-0', 'c/1 md_init_done md=md0');
    assert.deepEqual(summary(a), ['DMR6 error 2']);
    assert.deepEqual(a.findings[0].fixedBy, ['08']);
  });

  it('is a warning when no open comes through the uevent', () => {
    assert.deepEqual(summary(analyze(...create, 'u/2 dm_blk_open md=md0 disk=dm-0', 'c/1 md_init_done md=md0')), ['DMR6 warning 2']);
  });

  it('is a warning when the open is ordered after md_init_done', () => {
    assert.deepEqual(summary(analyze(...create, 'c/1 md_init_done md=md0', 'c/1 uevent disk=dm-0 action=change', 'u/2 uevent_recv disk=dm-0 action=add', 'u/2 uevent_recv disk=dm-0 action=change', 'u/2 dm_blk_open md=md0 disk=dm-0')), ['DMR6 warning 2']);
  });

  it('does not flag add_disk after md_init_done (patch 08)', () => {
    assert.deepEqual(summary(analyze('c/1 md_alloc md=md0', 'c/1 md_init_done md=md0', 'c/1 add_disk md=md0 disk=dm-0', 'u/2 uevent_recv disk=dm-0 action=add', 'u/2 dm_blk_open md=md0 disk=dm-0')), []);
  });
});

describe('findings', () => {
  it('keep devices apart in one trace', () => {
    const a = analyze(
      'c/1 idr_get_new idr=I minor=0 ptr=md0',
      'c/1 idr_get_new idr=I minor=1 ptr=md1',
      'l/2 idr_find idr=I minor=1 ret=md1',
      'c/1 md_init_done md=md0',
      'c/1 md_init_done md=md1',
    );
    assert.deepEqual(a.findings.map((f) => `${f.rule} ${f.severity} ${f.md}`), ['DMR1 warning md0', 'DMR1 error md1']);
  });

  it('carry a window, a witness, a consequence and the closing patches', () => {
    const a = analyze(MUTEX, 'l/2 mutex_lock lock=_minor_lock', 'l/2 idr_find idr=I minor=0 ret=md0', 'l/2 mutex_unlock lock=_minor_lock', 'l/2 dm_get md=md0 holders=1', 'r/3 dm_put md=md0 holders=0');
    const f = a.findings[0];
    assert.equal(f.window.length, 2);
    assert.ok(f.witness.length >= 4);
    const order = f.witness.map((s) => s.event);
    assert.ok(order.indexOf(5) < order.indexOf(4), 'the final put runs before the resurrecting dm_get');
    assert.match(f.consequence, /resurrection/);
  });

  it('mark a finding whose window spans lost events as uncertain', async () => {
    const { TraceBuilder } = await import('../../../extension/core/trace/builder');
    const { analyzeTrace } = await import('../../../extension/core/analyze');
    const b = new TraceBuilder('ftrace');
    const s = b.strings;
    const ev = (task: string, name: string, ...kv: string[]) => b.addEvent(0, 0, b.taskId(task, 0), s.intern(name), b.eventCount + 1, kv.map((x) => s.intern(x)), kv.length / 2);
    ev('c/1', 'idr_get_new', 'ptr', 'md0');
    b.gaps.push({ cpu: 0, lost: 12, line: 2, beforeEvent: 1 });
    ev('c/1', 'md_init_done', 'md', 'md0');
    const a = analyzeTrace(b.finish());
    assert.equal(a.findings[0].uncertain, true);
  });
});

describe('DMR5 with many live devices', () => {
  it('names the first five in the message and relates every allocation', () => {
    const allocs = Array.from({ length: 12 }, (_, k) => `c/1 md_alloc md=md${k}`);
    const a = analyze(...allocs, 'r/2 delete_module mod=dm_mod ret=0');
    assert.equal(a.findings.length, 1);
    assert.match(a.findings[0].message, /while md0, md1, md2, md3, md4 and 7 more are alive \(allocated at line 1, line 2, line 3, line 4, line 5 and 7 more,/);
    assert.equal(a.findings[0].related.length, 12);
  });
});
