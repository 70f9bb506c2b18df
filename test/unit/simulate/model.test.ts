// The model's semantics, one interleaving at a time: the schedule that opens
// each race's window faults before the patch that closes it and not after.

import { strict as assert } from 'node:assert';
import { PatchConfig } from '../../../extension/core/simulate/config';
import { Execution } from '../../../extension/core/simulate/execution';
import { scenarioNamed, SCENARIOS } from '../../../extension/core/simulate/scenarios';
import { matrixConfigs } from '../../../extension/core/simulate/config';

/** Runs `task` until it has executed the step at `marker` (or to its end when marker is null). */
function runTask(run: Execution, task: number, marker: string | null = null): void {
  while (run.isEnabled(task)) {
    run.step(task);
    if (marker !== null && run.machine.currentMarker === marker) return;
  }
  if (marker !== null) throw new Error(`task ${task} never reached ${marker}`);
}

function interleave(scenario: string, patches: string, plan: [number, string | null][]): Execution {
  const run = new Execution(scenarioNamed(scenario), PatchConfig.parse(patches));
  for (const [task, marker] of plan) runTask(run, task, marker);
  // A task that had to wait (udev for its uevent) runs once it can.
  for (let guard = 0; !run.finished && guard < 10; guard++) run.enabledTasks().forEach((t) => runTask(run, t));
  assert.ok(run.finished, 'every task ran to its end');
  return run;
}

const races = (run: Execution) => [...new Set(run.machine.faults.map((f) => `${f.race} ${f.kind}`))];
const events = (run: Execution) => run.machine.events.map((e) => `${e.name} ${e.args.map(([k, v]) => `${k}=${v}`).join(' ')}`);

