// The event vocabulary of the dmtrace contract (spec section 2). Event names are
// interned in a fixed order, so a vocabulary event's id is its `Ev` value and
// the rules compare integers, never strings.

export const VOCABULARY = [
  'spin_lock',
  'spin_unlock',
  'mutex_lock',
  'mutex_unlock',
  'atomic_dec_and_lock',
  'idr_pre_get',
  'kmalloc',
  'idr_get_new',
  'idr_replace',
  'idr_find',
  'idr_remove',
  'md_alloc',
  'md_init',
  'md_init_done',
  'dm_get',
  'dm_put',
  'md_access',
  'set_bit',
  'test_bit',
  'free_dev',
  'add_disk',
  'uevent',
  'uevent_recv',
  'dm_blk_open',
  'dm_blk_close',
  'module_get',
  'module_put',
  'delete_module',
  'module_exit',
  'down_read',
  'up_read',
  'down_write',
  'up_write',
  'task_fork',
  'task_exit',
  'task_wait',
] as const;

export type VocabularyName = (typeof VOCABULARY)[number];

/** Ids of the vocabulary events (their index in VOCABULARY). */
export const Ev = Object.fromEntries(VOCABULARY.map((name, i) => [name, i])) as { readonly [K in VocabularyName]: number };

export function isVocabulary(name: string): name is VocabularyName {
  return VOCABULARY_SET.has(name);
}
const VOCABULARY_SET: ReadonlySet<string> = new Set(VOCABULARY);

/** The colour classes of the editor grammar and the graph. */
export type EventClass = 'lock' | 'idr' | 'refcount' | 'lifecycle' | 'disk' | 'module' | 'other';

const CLASS_OF: Record<VocabularyName, EventClass> = {
  spin_lock: 'lock',
  spin_unlock: 'lock',
  mutex_lock: 'lock',
  mutex_unlock: 'lock',
  atomic_dec_and_lock: 'refcount',
  idr_pre_get: 'idr',
  kmalloc: 'lifecycle',
  idr_get_new: 'idr',
  idr_replace: 'idr',
  idr_find: 'idr',
  idr_remove: 'idr',
  md_alloc: 'lifecycle',
  md_init: 'lifecycle',
  md_init_done: 'lifecycle',
  dm_get: 'refcount',
  dm_put: 'refcount',
  md_access: 'lifecycle',
  set_bit: 'lifecycle',
  test_bit: 'lifecycle',
  free_dev: 'lifecycle',
  add_disk: 'disk',
  uevent: 'disk',
  uevent_recv: 'disk',
  dm_blk_open: 'disk',
  dm_blk_close: 'disk',
  module_get: 'module',
  module_put: 'module',
  delete_module: 'module',
  module_exit: 'module',
  down_read: 'lock',
  up_read: 'lock',
  down_write: 'lock',
  up_write: 'lock',
  task_fork: 'lifecycle',
  task_exit: 'lifecycle',
  task_wait: 'lifecycle',
};

export function eventClass(name: string): EventClass {
  return isVocabulary(name) ? CLASS_OF[name] : 'other';
}

/** One-line meaning of each vocabulary event, for hovers. */
export const MEANING: Record<VocabularyName, string> = {
  spin_lock: 'acquires a spinlock (atomic context while held)',
  spin_unlock: 'releases a spinlock',
  mutex_lock: 'acquires a sleeping lock',
  mutex_unlock: 'releases a sleeping lock',
  atomic_dec_and_lock: 'drops a reference; on reaching 0 (ret=1) it holds the lock',
  idr_pre_get: 'preallocates IDR layers (may sleep when gfp allows direct reclaim, e.g. GFP_KERNEL)',
  kmalloc: 'allocates memory (may sleep when gfp allows direct reclaim, e.g. GFP_KERNEL)',
  idr_get_new: 'stores a pointer in a new IDR slot',
  idr_replace: 'stores a pointer in an existing IDR slot',
  idr_find: 'reads an IDR slot',
  idr_remove: 'frees an IDR slot',
  md_alloc: 'allocates a mapped_device (uninitialised)',
  md_init: 'initialises one field of a mapped_device',
  md_init_done: 'the mapped_device is completely initialised',
  dm_get: 'takes a reference on a mapped_device',
  dm_put: 'drops a reference; holders=0 is the final put',
  md_access: "uses the mapped_device's memory",
  set_bit: 'sets a flag of a mapped_device',
  test_bit: 'tests a flag of a mapped_device',
  free_dev: 'frees the mapped_device (kfree)',
  add_disk: 'registers the gendisk and sends the add uevent',
  uevent: 'sends a uevent',
  uevent_recv: 'receives a uevent (udev)',
  dm_blk_open: 'opens the block device; md comes from gendisk->private_data',
  dm_blk_close: 'closes the block device',
  module_get: 'takes a module reference',
  module_put: 'drops a module reference',
  delete_module: 'rmmod: ret=0 unloads the module, ret=-EBUSY refuses',
  module_exit: "the module's exit code runs; the module is gone after it",
  down_read: 'acquires a reader-writer semaphore for reading (sleeps; readers share it)',
  up_read: 'releases a reader-writer semaphore taken for reading',
  down_write: 'acquires a reader-writer semaphore for writing (sleeps; excludes everyone)',
  up_write: 'releases a reader-writer semaphore taken for writing',
  task_fork: 'creates task `child` (a pid)',
  task_exit: 'the task exits',
  task_wait: 'a wait returned with child `ret` (a pid) reaped',
};

/** The placeholder a reserved IDR slot holds until its device is published. */
export const MINOR_ALLOCED = 'MINOR_ALLOCED';
export const NULL_PTR = 'NULL';

/**
 * The canonical form of a pointer value: a recorder prints the placeholder as
 * `0xffffffffffffffff` or `-1` and no pointer as `0`, `0x0` or `(nil)`; the
 * rules compare `MINOR_ALLOCED` and `NULL`. Any other value is returned as it is.
 */
export function canonicalPointer(value: string): string {
  switch (value.toLowerCase()) {
    case 'minor_alloced':
    case '0xffffffffffffffff':
    case '-1':
      return MINOR_ALLOCED;
    case 'null':
    case '0':
    case '0x0':
    case '(nil)':
    case '(null)':
    case '0000000000000000':
    case '':
      return NULL_PTR;
    default:
      return value;
  }
}
