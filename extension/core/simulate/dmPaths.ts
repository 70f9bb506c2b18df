// The semantics of sample-traces/source/dm.c (and the patches of the series)
// as task programs: each `yield*` is one atomic step at an `@step` marker.
// What a patch changes is guarded by `config.has('0N')` right where the patch
// changes the C code. Here: creating a device, dropping its references and
// freeing it, minor numbers, module references and unloading the module; the
// lookups and the block device are in dmLookups.ts, the steps they share in
// dmPrimitives.ts.

import { access, device, initField, lock, touchField, unlock, type Path } from './dmPrimitives';
import { MD_FIELDS, MINOR_ALLOCED, MINOR_IDR, MINOR_LOCK, MODULE, NULL, type MappedDevice, type MdField, type Task } from './kernel';

/** dm_put: the final drop runs free_dev in the putting task. */
export function* dmPut(t: Task, name: string): Path {
  const md = device(t, name);
  if (!t.config.has('04')) {
    const last = yield* t.exec('put:dec', () => {
      touchField(t, md, 'holders', true);
      md.holders--;
      t.emit('dm_put', { md: md.name, holders: md.holders });
      return md.holders === 0;
    });
    if (last) yield* freeDev(t, md);
    return;
  }
  const last = yield* t.exec(
    'put:dec',
    () => {
      t.read('lock');
      touchField(t, md, 'holders', true);
      md.holders--;
      const ret = md.holders === 0 ? 1 : 0;
      if (ret) {
        t.write('lock');
        t.k.lockHolder = t.id;
      }
      t.emit('atomic_dec_and_lock', { md: md.name, lock: MINOR_LOCK, holders: md.holders, ret });
      return ret === 1;
    },
    () => md.holders > 1 || t.k.lockHolder === null,
  );
  if (!last) return;
  yield* t.exec('put:unpublish', () => {
    touchField(t, md, 'disk');
    t.write('idr');
    const old = t.k.idr.get(md.minor) ?? NULL;
    t.k.idr.set(md.minor, MINOR_ALLOCED);
    t.emit('idr_replace', { idr: MINOR_IDR, minor: md.minor, ptr: MINOR_ALLOCED, old });
  });
  if (t.config.has('05')) {
    yield* t.exec('put:set_freeing', () => {
      touchField(t, md, 'flags', true);
      md.freeing = true;
      t.emit('set_bit', { md: md.name, flag: 'DMF_FREEING' });
    });
  }
  yield* unlock(t, 'put:unlock');
  yield* freeDev(t, md);
}

// ---- minor numbers ------------------------------------------------------------

function* idrPreGet(t: Task): Path {
  yield* t.exec('minor:pre_get', () => {
    t.write('idr.cache');
    // Only an empty cache makes it allocate, and the allocation may block for memory.
    const sleeps = t.k.idrCache < 1;
    if (sleeps && t.holdsSpinlock()) t.fault('sleep-in-atomic', '', `idr_pre_get(GFP_KERNEL) allocated and slept while holding the spinlock ${MINOR_LOCK}`);
    t.emit('idr_pre_get', { idr: MINOR_IDR, gfp: 'GFP_KERNEL' });
    t.k.idrCache = 1;
  });
}

/** next_free_minor: the reserved minor, or -1 (-EAGAIN: another creator used the preallocated layer). */
function* nextFreeMinor(t: Task, md: MappedDevice): Path<number> {
  if (t.config.has('03')) yield* idrPreGet(t);
  yield* lock(t, 'minor:lock');
  if (!t.config.has('03')) yield* idrPreGet(t);
  const minor = yield* t.exec('minor:get_new', () => {
    t.write('idr');
    t.write('idr.cache');
    if (t.k.idrCache < 1) return -1;
    t.k.idrCache--;
    let m = 0;
    while (t.k.idr.has(m)) m++;
    const ptr = t.config.has('02') ? MINOR_ALLOCED : md.name;
    t.k.idr.set(m, ptr);
    md.minor = m;
    t.emit('idr_get_new', { idr: MINOR_IDR, minor: m, ptr });
    return m;
  });
  yield* unlock(t, 'minor:unlock');
  return minor;
}

function* freeMinor(t: Task, minor: number): Path {
  yield* lock(t, 'free_minor:lock');
  yield* t.exec('free_minor:remove', () => {
    t.write('idr');
    t.k.idr.delete(minor);
    t.emit('idr_remove', { idr: MINOR_IDR, minor });
  });
  yield* unlock(t, 'free_minor:unlock');
}

// ---- module references --------------------------------------------------------

/** try_module_get: fails once rmmod has begun. */
export function* moduleGet(t: Task, marker: string | null): Path<boolean> {
  return yield* t.exec(marker, () => {
    t.write('module');
    if (t.k.module.state !== 'live') return false;
    t.k.module.count++;
    t.emit('module_get', { mod: MODULE, count: t.k.module.count });
    return true;
  });
}

export function* modulePut(t: Task, marker: string | null): Path {
  yield* t.exec(marker, () => {
    t.write('module');
    t.k.module.count--;
    t.k.modulePuts.push(t.emit('module_put', { mod: MODULE, count: t.k.module.count }));
  });
}

// ---- creating and freeing -------------------------------------------------------

