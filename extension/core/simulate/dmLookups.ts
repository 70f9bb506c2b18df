// The paths that find a mapped_device and use it: the lookup by device number
// (dm_get_md, a status ioctl) and the block device (open, I/O, close, udev's
// open on the ADD uevent). Guarded by `config.has('0N')` where the patches
// change them, as in dmPaths.ts.

import { dmPut } from './dmPaths';
import { access, device, dmGet, lock, touchField, unlock, type Path } from './dmPrimitives';
import { MINOR_ALLOCED, MINOR_IDR, NULL, type MappedDevice, type Task } from './kernel';

/** test_bit(DMF_FREEING) as a step of its own (patch 05): true when md is being freed. */
function* testFreeing(t: Task, md: MappedDevice, marker: string): Path<boolean> {
  return yield* t.exec(marker, () => {
    touchField(t, md, 'flags');
    t.emit('test_bit', { md: md.name, flag: 'DMF_FREEING', ret: md.freeing ? 1 : 0 });
    return md.freeing;
  });
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
    if (yield* testFreeing(t, md, 'find:test_freeing')) md = null;
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
    if (yield* testFreeing(t, md, 'open:test_freeing')) md = null;
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
