// The events outside dm-mod's own code: references to the module and its
// unload, the task tracepoints, and the vocabulary events the kit does not
// probe (with the reason).

import { MODULE, type Sites } from './sites';

export function placeModuleEvents(s: Sites): void {
  const self = { name: '__this_module', module: MODULE };
  for (const [fn, vocabulary] of [['try_module_get', 'module_get'], ['__module_get', 'module_get'], ['module_put', 'module_put']] as const) {
    s.set.probes.push({
      event: s.name(vocabulary),
      vocabulary,
      kind: 'p',
      symbol: fn,
      offset: 0,
      args: [{ name: 'mod', fetch: '%di', type: 'x64' }],
      filter: { arg: 'mod', op: '==', value: self },
      site: `entry of ${fn}, filtered on dm_mod's struct module`,
    });
  }
  s.set.header.push({ text: `!owner ${MODULE}` });
  s.set.header.push({ alias: self, name: MODULE });
  // the syscall's pt_regs: its first argument (the name) is regs->di, at 0x70 on x86-64
  s.set.probes.push({ event: s.name('delete_module'), vocabulary: 'delete_module', kind: 'p', symbol: '__x64_sys_delete_module', offset: 0, args: [{ name: 'mod', fetch: '+0(+0x70(%di))', type: 'ustring' }], site: 'entry of the delete_module syscall (the name)' });
  s.set.probes.push({ event: s.name('delete_module'), vocabulary: 'delete_module', kind: 'r', symbol: '__x64_sys_delete_module', offset: 0, args: [{ name: 'ret', fetch: '$retval', type: 's32' }], site: 'return of the delete_module syscall (the result)' });
  // dm_exit sits in .exit.text, which kprobes refuse; local_exit is the exit step in .text
  if (s.d.functions.get('local_exit')?.section === '.text') {
    s.entry('local_exit', 'module_exit', [{ name: 'mod', fetch: `\\"${MODULE}"`, type: 'string' }], 'entry of local_exit (dm_exit itself is in .exit.text, which kprobes refuse)');
  } else s.set.unplaced.push({ vocabulary: 'module_exit', reason: 'dm_exit is in .exit.text (kprobes refuse it) and no local_exit in .text; delete_module ret=0 marks the unload' });
}

export function placeTasks(s: Sites): void {
  s.set.tracepoints.push({ system: 'sched', event: 'sched_process_fork', vocabulary: 'task_fork' });
  s.set.tracepoints.push({ system: 'sched', event: 'sched_process_exit', vocabulary: 'task_exit' });
  s.set.tracepoints.push({ system: 'syscalls', event: 'sys_exit_wait4', vocabulary: 'task_wait', filter: 'ret > 0' });
}

/** The vocabulary events with no probe and no reason yet: why each is not probed. */
export function listNotPlaced(s: Sites): void {
  const reasons: Record<string, string> = {
    atomic_dec_and_lock: 'this dm-mod never calls atomic_dec_and_lock: dm_put is a plain atomic decrement (dm_put events carry holders)',
    kmalloc: "not probed: the md's own allocation is recorded as md_alloc; other allocations are not part of the races",
    md_init: 'per-field initialisation is inline stores, no call to probe; md_init_done marks the end',
    md_access: 'uses of md fields are inline loads and stores, no call to probe',
    set_bit: 'md->flags bit operations are inline (lock or/and on md->flags), not probed',
    test_bit: 'md->flags tests are inline, not probed',
    uevent: 'not probed: add_disk carries the uevent edge',
    uevent_recv: 'a user-space receipt (udev), not a kernel probe',
  };
  const have = new Set(s.set.probes.map((p) => p.vocabulary));
  if (s.callSites('atomic_dec_and_lock').length || s.callSites('_atomic_dec_and_lock').length) delete reasons.atomic_dec_and_lock;
  for (const [vocabulary, reason] of Object.entries(reasons)) {
    if (!have.has(vocabulary) && !s.set.unplaced.some((u) => u.vocabulary === vocabulary)) s.set.unplaced.push({ vocabulary, reason, byDesign: true });
  }
  for (const v of ['spin_lock', 'spin_unlock', 'idr_get_new', 'idr_find', 'idr_replace', 'idr_remove', 'idr_pre_get']) {
    if (!have.has(v) && !s.set.unplaced.some((u) => u.vocabulary === v)) s.set.unplaced.push({ vocabulary: v, reason: `no call site in dm-mod that the kit could place` });
  }
}
