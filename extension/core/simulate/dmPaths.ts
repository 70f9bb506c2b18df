// The semantics of sample-traces/source/dm.c (and the patches of the series)
// as task programs: each `yield*` is one atomic step at an `@step` marker.
// What a patch changes is guarded by `config.has('0N')` right where the patch
// changes the C code.

import {
  MD_FIELDS,
  MINOR_ALLOCED,
  MINOR_IDR,
  MINOR_LOCK,
  MODULE,
  NULL,
  type MappedDevice,
  type MdField,
  type Step,
  type Task,
} from './kernel';

type Path<T = void> = Generator<Step, T, unknown>;

// ---- locks ----------------------------------------------------------------

function* lock(t: Task, marker: string): Path {
  yield* t.exec(
    marker,
    () => {
      t.write('lock');
      t.k.lockHolder = t.id;
      t.emit(t.k.lockKind === 'spin' ? 'spin_lock' : 'mutex_lock', { lock: MINOR_LOCK });
    },
    () => t.k.lockHolder === null,
  );
}

function* unlock(t: Task, marker: string): Path {
  yield* t.exec(marker, () => {
    t.write('lock');
    t.k.lockHolder = null;
    t.emit(t.k.lockKind === 'spin' ? 'spin_unlock' : 'mutex_unlock', { lock: MINOR_LOCK });
  });
}

// ---- the mapped_device's memory ------------------------------------------

/** Reads (or writes) one field as the C code does, faulting on garbage or freed memory. */
function touchField(t: Task, md: MappedDevice, field: MdField, write = false): void {
  if (write) t.write(`${md.name}.${field}`);
  else t.read(`${md.name}.${field}`);
  if (md.freed) t.fault('use-after-free', md.name, `${md.name}->${field} used after kfree(${md.name})`);
  else if (md.fields[field] === 'gone') t.fault('use-after-free', md.name, `${md.name}->${field} used after free_dev tore it down`);
  else if (md.fields[field] === 'garbage') t.fault('uninitialised-use', md.name, `${md.name}->${field} used before alloc_dev initialised it`);
}

function access(t: Task, md: MappedDevice, field: MdField): void {
  touchField(t, md, field);
  t.emit('md_access', { md: md.name, field });
}

function device(t: Task, name: string): MappedDevice {
  const md = t.k.mds.get(name);
  if (!md) throw new Error(`simulator bug: no mapped_device ${name}`);
  return md;
}

function initField(t: Task, md: MappedDevice, field: MdField): void {
  t.write(`${md.name}.${field}`);
  md.fields[field] = 'ready';
  if (field === 'holders') md.holders = 1;
  t.emit('md_init', { md: md.name, field });
  if (!md.initDone && MD_FIELDS.every((f) => md.fields[f] === 'ready')) {
    md.initDone = true;
    t.emit('md_init_done', { md: md.name });
  }
}

// ---- references -------------------------------------------------------------

function dmGet(t: Task, md: MappedDevice): void {
  const wasZero = md.holders === 0 && !md.freed && md.fields.holders === 'ready';
  touchField(t, md, 'holders', true);
  if (wasZero) t.fault('refcount-resurrection', md.name, `dm_get took ${md.name}->holders from 0 to 1 while its free was under way`);
  md.holders++;
  t.emit('dm_get', { md: md.name, holders: md.holders });
}

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

// ---- lookup by device number --------------------------------------------------------

