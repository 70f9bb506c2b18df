// The shared state of the simulated kernel and the handle a task program uses
// to run one atomic step on it. Every step records what it read and wrote
// (for the partial-order reduction), the trace events it emits (at its
// `@step` marker in the model source) and the faults its execution hits.

import type { RuleId } from '../rules/finding';
import type { PatchConfig } from './config';

export const MINOR_ALLOCED = 'MINOR_ALLOCED';
export const NULL = 'NULL';
export const MINOR_LOCK = '_minor_lock';
export const MINOR_IDR = '_minor_idr';
export const MODULE = 'dm_mod';

/** The fields of a mapped_device whose initialisation the races depend on. */
export const MD_FIELDS = ['flags', 'holders', 'queue', 'io_pool', 'disk', 'pending', 'wait', 'eventq'] as const;
export type MdField = (typeof MD_FIELDS)[number];
/** garbage: kmalloc'd, never set; ready: initialised; gone: torn down by free_dev. */
export type FieldState = 'garbage' | 'ready' | 'gone';

export interface MappedDevice {
  name: string;
  minor: number;
  fields: Record<MdField, FieldState>;
  holders: number;
  freeing: boolean;
  freed: boolean;
  initDone: boolean;
}

export interface Gendisk {
  name: string;
  /** gendisk->private_data: the md's name, or null. Holds no reference. */
  privateData: string | null;
  /** add_disk has run: the ADD uevent is on its way to udev. */
  announced: boolean;
}

export interface KernelState {
  lockKind: 'mutex' | 'spin';
  lockHolder: number | null;
  /** _minor_idr: slot -> md name or MINOR_ALLOCED; absent = free. */
  idr: Map<number, string>;
  /** Layers preallocated by idr_pre_get (idr_get_new uses one per id in the model). */
  idrCache: number;
  mds: Map<string, MappedDevice>;
  disks: Map<string, Gendisk>;
  module: { count: number; state: 'live' | 'going' | 'gone' };
  /** The module_put events so far (delete_module synchronises with all of them). */
  modulePuts: EventRef[];
}

export type FaultKind =
  | 'uninitialised-use'
  | 'refcount-resurrection'
  | 'use-after-free'
  | 'double-free'
  | 'sleep-in-atomic'
  | 'module-gone';

export interface Fault {
  kind: FaultKind;
  /** The race of the series this fault belongs to (the rule that must see it). */
  race: RuleId;
  task: number;
  md: string;
  /** The index in the schedule's event list of the event at which it happened (or the next one). */
  event: number;
  message: string;
}

export interface EventRef {
  task: number;
  /** Index in the schedule's event list. */
  event: number;
}

export interface SimEvent {
  task: number;
  name: string;
  args: [string, string][];
  /** The `@step` marker of the statement that emitted it; null outside the model (VFS, udev, rmmod). */
  marker: string | null;
  /** Extra happens-before sources the simulator knows of (delete_module reading the module count). */
  syncsWith?: EventRef[];
}

export interface Access {
  variable: string;
  write: boolean;
}

/** Two steps of different tasks commute unless they touch one variable and one of them writes. */
export function conflicts(a: readonly Access[], b: readonly Access[]): boolean {
  for (const x of a) {
    for (const y of b) {
      if (!x.write && !y.write) continue;
      if (x.variable === y.variable || x.variable.startsWith(y.variable + '.') || y.variable.startsWith(x.variable + '.')) return true;
    }
  }
  return false;
}

/** What a task path is doing; a lifetime fault is attributed to the race of the path it shows up on. */
export type Role = 'create' | 'lookup' | 'remove' | 'open' | 'rmmod';

/** One atomic step a task program offers the scheduler. */
export interface Step {
  marker: string | null;
  enabled?: () => boolean;
  run: () => unknown;
}

export type Program = Generator<Step, void, unknown>;

/** The run-time shared by all tasks of one execution: state, events, faults and the step being recorded. */
export class Machine {
  readonly events: SimEvent[] = [];
  readonly faults: Fault[] = [];
  accesses: Access[] = [];
  currentMarker: string | null = null;

  constructor(
    readonly config: PatchConfig,
    readonly state: KernelState,
    /** The race a lifetime fault of the remover belongs to: the race of the path that raced with it. */
    readonly removerRace: RuleId = 'DMR2',
  ) {}
}

/** The handle through which one task's program reads and changes the kernel. */
export class Task {
  constructor(
    readonly id: number,
    readonly role: Role,
    readonly machine: Machine,
  ) {}

  get k(): KernelState {
    return this.machine.state;
  }

  get config(): PatchConfig {
    return this.machine.config;
  }

  /** Offers one atomic step to the scheduler and returns what it computed when it ran. */
  *exec<T>(marker: string | null, run: () => T, enabled?: () => boolean): Generator<Step, T, unknown> {
    const result = yield { marker, run, enabled };
    return result as T;
  }

  read(variable: string): void {
    this.machine.accesses.push({ variable, write: false });
  }

  write(variable: string): void {
    this.machine.accesses.push({ variable, write: true });
  }

  emit(name: string, args: Record<string, string | number>, marker: string | null = this.machine.currentMarker): EventRef {
    const event = this.machine.events.length;
    this.machine.events.push({ task: this.id, name, args: Object.entries(args).map(([k, v]) => [k, String(v)]), marker });
    return { task: this.id, event };
  }

  fault(kind: FaultKind, md: string, message: string): void {
    this.machine.faults.push({ kind, race: raceOf(kind, this.role, this.machine.removerRace), task: this.id, md, event: this.machine.events.length, message });
  }

  holdsSpinlock(): boolean {
    return this.k.lockHolder === this.id && this.k.lockKind === 'spin';
  }
}

/**
 * The race a fault belongs to follows from how the faulting task reached the
 * device: through the minor table (lookup: DMR1 when it was not ready yet,
 * DMR2 when it was going away), through gendisk->private_data (open: DMR6,
 * DMR3), or through the module (DMR5), or from the lock context (DMR4). A
 * remover that trips over the device after the other path revived and freed
 * it shows the other path's race.
 */
function raceOf(kind: FaultKind, role: Role, removerRace: RuleId): RuleId {
  if (kind === 'sleep-in-atomic') return 'DMR4';
  if (kind === 'module-gone') return 'DMR5';
  if (kind === 'uninitialised-use') return role === 'open' ? 'DMR6' : 'DMR1';
  if (role === 'remove') return removerRace;
  return role === 'open' ? 'DMR3' : 'DMR2';
}
