// The simulated device-mapper system behind the benchmark's background: its
// devices and the episodes of each kind of task, all following the fixed
// (post-series) protocol, so the background gives no finding (see generate.ts).

/** A step of an episode: an event, whose holders/count value may only be known when it is emitted. */
export interface Step {
  name: string;
  args: [string, string | number][];
  /** An acquire of this lock: the task waits while another task holds it. */
  acquire?: string;
  release?: string;
  /** Reference change of the device `md` (holders is filled in at emission). */
  ref?: { dev: Device; delta: number };
  module?: number;
  /** Run when the step is emitted. */
  after?: () => void;
}

export interface Task {
  comm: string;
  pid: number;
  cpu: number;
  role: Role;
  episode: Step[];
  next: number;
  /** Counted device use of the current episode, released when it ends. */
  using?: Device;
}

export type Role = 'dmsetup' | 'lookup' | 'udev' | 'blkid' | 'kdmflush' | 'fio' | 'jbd2' | 'softirq' | 'racer';

export interface Device {
  n: number;
  md: string;
  disk: string;
  holders: number;
  state: 'creating' | 'live' | 'removing' | 'gone';
  /** The minor is reserved (MINOR_ALLOCED stored): a lookup can find the placeholder. */
  reserved: boolean;
  users: number;
  /** The add uevent has not been handled by udev yet: the device may not be removed. */
  uevent: boolean;
}

/** Source locations written as @file:line in the native format (recorded formats have none). */
export const SOURCE: Record<string, string> = {
  md_alloc: 'dm.c:961', idr_pre_get: 'dm.c:806', idr_get_new: 'dm.c:812', idr_replace: 'dm.c:1012',
  idr_find: 'dm.c:1127', idr_remove: 'dm.c:792', md_init: 'dm.c:982', md_init_done: 'dm.c:1005',
  add_disk: 'dm.c:999', dm_get: 'dm.c:1147', dm_put: 'dm.c:1160', atomic_dec_and_lock: 'dm.c:1162',
  free_dev: 'dm.c:1030', dm_blk_open: 'dm.c:223', dm_blk_close: 'dm.c:240', set_bit: 'dm.c:1163',
  test_bit: 'dm.c:230',
};

/** The devices and the background episodes; `random` is the generator's, so the trace stays reproducible by seed. */
export class DmWorld {
  readonly devices: Device[] = [];
  readonly live: Device[] = [];
  readonly pendingUevents: Device[] = [];
  private nextMinor = 0;

  constructor(
    private readonly random: () => number,
    private readonly taskScale: number,
  ) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  episodeFor(task: Task): Step[] | undefined {
    const r = this.random();
    switch (task.role) {
      case 'dmsetup': {
        const cap = 64 * this.taskScale;
        if (this.live.length < 4 || (r < 0.45 && this.live.length < cap)) return this.create();
        if (r < 0.7 && this.live.length > 8) {
          const dev = this.pick(this.live);
          if (dev.users === 0 && !dev.uevent) return this.remove(dev);
        }
        if (r < 0.9 && this.live.length > 0) return this.suspendResume(this.use(task, this.pick(this.live)));
        return this.lookupMiss();
      }
      case 'lookup':
        if (r < 0.15) return this.lookupMiss();
        return this.live.length > 0 ? this.lookup(this.use(task, this.pick(this.live))) : undefined;
      case 'udev': {
        const dev = this.pendingUevents.shift();
        if (dev) return this.udevOpen(this.use(task, dev), true);
        return undefined;
      }
      case 'blkid':
        return this.live.length > 0 && r < 0.5 ? this.udevOpen(this.use(task, this.pick(this.live)), false) : undefined;
      case 'kdmflush':
        return this.live.length > 0 && r < 0.7 ? this.io(this.use(task, this.pick(this.live))) : undefined;
      default:
        return undefined;
    }
  }

  private use(task: Task, dev: Device): Device {
    dev.users++;
    task.using = dev;
    return dev;
  }