/** dm_get_md: md with a reference held, or null. */
export function* dmGetMd(t: Task, minor: number): Path<MappedDevice | null> {
  yield* lock(t, 'find:lock');
  const found = yield* t.exec('find:idr_find', () => {
    t.read('idr');
    const ret = t.k.idr.get(minor) ?? NULL;
    t.emit('idr_find', { idr: MINOR_IDR, minor, ret });
    return ret;
  });
  let md: MappedDevice | null = null;
  if (found !== NULL && found !== MINOR_ALLOCED) {
    md = device(t, found);
    // The placeholder test is local; reading first_minor dereferences md->disk.
    const candidate = md;
    const sameMinor = yield* t.exec('find:check', () => {
      access(t, candidate, 'disk');
      return candidate.minor === minor;
    });
    if (!sameMinor) md = null;
  }
  if (md && t.config.has('05')) {
    const candidate = md;
    const freeing = yield* t.exec('find:test_freeing', () => {
      touchField(t, candidate, 'flags');
      t.emit('test_bit', { md: candidate.name, flag: 'DMF_FREEING', ret: candidate.freeing ? 1 : 0 });
      return candidate.freeing;
    });
    if (freeing) md = null;
  }
  if (md && t.config.has('06')) {
    const held = md;
    yield* t.exec('find:get', () => dmGet(t, held));
  }
  yield* unlock(t, 'find:unlock');
  if (md && !t.config.has('06')) {
    const held = md;
    yield* t.exec('get_md:get', () => dmGet(t, held));
  }
  return md;
}

/** A lookup ioctl (dm_dev_status): find the device, read its name, drop it. */
export function* devStatus(t: Task, minor: number): Path {
  const md = yield* dmGetMd(t, minor);
  if (!md) return;
  yield* t.exec('status:use', () => access(t, md, 'disk'));
  yield* dmPut(t, md.name);
}

// ---- the block device ------------------------------------------------------------------

/** dm_blk_open: the md it opened (holding a reference), or null for -ENXIO. */
function* blkOpen(t: Task, disk: string): Path<MappedDevice | null> {
  const readPrivateData = () =>
    t.exec('open:private_data', () => {
      t.read(`disk:${disk}.private_data`);
      const name = t.k.disks.get(disk)?.privateData ?? null;
      if (name) t.emit('dm_blk_open', { md: name, disk });
      return name ? device(t, name) : null;
    });
  if (!t.config.has('05')) {
    const md = yield* readPrivateData();
    if (md) yield* t.exec('open:get', () => dmGet(t, md));
    return md;
  }
  yield* lock(t, 'open:lock');
  let md = yield* readPrivateData();
  if (md) {
    const candidate = md;
    const freeing = yield* t.exec('open:test_freeing', () => {
      touchField(t, candidate, 'flags');
      t.emit('test_bit', { md: candidate.name, flag: 'DMF_FREEING', ret: candidate.freeing ? 1 : 0 });
      return candidate.freeing;
    });
    if (freeing) md = null;
  }
  if (md) {
    const held = md;
    yield* t.exec('open:get', () => dmGet(t, held));
  }
  yield* unlock(t, 'open:unlock');
  return md;
}

/** open(/dev/dm-N), one bio through dm_request, close. */
export function* openAndUse(t: Task, disk: string): Path {
  const md = yield* blkOpen(t, disk);
  if (!md) return;
  yield* t.exec('io:pending', () => access(t, md, 'pending'));
  yield* t.exec('io:wake', () => access(t, md, 'wait'));
  yield* blkClose(t, disk, md);
}

/**
 * dm_blk_close: read private_data and drop the opener's reference. With 05 the
 * read sits in its own _minor_lock critical section, so the unlock orders the
 * opener's I/O before the final put (its atomic_dec_and_lock takes the lock);
 * the put itself runs after the unlock because a final put takes the lock.
 */
function* blkClose(t: Task, disk: string, md: MappedDevice): Path {
  const locked = t.config.has('05');
  if (locked) yield* lock(t, 'close:lock');
  const name = yield* t.exec('close:private_data', () => {
    t.read(`disk:${disk}.private_data`);
    const pd = t.k.disks.get(disk)?.privateData ?? md.name;
    t.emit('dm_blk_close', { md: pd, disk });
    return pd;
  });
  if (locked) yield* unlock(t, 'close:unlock');
  yield* dmPut(t, name);
}

/** udev: wait for the ADD uevent of `disk`, then open it. */
export function* udevOpen(t: Task, disk: string): Path {
  yield* t.exec(
    null,
    () => {
      t.read(`disk:${disk}.announced`);
      t.emit('uevent_recv', { disk, action: 'add' });
    },
    () => t.k.disks.get(disk)?.announced === true,
  );
  yield* openAndUse(t, disk);
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