/** alloc_dev (through dm_create): the new device's name, or null when creation failed. */
export function* allocDev(t: Task, name: string): Path<string | null> {
  const md = yield* t.exec('alloc:kmalloc', () => {
    t.write(name);
    const fresh: MappedDevice = {
      name,
      minor: -1,
      fields: Object.fromEntries(MD_FIELDS.map((f) => [f, 'garbage'])) as MappedDevice['fields'],
      holders: 0,
      freeing: false,
      freed: false,
      initDone: false,
    };
    t.k.mds.set(name, fresh);
    t.emit('md_alloc', { md: name });
    return fresh;
  });
  if (t.config.has('07') && !(yield* moduleGet(t, 'alloc:module_get'))) {
    yield* kfree(t, md, 'alloc:bad_free');
    return null;
  }
  const minor = yield* nextFreeMinor(t, md);
  if (minor < 0) {
    if (t.config.has('07')) yield* modulePut(t, 'alloc:bad_module_put');
    yield* kfree(t, md, 'alloc:bad_free');
    return null;
  }
  const disk = `dm-${minor}`;
  const init = (marker: string, field: MdField) => t.exec(marker, () => initField(t, md, field));
  yield* init('alloc:memset', 'flags');
  yield* init('alloc:holders', 'holders');
  yield* init('alloc:queue', 'queue');
  yield* init('alloc:io_pool', 'io_pool');
  if (t.config.has('08')) {
    yield* init('alloc:pending', 'pending');
    yield* init('alloc:wait', 'wait');
    yield* init('alloc:eventq', 'eventq');
  }
  yield* t.exec('alloc:disk', () => {
    t.write(`disk:${disk}`);
    t.k.disks.set(disk, { name: disk, privateData: name, announced: false });
    initField(t, md, 'disk');
  });
  yield* t.exec('alloc:add_disk', () => {
    t.write(`disk:${disk}.announced`);
    const gd = t.k.disks.get(disk);
    if (gd) gd.announced = true;
    t.emit('add_disk', { md: name, disk });
  });
  if (!t.config.has('08')) {
    yield* init('alloc:pending', 'pending');
    yield* init('alloc:wait', 'wait');
    yield* init('alloc:eventq', 'eventq');
  }
  if (t.config.has('02')) {
    yield* lock(t, 'publish:lock');
    yield* t.exec('publish:replace', () => {
      t.write('idr');
      const old = t.k.idr.get(minor) ?? NULL;
      t.k.idr.set(minor, name);
      t.emit('idr_replace', { idr: MINOR_IDR, minor, ptr: name, old });
    });
    yield* unlock(t, 'publish:unlock');
  }
  return name;
}

function* kfree(t: Task, md: MappedDevice, marker: string): Path {
  yield* t.exec(marker, () => {
    t.write(md.name);
    if (md.freed) t.fault('double-free', md.name, `kfree(${md.name}) a second time`);
    md.freed = true;
    t.emit('free_dev', { md: md.name });
  });
}

function* freeDev(t: Task, md: MappedDevice): Path {
  const teardown = (marker: string, field: MdField) =>
    t.exec(marker, () => {
      touchField(t, md, field, true);
      md.fields[field] = 'gone';
      t.emit('md_access', { md: md.name, field });
    });
  yield* teardown('free:io_pool', 'io_pool');
  yield* t.exec('free:del_gendisk', () => access(t, md, 'disk'));
  yield* freeMinor(t, md.minor);
  const disk = t.k.disks.get(`dm-${md.minor}`);
  if (t.config.has('05')) {
    yield* lock(t, 'free:pd_lock');
    yield* t.exec('free:pd_clear', () => {
      t.write(`disk:dm-${md.minor}.private_data`);
      touchField(t, md, 'disk');
      if (disk) disk.privateData = null;
      t.emit('md_access', { md: md.name, field: 'private_data' });
    });
    yield* unlock(t, 'free:pd_unlock');
  }
  yield* teardown('free:put_disk', 'disk');
  yield* teardown('free:queue', 'queue');
  if (t.config.has('07')) yield* modulePut(t, 'free:module_put');
  yield* kfree(t, md, 'free:kfree');
}

// ---- module unload ------------------------------------------------------------------------

/** rmmod dm_mod: delete_module refuses while the count is held, else dm_exit runs. */
export function* rmmod(t: Task): Path {
  const unloading = yield* t.exec(null, () => {
    t.write('module');
    const ok = t.k.module.count === 0 && t.k.module.state === 'live';
    if (ok) t.k.module.state = 'going';
    const ev = t.emit('delete_module', { mod: MODULE, ret: ok ? 0 : '-EBUSY' });
    // delete_module stops the machine before it reads the count: every module_put so far happens before it.
    if (ok) t.machine.events[ev.event].syncsWith = t.k.modulePuts.filter((p) => p.task !== t.id);
    return ok;
  });
  if (!unloading) return;
  yield* t.exec('exit:caches', () => {
    t.write('module');
    for (const md of t.k.mds.values()) {
      t.read(md.name);
      if (!md.freed) t.fault('module-gone', md.name, `dm_mod's code and caches freed while ${md.name} is alive: its queue callbacks and fops point into freed memory`);
    }
    t.k.module.state = 'gone';
    t.emit('module_exit', { mod: MODULE });
  });
}
