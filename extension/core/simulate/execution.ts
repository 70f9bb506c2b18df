// One run of a scenario under a schedule: the scheduler picks which task's
// next step runs. Replaying the same choices always gives the same run.

import type { PatchConfig } from './config';
import { Machine, Task, type Access, type Program, type Step } from './kernel';
import type { Scenario } from './scenarios';

export class Execution {
  readonly machine: Machine;
  readonly choices: number[] = [];
  preemptions = 0;
  lastTask = -1;
  private readonly programs: Program[];
  private readonly next: (Step | null)[];

  constructor(
    readonly scenario: Scenario,
    readonly config: PatchConfig,
  ) {
    this.machine = new Machine(config, scenario.initial(config), scenario.race);
    this.programs = scenario.tasks.map((spec, i) => spec.program(new Task(i, spec.role, this.machine)));
    this.next = this.programs.map((p) => stepOf(p.next()));
  }

  static replay(scenario: Scenario, config: PatchConfig, choices: readonly number[]): Execution {
    const run = new Execution(scenario, config);
    for (const task of choices) run.step(task);
    return run;
  }

  isEnabled(task: number): boolean {
    const step = this.next[task];
    return step !== null && (step.enabled?.() ?? true);
  }

  enabledTasks(): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.next.length; t++) if (this.isEnabled(t)) out.push(t);
    return out;
  }

  /** Would running `task` now preempt the task that ran last while it could go on? */
  isPreemption(task: number): boolean {
    return this.lastTask >= 0 && task !== this.lastTask && this.isEnabled(this.lastTask);
  }

  /** Runs `task`'s next step; returns what it read and wrote. */
  step(task: number): Access[] {
    const step = this.next[task];
    if (!step || !this.isEnabled(task)) throw new Error(`simulator bug: task ${task} cannot run now`);
    if (this.isPreemption(task)) this.preemptions++;
    this.machine.accesses = [];
    this.machine.currentMarker = step.marker;
    const result = step.run();
    this.next[task] = stepOf(this.programs[task].next(result));
    this.choices.push(task);
    this.lastTask = task;
    return this.machine.accesses;
  }

  /** Every task ran to its end (as opposed to a deadlock). */
  get finished(): boolean {
    return this.next.every((s) => s === null);
  }
}

function stepOf(result: IteratorResult<Step, void>): Step | null {
  return result.done ? null : result.value;
}
