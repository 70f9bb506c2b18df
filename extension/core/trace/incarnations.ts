// Address reuse (README.md, "The trace format in short"): an `md_alloc md=X` after a `free_dev md=X`
// starts a new object under the same name. Every event naming X belongs to the
// incarnation whose md_alloc is the latest before it in analysis order; the
// second and later incarnations are renamed `X#2`, `X#3`, ... in the event's
// arguments, so every rule, edge and view relates events of one incarnation
// only, with no rule having to know about reuse.

import { IdInts } from './stringTable';
import { Ev } from './vocabulary';

/** The parts of model.ts's StringTable and Columns used here (structural: model.ts imports this file). */
interface Strings {
  readonly size: number;
  lookup(s: string): number;
  intern(s: string): number;
  get(id: number): string;
}
interface EventArgs {
  name: Int32Array;
  argStart: Int32Array;
  /** Key codes, indices into argKeys (model.ts, Columns). */
  argKey: ArrayLike<number>;
  argValue: Int32Array;
  argKeys: Int32Array;
}

/** Renames later incarnations in place. Costs one pass over the names when no address is reused. */
export function splitIncarnations(strings: Strings, columns: EventArgs): void {
  const { name, argStart, argKey, argValue: args, argKeys } = columns;
  /** The code of a key, -1 when no argument has it. */
  const code = (key: string) => argKeys.indexOf(strings.lookup(key));
  const md = code('md');
  if (md < 0 || !reusesAddresses(name, argStart, argKey, args, md, strings.size)) return;
  const objectKeys = [md, code('ptr'), code('old'), code('ret')];
  const incarnation = new IdInts(strings.size);
  const freed = new IdInts(strings.size);
  /** Per value id, the ids of its renamed incarnations (`X#2` at index 2). */
  const renamed = new Map<number, number[]>();
  for (let i = 0; i < name.length; i++) {
    const ev = name[i];
    const object = ev === Ev.md_alloc || ev === Ev.free_dev ? argOf(argStart, argKey, args, i, md) : -1;
    if (ev === Ev.md_alloc && object >= 0 && freed.get(object) === 1) {
      incarnation.set(object, Math.max(incarnation.get(object), 1) + 1);
      freed.set(object, 0);
    }
    for (let k = argStart[i]; k < argStart[i + 1]; k++) {
      const v = args[k];
      // (the names made here are not objects: they have no incarnation)
      if (!namesObject(ev, argKey[k], objectKeys) || incarnation.get(v) < 2) continue;
      let ids = renamed.get(v);
      if (!ids) renamed.set(v, (ids = []));
      const n = incarnation.get(v);
      ids[n] ??= strings.intern(`${strings.get(v)}#${n}`);
      args[k] = ids[n];
    }
    if (ev === Ev.free_dev && object >= 0) freed.set(object, 1);
  }
}

/** Does some md_alloc md=X follow a free_dev md=X? */
function reusesAddresses(name: Int32Array, argStart: Int32Array, argKey: ArrayLike<number>, args: Int32Array, md: number, size: number): boolean {
  let freed: IdInts | undefined;
  for (let i = 0; i < name.length; i++) {
    const ev = name[i];
    if (ev !== Ev.free_dev && ev !== Ev.md_alloc) continue;
    const v = argOf(argStart, argKey, args, i, md);
    if (v < 0) continue;
    if (ev === Ev.free_dev) (freed ??= new IdInts(size)).set(v, 1);
    else if (freed?.get(v) === 1) return true;
  }
  return false;
}

/** Arguments that name a mapped_device (keys as codes): `md` of any event, the pointer of an IDR store or lookup. */
function namesObject(ev: number, key: number, [md, ptr, old, ret]: number[]): boolean {
  if (key === md) return true;
  if (ev === Ev.idr_get_new || ev === Ev.idr_replace) return key === ptr || key === old;
  return ev === Ev.idr_find && key === ret;
}

function argOf(argStart: Int32Array, argKey: ArrayLike<number>, args: Int32Array, event: number, key: number): number {
  for (let k = argStart[event]; k < argStart[event + 1]; k++) if (argKey[k] === key) return args[k];
  return -1;
}