  private create(): Step[] {
    const n = this.nextMinor++;
    const dev: Device = { n, md: `md${n}`, disk: `dm-${n}`, holders: 0, state: 'creating', reserved: false, users: 0, uevent: false };
    this.devices.push(dev);
    const md = dev.md;
    const idr = '_minor_idr';
    return [
      { name: 'mutex_lock', args: [['lock', '_hash_lock']], acquire: '_hash_lock' },
      { name: 'module_get', args: [['mod', 'dm_mod']], module: +1 },
      { name: 'md_alloc', args: [['md', md]] },
      { name: 'idr_pre_get', args: [['idr', idr], ['gfp', 'GFP_KERNEL']] },
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'idr_get_new', args: [['idr', idr], ['minor', n], ['ptr', 'MINOR_ALLOCED']], after: () => { dev.reserved = true; } },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'md_init', args: [['md', md], ['field', 'holders']], ref: { dev, delta: 1 } },
      { name: 'md_init', args: [['md', md], ['field', 'pending']] },
      { name: 'md_init', args: [['md', md], ['field', 'wait']] },
      { name: 'md_init', args: [['md', md], ['field', 'eventq']] },
      { name: 'kmalloc', args: [['obj', 'io_pool'], ['gfp', 'GFP_KERNEL']] },
      { name: 'md_init_done', args: [['md', md]] },
      { name: 'add_disk', args: [['md', md], ['disk', dev.disk]], after: () => { dev.uevent = true; this.pendingUevents.push(dev); } },
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'idr_replace', args: [['idr', idr], ['minor', n], ['ptr', md], ['old', 'MINOR_ALLOCED']], after: () => { dev.state = 'live'; this.live.push(dev); } },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'mutex_unlock', args: [['lock', '_hash_lock']], release: '_hash_lock' },
    ];
  }

  private remove(dev: Device): Step[] {
    dev.state = 'removing';
    this.live.splice(this.live.indexOf(dev), 1);
    const md = dev.md;
    return [
      { name: 'mutex_lock', args: [['lock', '_hash_lock']], acquire: '_hash_lock' },
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'idr_replace', args: [['idr', '_minor_idr'], ['minor', dev.n], ['ptr', 'MINOR_ALLOCED'], ['old', md]] },
      { name: 'set_bit', args: [['md', md], ['flag', 'DMF_FREEING']] },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'mutex_unlock', args: [['lock', '_hash_lock']], release: '_hash_lock' },
      { name: 'atomic_dec_and_lock', args: [['md', md], ['lock', '_minor_lock'], ['holders', 0], ['ret', 1]], acquire: '_minor_lock', after: () => { dev.holders--; } },
      { name: 'idr_remove', args: [['idr', '_minor_idr'], ['minor', dev.n]] },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'free_dev', args: [['md', md]], after: () => { dev.state = 'gone'; } },
      { name: 'module_put', args: [['mod', 'dm_mod']], module: -1 },
    ];
  }

  private suspendResume(dev: Device): Step[] {
    const lock = `suspend_lock.${dev.md}`;
    return [
      { name: 'mutex_lock', args: [['lock', lock]], acquire: lock },
      { name: 'set_bit', args: [['md', dev.md], ['flag', 'DMF_BLOCK_IO']] },
      { name: 'md_access', args: [['md', dev.md], ['field', 'pending']] },
      { name: 'set_bit', args: [['md', dev.md], ['flag', 'DMF_SUSPENDED']] },
      { name: 'kmalloc', args: [['obj', 'dm_table'], ['gfp', 'GFP_KERNEL']] },
      { name: 'md_access', args: [['md', dev.md], ['field', 'map']] },
      { name: 'mutex_unlock', args: [['lock', lock]], release: lock },
    ];
  }

  /** dm_get_md as fixed by 06: the reference is taken inside the lookup's critical section. */
  private lookup(dev: Device): Step[] {
    return [
      { name: 'mutex_lock', args: [['lock', '_hash_lock']], acquire: '_hash_lock' },
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'idr_find', args: [['idr', '_minor_idr'], ['minor', dev.n], ['ret', dev.md]] },
      { name: 'test_bit', args: [['md', dev.md], ['flag', 'DMF_FREEING'], ['ret', 0]] },
      { name: 'dm_get', args: [['md', dev.md]], ref: { dev, delta: 1 } },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'mutex_unlock', args: [['lock', '_hash_lock']], release: '_hash_lock' },
      { name: 'md_access', args: [['md', dev.md], ['field', 'map']] },
      { name: 'dm_put', args: [['md', dev.md]], ref: { dev, delta: -1 } },
    ];
  }

  /** A lookup of a minor that holds nothing (or is still reserved): no reference is taken. */
  private lookupMiss(): Step[] {
    const creating = this.devices.length > 0 ? this.devices[this.devices.length - 1] : undefined;
    const reserved = creating?.state === 'creating' && creating.reserved && this.random() < 0.5;
    const minor = reserved && creating ? creating.n : this.nextMinor + 1000 + Math.floor(this.random() * 1000);
    return [
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'idr_find', args: [['idr', '_minor_idr'], ['minor', minor], ['ret', reserved ? 'MINOR_ALLOCED' : 'NULL']] },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'delete_module', args: [['mod', 'dm_mod'], ['ret', '-EBUSY']] },
    ].slice(0, this.random() < 0.1 ? 4 : 3) as Step[];
  }

  /** dm_blk_open/close as fixed by 05: both under _minor_lock, FREEING checked. */
  private udevOpen(dev: Device, uevent: boolean): Step[] {
    const steps: Step[] = [];
    if (uevent) steps.push({ name: 'uevent_recv', args: [['disk', dev.disk], ['action', 'add']], after: () => { dev.uevent = false; } });
    steps.push(
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'dm_blk_open', args: [['md', dev.md], ['disk', dev.disk]] },
      { name: 'test_bit', args: [['md', dev.md], ['flag', 'DMF_FREEING'], ['ret', 0]] },
      { name: 'dm_get', args: [['md', dev.md]], ref: { dev, delta: 1 } },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
      { name: 'md_access', args: [['md', dev.md], ['field', 'geometry']] },
      { name: 'blkid_probe', args: [['disk', dev.disk], ['offset', Math.floor(this.random() * 4096) * 512]] },
      { name: 'spin_lock', args: [['lock', '_minor_lock']], acquire: '_minor_lock' },
      { name: 'dm_blk_close', args: [['md', dev.md], ['disk', dev.disk]] },
      { name: 'dm_put', args: [['md', dev.md]], ref: { dev, delta: -1 } },
      { name: 'spin_unlock', args: [['lock', '_minor_lock']], release: '_minor_lock' },
    );
    return steps;
  }

  private io(dev: Device): Step[] {
    const lock = `io_lock.${dev.md}`;
    const sector = Math.floor(this.random() * 1e7);
    return [
      { name: 'block_bio_queue', args: [['dev', `253:${dev.n}`], ['sector', sector], ['nr_sector', 8]] },
      { name: 'spin_lock', args: [['lock', lock]], acquire: lock },
      { name: 'md_access', args: [['md', dev.md], ['field', 'map']] },
      { name: 'kmalloc', args: [['obj', 'dm_io'], ['gfp', 'GFP_NOWAIT|__GFP_NOWARN']] },
      { name: 'spin_unlock', args: [['lock', lock]], release: lock },
      { name: 'block_rq_issue', args: [['dev', '8:16'], ['sector', sector + 2048], ['nr_sector', 8], ['rwbs', 'W']] },
    ];
  }

  /** Events no rule reads: scheduler, interrupts, block layer, unrelated locks. */
  noise(task: Task): Step[] {
    const r = this.random();
    const pid = () => 1000 + Math.floor(this.random() * 30000);
    if (r < 0.3) return [{ name: 'sched_switch', args: [['prev_pid', task.pid], ['next_pid', pid()], ['prev_state', this.random() < 0.5 ? 'R' : 'S']] }];
    if (r < 0.5) {
      const irq = 16 + Math.floor(this.random() * 40);
      return [
        { name: 'irq_handler_entry', args: [['irq', irq], ['name', 'nvme0q' + (irq % 8)]] },
        { name: 'irq_handler_exit', args: [['irq', irq], ['ret', 'handled']] },
      ];
    }
    if (r < 0.7) {
      const lock = `i_rwsem.${Math.floor(this.random() * 64)}`;
      return [
        { name: 'mutex_lock', args: [['lock', lock]], acquire: lock },
        { name: 'kmalloc', args: [['obj', 'buffer_head'], ['gfp', 'GFP_KERNEL']] },
        { name: 'block_rq_issue', args: [['dev', '8:0'], ['sector', Math.floor(this.random() * 1e8)], ['nr_sector', 8], ['rwbs', 'R']] },
        { name: 'mutex_unlock', args: [['lock', lock]], release: lock },
      ];
    }
    if (r < 0.85) {
      const lock = `rq_lock.${task.cpu}`;
      return [
        { name: 'spin_lock', args: [['lock', lock]], acquire: lock },
        { name: 'block_rq_complete', args: [['dev', '8:0'], ['sector', Math.floor(this.random() * 1e8)], ['error', 0]] },
        { name: 'spin_unlock', args: [['lock', lock]], release: lock },
      ];
    }
    return [{ name: 'workqueue_execute_start', args: [['work', `0x${(0xffff8880_00000000 + Math.floor(this.random() * 0xffffff) * 64).toString(16)}`], ['function', 'blk_mq_run_work_fn']] }];
  }}
