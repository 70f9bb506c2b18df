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
//
// The same events can be written in every format the project reads
// (renderFormats.ts); the generator itself is split into the scheduler and
// planted blocks (traceGenerator.ts) and the simulated system (dmWorld.ts).

import { closeSync, openSync, writeSync } from 'node:fs';
import type { RuleId } from '../extension/core/rules/finding';
import type { Severity, TraceFormat } from '../extension/core/trace/model';
import { RENDERINGS } from './renderFormats';
import { TraceGenerator } from './traceGenerator';

/** Bumped whenever the generated text changes, so the benchmark's cached traces are regenerated. */
export const GENERATOR_VERSION = 5;

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
  /** Lines before the first event, per format: event `i` is on line `i + headerLines[format] + 1`. */
  headerLines: Record<TraceFormat, number>;
  /** Bytes of each file written. */
  bytes: Partial<Record<TraceFormat, number>>;
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

/**
 * Writes a generated trace: always `nativePath` (`.dmtrace`), and the same
 * events in each other format of `others` (format -> path), in the same order.
 */
export function generateTrace(options: GenerateOptions, nativePath: string, others: Partial<Record<TraceFormat, string>> = {}): GeneratedTrace {
  const outputs = (Object.entries({ ...others, dmtrace: nativePath }) as [TraceFormat, string][]).map(([format, path]) => ({ format, rendering: RENDERINGS[format], file: new BufferedFile(path) }));
  const gen = new TraceGenerator(options, (e, timeNs, cpu) => {
    for (const o of outputs) o.file.write(o.rendering.line(tasks, e, timeNs, cpu));
  });
  const tasks = gen.taskNames;
  const headerLines = {} as Record<TraceFormat, number>;
  for (const format of Object.keys(RENDERINGS) as TraceFormat[]) headerLines[format] = RENDERINGS[format].header(tasks).length;
  for (const o of outputs) for (const line of o.rendering.header(tasks)) o.file.write(line + '\n');
  const planted = gen.run();
  const bytes: Partial<Record<TraceFormat, number>> = {};
  for (const o of outputs) {
    if (o.rendering.footer) o.file.write(o.rendering.footer);
    o.file.close();
    bytes[o.format] = o.file.bytes;
  }
  return { events: options.events, planted, headerLines, bytes };
}
