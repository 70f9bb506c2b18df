// The steps every dm path is made of: taking and dropping _minor_lock, reading
// and writing the mapped_device's fields (with the faults the C code would hit)
// and dm_get. The paths themselves are in dmPaths.ts (creating, dropping and
// freeing a device, unloading the module) and dmLookups.ts (finding, opening
// and using one).

import { MD_FIELDS, MINOR_LOCK, type MappedDevice, type MdField, type Step, type Task } from './kernel';

/** A task's program: each `yield*` is one atomic step. */
export type Path<T = void> = Generator<Step, T, unknown>;

// ---- locks ----------------------------------------------------------------

export function* lock(t: Task, marker: string): Path {
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

export function* unlock(t: Task, marker: string): Path {
  yield* t.exec(marker, () => {
    t.write('lock');
    t.k.lockHolder = null;
    t.emit(t.k.lockKind === 'spin' ? 'spin_unlock' : 'mutex_unlock', { lock: MINOR_LOCK });
  });
}

// ---- the mapped_device's memory ------------------------------------------

/** Reads (or writes) one field as the C code does, faulting on garbage or freed memory. */
export function touchField(t: Task, md: MappedDevice, field: MdField, write = false): void {
  if (write) t.write(`${md.name}.${field}`);
  else t.read(`${md.name}.${field}`);
  if (md.freed) t.fault('use-after-free', md.name, `${md.name}->${field} used after kfree(${md.name})`);
  else if (md.fields[field] === 'gone') t.fault('use-after-free', md.name, `${md.name}->${field} used after free_dev tore it down`);
  else if (md.fields[field] === 'garbage') t.fault('uninitialised-use', md.name, `${md.name}->${field} used before alloc_dev initialised it`);
}

export function access(t: Task, md: MappedDevice, field: MdField): void {
  touchField(t, md, field);
  t.emit('md_access', { md: md.name, field });
}

export function device(t: Task, name: string): MappedDevice {
  const md = t.k.mds.get(name);
  if (!md) throw new Error(`simulator bug: no mapped_device ${name}`);
  return md;
}

export function initField(t: Task, md: MappedDevice, field: MdField): void {
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

export function dmGet(t: Task, md: MappedDevice): void {
  const wasZero = md.holders === 0 && !md.freed && md.fields.holders === 'ready';
  touchField(t, md, 'holders', true);
  if (wasZero) t.fault('refcount-resurrection', md.name, `dm_get took ${md.name}->holders from 0 to 1 while its free was under way`);
  md.holders++;
  t.emit('dm_get', { md: md.name, holders: md.holders });
}