describe('simulate: the model semantics', () => {
  it('runs every scenario serially without a fault, except the bugs that need no interleaving inside the model', () => {
    for (const config of matrixConfigs()) {
      for (const scenario of SCENARIOS) {
        for (const order of [[0, 1], [1, 0]]) {
          const run = interleave(scenario.name, config.name, order.map((t) => [t, null]));
          const expected: string[] = [];
          // rmmod after the create finished: nothing pins dm_mod without 07.
          if (scenario.name === 'rmmod-vs-device' && order[0] === 0 && !config.has('07')) expected.push('DMR5 module-gone');
          // The second creator refills the layer cache under the spinlock.
          if (scenario.name === 'create-vs-create' && config.has('04') && !config.has('03')) expected.push('DMR4 sleep-in-atomic');
          // The opener holds the gendisk from before the remove; without 05 private_data still names the freed md.
          if (scenario.name === 'open-vs-remove' && order[0] === 1 && !config.has('05')) expected.push('DMR3 use-after-free', 'DMR3 double-free');
          assert.deepEqual(races(run), expected, `${scenario.name} ${config.name} order ${order}`);
        }
      }
    }
  });

  it('DMR1: a lookup between the reservation and the memset reads garbage; 02 makes it see MINOR_ALLOCED', () => {
    const plan: [number, string | null][] = [[0, 'minor:unlock'], [1, null], [0, null]];
    const buggy = interleave('create-vs-lookup', 'none', plan);
    assert.deepEqual(races(buggy), ['DMR1 uninitialised-use']);
    assert.ok(events(buggy).includes('idr_find idr=_minor_idr minor=0 ret=md0'));
    const fixed = interleave('create-vs-lookup', '01-02', plan);
    assert.deepEqual(races(fixed), []);
    assert.ok(events(fixed).includes('idr_find idr=_minor_idr minor=0 ret=MINOR_ALLOCED'));
    assert.ok(events(fixed).includes('idr_replace idr=_minor_idr minor=0 ptr=md0 old=MINOR_ALLOCED'));
  });

  it('DMR2: a final put between the lookup and its dm_get resurrects md; with 06 the get happens under the lock', () => {
    const buggy = interleave('lookup-vs-remove', '01-05', [[0, 'find:unlock'], [1, 'put:dec'], [0, 'get_md:get'], [1, null], [0, null]]);
    assert.ok(races(buggy).includes('DMR2 refcount-resurrection'));
    assert.ok(races(buggy).includes('DMR2 double-free'), 'the lookup frees md a second time');
    const fixed = interleave('lookup-vs-remove', '01-06', [[0, 'find:unlock'], [1, null], [0, null]]);
    assert.deepEqual(races(fixed), []);
    assert.ok(events(fixed).includes('atomic_dec_and_lock md=md0 lock=_minor_lock holders=1 ret=0'), 'the remover only drops its own reference');
    assert.equal(events(fixed).filter((e) => e.startsWith('free_dev')).length, 1, 'freed once, by the lookup');
  });

  it('DMR3: an open after the final put revives md through private_data; 05 refuses it', () => {
    const buggy = interleave('open-vs-remove', '01-04', [[1, 'put:unlock'], [0, null], [1, null]]);
    assert.ok(races(buggy).includes('DMR3 refcount-resurrection'));
    const fixed = interleave('open-vs-remove', '01-05', [[1, 'put:unlock'], [0, null], [1, null]]);
    assert.deepEqual(races(fixed), []);
    assert.ok(events(fixed).includes('test_bit md=md0 flag=DMF_FREEING ret=1'));
    const cleared = interleave('open-vs-remove', '01-05', [[1, 'free:pd_unlock'], [0, null], [1, null]]);
    assert.ok(!events(cleared).some((e) => e.startsWith('dm_blk_open')), 'private_data is NULL: -ENXIO before any use');
  });

  it('DMR4: with 04 but not 03 the second create sleeps in idr_pre_get under the spinlock; 03 trades it for -EAGAIN', () => {
    const buggy = interleave('create-vs-create', '01-02+04', [[0, null], [1, null]]);
    assert.deepEqual(races(buggy), ['DMR4 sleep-in-atomic']);
    // Both preallocate before either takes the lock: the second idr_get_new finds the cache empty.
    const eagain = interleave('create-vs-create', '01-04', [[0, 'minor:pre_get'], [1, 'minor:pre_get'], [0, null], [1, null]]);
    assert.deepEqual(races(eagain), []);
    assert.equal(events(eagain).filter((e) => e.startsWith('idr_get_new')).length, 1, 'one create fails with -EAGAIN');
    assert.ok(events(eagain).includes('free_dev md=md1'), 'the failed create frees its md');
  });

  it('DMR5: rmmod after dmsetup closed the control device unloads under md0; 07 makes it -EBUSY', () => {
    const buggy = interleave('rmmod-vs-device', '01-06', [[0, null], [1, null]]);
    assert.deepEqual(races(buggy), ['DMR5 module-gone']);
    assert.ok(events(buggy).includes('delete_module mod=dm_mod ret=0'));
    const fixed = interleave('rmmod-vs-device', '01-07', [[0, null], [1, null]]);
    assert.deepEqual(races(fixed), []);
    assert.ok(events(fixed).includes('delete_module mod=dm_mod ret=-EBUSY'));
  });

  it('DMR6: udev opening on the ADD uevent uses pending before it is set; 08 sets it first', () => {
    const buggy = interleave('create-vs-udev', '01-07', [[0, 'alloc:add_disk'], [1, null], [0, null]]);
    assert.deepEqual(races(buggy), ['DMR6 uninitialised-use']);
    const fixed = interleave('create-vs-udev', '01-08', [[0, 'alloc:add_disk'], [1, null], [0, null]]);
    assert.deepEqual(races(fixed), []);
    const names = events(fixed).map((e) => e.split(' ')[0]);
    assert.ok(names.indexOf('md_init_done') < names.indexOf('add_disk'));
  });

  it('blocks a task on a held lock instead of running it', () => {
    const run = new Execution(scenarioNamed('create-vs-lookup'), PatchConfig.parse('none'));
    runTask(run, 0, 'minor:lock');
    runTask(run, 1, null);
    assert.equal(run.isEnabled(1), false, 'the lookup waits for _minor_lock');
    assert.deepEqual(events(run), ['md_alloc md=md0', 'mutex_lock lock=_minor_lock']);
  });
});
