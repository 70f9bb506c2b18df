// A deterministic generator of large, realistic device-mapper traces for the
// benchmark and the scale tests.
//
// The background is a busy system that follows the fixed (post-series) kernel
// protocol, so it must produce no finding at all:
//   - dmsetup tasks create devices (reserve the minor with MINOR_ALLOCED under
//     _minor_lock, initialise, add_disk, publish with idr_replace under the
//     lock), suspend/resume them (a per-device mutex) and remove them (unpublish
//     and set DMF_FREEING under the lock, final put through atomic_dec_and_lock,
//     free_dev) once no user is left;
//   - lvm/dmeventd tasks look devices up and take their reference inside the
//     _minor_lock section;
//   - udev receives the add uevent and opens the disk, blkid opens live disks,
//     both with the open and the close inside _minor_lock sections;
//   - kdmflush tasks do I/O under a per-device spinlock;
//   - fio, jbd2 and ksoftirqd add unrelated events (scheduler, block, irq).
// The scheduler interleaves the tasks' episodes event by event, but never lets
// two tasks hold one lock, so every lock section is a real critical section
// and the lock hand-off edges order every use of a device before its removal.
//
// Every `plantEvery` events a block of planted races (one of each rule
// DMR1..DMR6, error or warning shapes; DMR5 in every `unloadEvery`-th block) is written as one contiguous run of
// events by three racer tasks, with device names of their own
// (`race<g>_dmr<r>`). Inside a contiguous block only block events lie between
// two block events, and every edge points forward in file order, so the noise
// around it cannot order (or un-order) the racing events: each planted race is
// found exactly as planted.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { RuleId } from '../extension/core/rules/finding';
import type { Severity } from '../extension/core/trace/model';

/** Bumped whenever the generated text changes, so the benchmark's cached traces are regenerated. */
export const GENERATOR_VERSION = 3;

export interface GenerateOptions {
  /** Number of events to write (the planted blocks count). */
  events: number;
  seed?: number;
  /** A block of planted races (one of each rule) every this many events. */
  plantEvery?: number;
  /**
   * The DMR5 race (a successful rmmod) goes only into every this-many-th block
   * (default 20). A real trace unloads dm-mod rarely, and each unload's finding
   * lists every device alive (or concurrently allocated) at that point, so an
   * unload every few thousand events makes that rule's cost and output grow
   * with the square of the trace. 1 plants it in every block (the stress case).
   */
  unloadEvery?: number;
  /** Background tasks of each kind are scaled by this (default 1: 30 background tasks). */
  taskScale?: number;
  cpus?: number;
}

/** One planted race: the finding the analysis must report for it. */
export interface PlantedRace {
  rule: RuleId;
  severity: Severity;
  /** The device the finding is about (DMR5 names the first live device of the whole trace, so it is not checked). */
  md: string;
  /** Index of the primary event among the written events. */
  event: number;
}

export interface GeneratedTrace {
  events: number;
  planted: PlantedRace[];
  /** Line of event `i` in the native file is `i + nativeHeaderLines + 1`. */
  nativeHeaderLines: number;
  /** Line of event `i` in the Chrome JSON file is `i + chromeHeaderLines + 1`. */
  chromeHeaderLines: number;
  bytesNative: number;
  bytesChrome: number;
}

/** An event as the generator produces it, before it is written in a format. */
interface GenEvent {
  task: number;
  name: string;
  args: [string, string | number][];
  src?: string;
}

