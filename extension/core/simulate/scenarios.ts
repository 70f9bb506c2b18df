// The concurrent situations the series is about, each a few tasks running the
// model's paths from a starting state.

import type { RuleId } from '../rules/finding';
import type { PatchConfig } from './config';
import { devStatus, openAndUse, udevOpen } from './dmLookups';
import { allocDev, dmPut, moduleGet, modulePut, rmmod } from './dmPaths';
import { MD_FIELDS, type KernelState, type MappedDevice, type Program, type Role, type Task } from './kernel';

export interface TaskSpec {
  /** `comm/pid` as it appears in the trace. */
  name: string;
  role: Role;
  program: (t: Task) => Program;
}

export interface Scenario {
  name: string;
  title: string;
  /** The race the scenario exercises; other rules may fire too. */
  race: RuleId;
  tasks: TaskSpec[];
  initial: (config: PatchConfig) => KernelState;
}

function emptyKernel(config: PatchConfig, moduleCount: number): KernelState {
  return {
    lockKind: config.has('04') ? 'spin' : 'mutex',
    lockHolder: null,
    idr: new Map(),
    // An earlier creation left one preallocated layer: the first idr_pre_get need not allocate.
    idrCache: 1,
    mds: new Map(),
    disks: new Map(),
    module: { count: moduleCount, state: 'live' },
    modulePuts: [],
  };
}

/** A kernel in which md0 (minor 0, /dev/dm-0) was created earlier and is held once, by the table. */
function kernelWithDevice(config: PatchConfig): KernelState {
  // The device's own module reference exists only with 07; the control file of the remover holds one more.
  const k = emptyKernel(config, 1 + (config.has('07') ? 1 : 0));
  const md: MappedDevice = {
    name: 'md0',
    minor: 0,
    fields: Object.fromEntries(MD_FIELDS.map((f) => [f, 'ready'])) as MappedDevice['fields'],
    holders: 1,
    freeing: false,
    freed: false,
    initDone: true,
  };
  k.mds.set('md0', md);
  k.idr.set(0, 'md0');
  k.disks.set('dm-0', { name: 'dm-0', privateData: 'md0', announced: true });
  return k;
}

const create = (name: string, md: string): TaskSpec => ({
  name,
  role: 'create',
  program: (t) =>
    (function* () {
      yield* allocDev(t, md);
    })(),
});

export const SCENARIOS: Scenario[] = [
  {
    name: 'create-vs-lookup',
    title: 'DM_DEV_CREATE of md0 while another dmsetup looks minor 0 up (DM_DEV_STATUS)',
    race: 'DMR1',
    tasks: [
      create('dmsetup/4101', 'md0'),
      { name: 'dmsetup/4102', role: 'lookup', program: (t) => devStatus(t, 0) },
    ],
    initial: (config) => emptyKernel(config, 2),
  },
  {
    name: 'lookup-vs-remove',
    title: 'a lookup of minor 0 while dmsetup remove drops the last reference of md0',
    race: 'DMR2',
    tasks: [
      { name: 'dmsetup/4102', role: 'lookup', program: (t) => devStatus(t, 0) },
      { name: 'dmsetup/4103', role: 'remove', program: (t) => dmPut(t, 'md0') },
    ],
    initial: kernelWithDevice,
  },
  {
    name: 'open-vs-remove',
    title: 'open, one bio and close of /dev/dm-0 while dmsetup remove drops the last reference of md0',
    race: 'DMR3',
    tasks: [
      { name: 'blkid/4120', role: 'open', program: (t) => openAndUse(t, 'dm-0') },
      { name: 'dmsetup/4103', role: 'remove', program: (t) => dmPut(t, 'md0') },
    ],
    initial: kernelWithDevice,
  },
  {
    name: 'create-vs-create',
    title: 'two dmsetup create at once, the minor lock a spinlock or a semaphore',
    race: 'DMR4',
    tasks: [create('dmsetup/4101', 'md0'), create('dmsetup/4104', 'md1')],
    initial: (config) => emptyKernel(config, 2),
  },
  {
    name: 'rmmod-vs-device',
    title: 'dmsetup creates md0 and closes /dev/mapper/control while rmmod dm_mod runs',
    race: 'DMR5',
    tasks: [
      {
        name: 'dmsetup/4101',
        role: 'create',
        program: (t) =>
          (function* () {
            // open("/dev/mapper/control"): the file's owner reference.
            if (!(yield* moduleGet(t, null))) return;
            yield* allocDev(t, 'md0');
            yield* modulePut(t, null);
          })(),
      },
      { name: 'rmmod/4130', role: 'rmmod', program: (t) => rmmod(t) },
    ],
    initial: (config) => emptyKernel(config, 0),
  },
  {
    name: 'create-vs-udev',
    title: 'dmsetup creates md0 while udev opens /dev/dm-0 on its ADD uevent',
    race: 'DMR6',
    tasks: [
      create('dmsetup/4101', 'md0'),
      { name: 'systemd-udevd/377', role: 'open', program: (t) => udevOpen(t, 'dm-0') },
    ],
    initial: (config) => emptyKernel(config, 2),
  },
];

export function scenarioNamed(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}
