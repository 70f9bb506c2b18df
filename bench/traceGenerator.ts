// The scheduler of the generated traces: background tasks interleaved event by
// event (their episodes come from dmWorld.ts; a task waits while another holds
// the lock it wants) and, every `plantEvery` events, one contiguous block of
// planted races (see generate.ts for why contiguity makes them exact).

import type { RuleId } from '../extension/core/rules/finding';
import type { Severity } from '../extension/core/trace/model';
import { DmWorld, SOURCE, type Role, type Step, type Task } from './dmWorld';
import type { GenerateOptions, PlantedRace } from './generate';

/** An event as the generator produces it, before it is written in a format. */
export interface GenEvent {
  task: number;
  name: string;
  args: [string, string | number][];
  /** `file:line`, written as `@file:line` by the native format only. */
  src?: string;
}

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

export class TraceGenerator {
  private readonly random: () => number;
  private readonly tasks: Task[] = [];
  private readonly racers: number[] = [];
  private readonly world: DmWorld;
  private readonly lockHolder = new Map<string, number>();
  private readonly planted: PlantedRace[] = [];
  private emitted = 0;
  private timeNs = 5_000_000_000;
  private moduleCount = 0;
  private group = 0;

  constructor(
    private readonly options: GenerateOptions,
    private readonly sink: (e: GenEvent, timeNs: number, cpu: number) => void,
  ) {
    this.random = rng(options.seed ?? 1);
    const scale = options.taskScale ?? 1;
    this.world = new DmWorld(this.random, scale);
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
    task.episode = this.world.episodeFor(task) ?? this.world.noise(task);
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
