// The one finding type every rule returns and every view (CLI, Problems panel,
// hovers, graph, SARIF) reads.

import type { Severity } from '../trace/model';

/** The six rules, in report order: the one list every other list of rules derives from. */
export const RULE_IDS = ['DMR1', 'DMR2', 'DMR3', 'DMR4', 'DMR5', 'DMR6'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The part of one task's program order that lies inside a race window: events `from`..`to` (event indices, inclusive). */
export interface WindowLane {
  task: number;
  from: number;
  to: number;
}

/**
 * One step of a witness schedule. A step that the trace contains names its
 * event; a step another schedule would add (a warning's missing other side) has
 * only text; so has a summary of the events of a long window left out between
 * two shown ones (`elided`: how many), which keeps every witness small.
 */
export interface WitnessStep {
  event?: number;
  text: string;
  elided?: number;
}

export interface Finding {
  rule: RuleId;
  name: string;
  severity: Severity;
  /** The event the diagnostic sits on. */
  primary: number;
  /** Every other event of the race: both sides and the window's ends. */
  related: number[];
  /** The device the race is about (`md0`), or the module for DMR5 when no device names it. */
  md: string;
  message: string;
  /** The events of each involved task inside the window. */
  window: WindowLane[];
  /** An ordering consistent with happens-before in which the fault happens (worked out on first read). */
  witness: WitnessStep[];
  /** What goes wrong in the kernel when the witness runs. */
  consequence: string;
  /** The patches of the series that close the race (`01`..`08`). */
  fixedBy: string[];
  /** True when the window spans a gap of lost events on a cpu: the trace cannot tell. */
  uncertain?: boolean;
}

export interface RuleInfo {
  id: RuleId;
  name: string;
  title: string;
  fixedBy: string[];
  consequence: string;
}

export const RULES: Record<RuleId, RuleInfo> = {
  DMR1: {
    id: 'DMR1',
    name: 'publish-before-init',
    title: 'mapped_device published in the minor IDR before it is initialised',
    fixedBy: ['01', '02'],
    consequence:
      'a lookup dereferences uninitialised memory and oopses, or the creator\'s memset/atomic_set wipes the looker\'s reference so holders is too low: a later put frees the device under a user (mempool BUG on mempool_destroy with objects out)',
  },
  DMR2: {
    id: 'DMR2',
    name: 'stale-lookup-get',
    title: 'reference taken after the lookup lock was dropped',
    fixedBy: ['04', '06'],
    consequence:
      'refcount resurrection: dm_get takes holders from 0 to 1 on a device whose free_dev is running; the device is used after kfree and freed twice (use-after-free, double free_dev, mempool BUG)',
  },
  DMR3: {
    id: 'DMR3',
    name: 'open-while-freeing',
    title: 'block-device open through gendisk->private_data while the device is freed',
    fixedBy: ['05'],
    consequence:
      'dm_blk_open reads md from private_data, which holds no reference, and resurrects or uses it while free_dev runs: use-after-free of the mapped_device on open, I/O or close',
  },
  DMR4: {
    id: 'DMR4',
    name: 'sleep-in-atomic',
    title: 'sleeping call while holding a spinlock',
    fixedBy: ['03'],
    consequence:
      '"BUG: sleeping function called from invalid context" (or "scheduling while atomic"); if reclaim blocks while other cpus spin on the lock, a deadlock',
  },
  DMR5: {
    id: 'DMR5',
    name: 'module-unload-in-use',
    title: 'dm-mod unloaded while a mapped_device is alive',
    fixedBy: ['07'],
    consequence:
      'module text and caches freed under a live device: its queue callbacks, block fops and mempools point at freed code, and the next access oopses',
  },
  DMR6: {
    id: 'DMR6',
    name: 'register-before-init',
    title: 'add_disk announces the device before its initialisation is finished',
    fixedBy: ['08'],
    consequence:
      'udev opens the device from the add uevent and uses the uninitialised pending count, wait queue or event queue: spinlock "bad magic", list corruption, a lost wakeup or the pending count reset under in-flight I/O',
  },
};