/** A step of an episode: an event, whose holders/count value may only be known when it is emitted. */
interface Step {
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

interface Task {
  comm: string;
  pid: number;
  cpu: number;
  role: Role;
  episode: Step[];
  next: number;
  /** Counted device use of the current episode, released when it ends. */
  using?: Device;
}

type Role = 'dmsetup' | 'lookup' | 'udev' | 'blkid' | 'kdmflush' | 'fio' | 'jbd2' | 'softirq' | 'racer';

interface Device {
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

const SOURCE: Record<string, string> = {
  md_alloc: 'dm.c:961', idr_pre_get: 'dm.c:806', idr_get_new: 'dm.c:812', idr_replace: 'dm.c:1012',
  idr_find: 'dm.c:1127', idr_remove: 'dm.c:792', md_init: 'dm.c:982', md_init_done: 'dm.c:1005',
  add_disk: 'dm.c:999', dm_get: 'dm.c:1147', dm_put: 'dm.c:1160', atomic_dec_and_lock: 'dm.c:1162',
  free_dev: 'dm.c:1030', dm_blk_open: 'dm.c:223', dm_blk_close: 'dm.c:240', set_bit: 'dm.c:1163',
  test_bit: 'dm.c:230',
};

/** mulberry32: small, fast and good enough to make traces reproducible by seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes text to a file through a large buffer (the traces are hundreds of MB). */
class BufferedFile {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 22) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const needsQuotes = (v: string) => /[\s"\\]/.test(v) || v === '';

export class TraceGenerator {
  private readonly random: () => number;
  private readonly tasks: Task[] = [];
  private readonly racers: number[] = [];
  private readonly devices: Device[] = [];
  private readonly live: Device[] = [];
  private readonly pendingUevents: Device[] = [];
  private readonly lockHolder = new Map<string, number>();
  private readonly planted: PlantedRace[] = [];
  private emitted = 0;
  private timeNs = 5_000_000_000;
  private moduleCount = 0;
  private nextMinor = 0;
  private group = 0;

  constructor(
    private readonly options: GenerateOptions,
    private readonly sink: (e: GenEvent, timeNs: number, cpu: number) => void,
  ) {
    this.random = rng(options.seed ?? 1);
    const scale = options.taskScale ?? 1;
    const kinds: [Role, string, number][] = [
      ['dmsetup', 'dmsetup', 4], ['lookup', 'lvm', 3], ['lookup', 'dmeventd', 1], ['udev', 'systemd-udevd', 3],
      ['blkid', 'blkid', 2], ['kdmflush', 'kdmflush', 4], ['fio', 'fio', 6], ['jbd2', 'jbd2-dm-0-8', 3], ['softirq', 'ksoftirqd-0', 4],
    ];
    let pid = 1000;
    for (const [role, comm, count] of kinds) {
      for (let k = 0; k < Math.max(1, Math.round(count * scale)); k++) this.addTask(role, comm, (pid += 1 + Math.floor(this.random() * 97)));
    }
    for (let k = 0; k < 3; k++) this.racers.push(this.addTask('racer', 'racer', 90001 + k));
  }

  get taskNames(): { comm: string; pid: number }[] {
    return this.tasks.map((t) => ({ comm: t.comm, pid: t.pid }));
  }

  private addTask(role: Role, comm: string, pid: number): number {
    const cpus = this.options.cpus ?? 8;
    this.tasks.push({ comm, pid, cpu: this.tasks.length % cpus, role, episode: [], next: 0 });
    return this.tasks.length - 1;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  run(): PlantedRace[] {
    const total = this.options.events;
    const every = this.options.plantEvery ?? 5000;
    let nextPlant = Math.min(every, Math.floor(total / 2));
    while (this.emitted < total) {
      if (this.emitted >= nextPlant && !this.lockHolder.has('_minor_lock') && total - this.emitted > 40) {
        this.plantGroup();
        nextPlant += every;
        continue;
      }
      this.step();
    }
    return this.planted;
  }

  /** One event of one runnable background task. */
  private step(): void {
    for (;;) {
      const t = Math.floor(this.random() * (this.tasks.length - this.racers.length));
      const task = this.tasks[t];
      if (task.next >= task.episode.length) this.startEpisode(t);
      const s = task.episode[task.next];
      if (s.acquire !== undefined && this.lockHolder.has(s.acquire) && this.lockHolder.get(s.acquire) !== t) continue;
      this.emitStep(t, s);
      return;
    }
  }

  private emitStep(t: number, s: Step): void {
    const task = this.tasks[t];
    task.next++;
    if (s.acquire !== undefined) this.lockHolder.set(s.acquire, t);
    if (s.release !== undefined) this.lockHolder.delete(s.release);
    const args = s.args.slice();
    if (s.ref) {
      s.ref.dev.holders += s.ref.delta;
      args.push(['holders', s.ref.dev.holders]);
    }
    if (s.module !== undefined) {
      this.moduleCount += s.module;
      args.push(['count', this.moduleCount]);
    }
    s.after?.();
    if (task.next >= task.episode.length && task.using) {
      task.using.users--;
      task.using = undefined;
    }
    this.emit({ task: t, name: s.name, args, src: SOURCE[s.name] });
  }

  private emit(e: GenEvent): void {
    this.timeNs += 200 + Math.floor(this.random() * 2800);
    this.sink(e, this.timeNs, this.tasks[e.task].cpu);
    this.emitted++;
  }

  private startEpisode(t: number): void {
    const task = this.tasks[t];
    if (this.random() < 0.05) task.cpu = Math.floor(this.random() * (this.options.cpus ?? 8));
    task.next = 0;
    task.episode = this.episodeFor(task) ?? this.noise(task);
  }

  private episodeFor(task: Task): Step[] | undefined {
    const r = this.random();
    switch (task.role) {
      case 'dmsetup': {
        const cap = 64 * (this.options.taskScale ?? 1);
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
  private noise(task: Task): Step[] {
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
  }

  /** Six planted races as one contiguous block (see the file comment for why contiguity matters). */
  private plantGroup(): void {
    const g = this.group++;
    const [r1, r2, r3] = this.racers;
    const warn = g % 2 === 1;
    const minor = (r: number) => 1_000_000 + g * 10 + r;
    const md = (r: number) => `race${g}_dmr${r}`;
    const idr = '_minor_idr';
    const ev = (task: number, name: string, args: [string, string | number][]) => this.emit({ task, name, args, src: SOURCE[name] });
    const plant = (rule: RuleId, severity: Severity, mdName: string) => this.planted.push({ rule, severity, md: mdName, event: this.emitted });
    const lock = (task: number) => ev(task, 'spin_lock', [['lock', '_minor_lock']]);
    const unlock = (task: number) => ev(task, 'spin_unlock', [['lock', '_minor_lock']]);

    // DMR1: idr_get_new publishes a real pointer before md_init_done; R2 finds it in between.
    ev(r1, 'md_alloc', [['md', md(1)]]);
    lock(r1);
    plant('DMR1', warn ? 'warning' : 'error', md(1));
    ev(r1, 'idr_get_new', [['idr', idr], ['minor', minor(1)], ['ptr', md(1)]]);
    unlock(r1);
    if (!warn) {
      lock(r2);
      ev(r2, 'idr_find', [['idr', idr], ['minor', minor(1)], ['ret', md(1)]]);
      unlock(r2);
    }
    ev(r1, 'md_init', [['md', md(1)], ['field', 'holders']]);
    ev(r1, 'md_init_done', [['md', md(1)]]);

    // DMR2: find under the lock, dm_get after it; R3's final put and free in between.
    lock(r2);
    ev(r2, 'idr_find', [['idr', idr], ['minor', minor(2)], ['ret', md(2)]]);
    unlock(r2);
    if (!warn) ev(r3, 'dm_put', [['md', md(2)], ['holders', 0]]);
    plant('DMR2', warn ? 'warning' : 'error', md(2));
    ev(r2, 'dm_get', [['md', md(2)], ['holders', 1]]);
    if (!warn) ev(r3, 'free_dev', [['md', md(2)]]);

    // DMR3: open through private_data while R3 frees the device.
    ev(r3, 'dm_put', [['md', md(3)], ['holders', 0]]);
    plant('DMR3', 'error', md(3));
    ev(r1, 'dm_blk_open', [['md', md(3)], ['disk', `race${g}_disk3`]]);
    ev(r1, 'dm_get', [['md', md(3)], ['holders', 1]]);
    ev(r3, 'free_dev', [['md', md(3)]]);
    ev(r1, 'dm_blk_close', [['md', md(3)], ['disk', `race${g}_disk3`]]);

    // DMR4: idr_pre_get(GFP_KERNEL) under the _minor_lock spinlock.
    ev(r1, 'md_alloc', [['md', md(4)]]);
    lock(r1);
    plant('DMR4', 'error', md(4));
    ev(r1, 'idr_pre_get', [['idr', idr], ['gfp', 'GFP_KERNEL']]);
    ev(r1, 'idr_get_new', [['idr', idr], ['minor', minor(4)], ['ptr', 'MINOR_ALLOCED']]);
    unlock(r1);

    // DMR5: rmmod succeeds while devices are alive (in every unloadEvery-th block).
    if (g % (this.options.unloadEvery ?? 20) === 0) {
      ev(r2, 'md_alloc', [['md', md(5)]]);
      plant('DMR5', 'error', md(5));
      ev(r3, 'delete_module', [['mod', 'dm_mod'], ['ret', 0]]);
    }

    // DMR6: add_disk before md_init_done; udev (R2) opens through the uevent in between.
    ev(r1, 'md_alloc', [['md', md(6)]]);
    plant('DMR6', warn ? 'warning' : 'error', md(6));
    ev(r1, 'add_disk', [['md', md(6)], ['disk', `race${g}_disk6`]]);
    if (!warn) {
      ev(r2, 'uevent_recv', [['disk', `race${g}_disk6`], ['action', 'add']]);
      ev(r2, 'dm_blk_open', [['md', md(6)], ['disk', `race${g}_disk6`]]);
    }
    ev(r1, 'md_init_done', [['md', md(6)]]);
    if (!warn) ev(r2, 'dm_blk_close', [['md', md(6)], ['disk', `race${g}_disk6`]]);
  }
}

const NATIVE_HEADER = [
  '# dm-race-lens benchmark trace (bench/generate.ts): background per the fixed protocol, planted races in racer/* blocks',
  '!lock _minor_lock spin',
  '!lock _hash_lock mutex',
];

function formatSeconds(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const frac = String(ns - s * 1e9).padStart(9, '0');
  return `${s}.${frac}`;
}

function nativeLine(tasks: { comm: string; pid: number }[], e: GenEvent, timeNs: number, cpu: number): string {
  const t = tasks[e.task];
  let s = `${formatSeconds(timeNs)} cpu${cpu} ${t.comm}/${t.pid} ${e.name}`;
  for (const [k, v] of e.args) s += typeof v === 'string' && needsQuotes(v) ? ` ${k}=${JSON.stringify(v)}` : ` ${k}=${v}`;
  if (e.src) s += ` @${e.src}`;
  return s + '\n';
}

function chromeLine(tasks: { comm: string; pid: number }[], e: GenEvent, timeNs: number, cpu: number): string {
  const t = tasks[e.task];
  const args: Record<string, string | number> = { cpu };
  for (const [k, v] of e.args) args[k] = v;
  return `,{"name":${JSON.stringify(e.name)},"ph":"i","s":"t","ts":${(timeNs / 1000).toFixed(3)},"pid":${t.pid},"tid":${t.pid},"args":${JSON.stringify(args)}}\n`;
}

/**
 * Writes a generated trace: always `nativePath` (`.dmtrace`), and Chrome JSON
 * to `chromePath` when given. Both files hold the same events in the same order.
 */
export function generateTrace(options: GenerateOptions, nativePath: string, chromePath?: string): GeneratedTrace {
  const native = new BufferedFile(nativePath);
  const chrome = chromePath ? new BufferedFile(chromePath) : undefined;
  let tasks: { comm: string; pid: number }[] = [];
  const gen = new TraceGenerator(options, (e, timeNs, cpu) => {
    native.write(nativeLine(tasks, e, timeNs, cpu));
    chrome?.write(chromeLine(tasks, e, timeNs, cpu));
  });
  tasks = gen.taskNames;
  for (const line of NATIVE_HEADER) native.write(line + '\n');
  // The thread_name metadata comes first; the first event line after it starts with a comma like the rest.
  const meta = tasks.map((t) => JSON.stringify({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.pid, args: { name: t.comm } }));
  chrome?.write(`{"traceEvents":[\n${meta.join(',\n')}\n`);
  const planted = gen.run();
  chrome?.write(']}\n');
  native.close();
  chrome?.close();
  return {
    events: options.events,
    planted,
    nativeHeaderLines: NATIVE_HEADER.length,
    chromeHeaderLines: 1 + meta.length,
    bytesNative: native.bytes,
    bytesChrome: chrome?.bytes ?? 0,
  };
}
