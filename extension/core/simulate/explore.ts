// Systematic exploration of a scenario's interleavings: a depth-first search
// over scheduling choices, bounded in preemptions, with sleep sets as the
// partial-order reduction.
//
// Sleep sets (Godefroid): after the subtree that starts with task t's step has
// been explored, t is put to sleep for its later siblings and stays asleep
// down their subtrees until a step that conflicts with t's step runs (same
// variable, one of them writing). Running t while asleep could only produce
// an ordering equivalent to one already explored (it differs only by swapping
// commuting steps), so it is skipped. Each complete schedule explored is then
// a different Mazurkiewicz trace; a path whose enabled tasks are all asleep is
// abandoned ("sleep-blocked").
//
// The search prefers to continue the task that ran last, so the first
// representative of each equivalence class it meets tends to be the one with
// the fewest preemptions. Combining a preemption bound with sleep sets is not
// complete in general (a class may only have representatives over the bound
// among the orders the sleep set leaves); the test suite checks, for every
// scenario and configuration, that the reduced search finds exactly the
// faults the unreduced search under the same bound finds.

import type { PatchConfig } from './config';
import { Execution } from './execution';
import { conflicts, type Access } from './kernel';
import type { Scenario } from './scenarios';

export interface ExploreOptions {
  /** The most preemptions (switching away from a task that could go on) a schedule may have. */
  preemptionBound: number;
  /** Use sleep sets; false enumerates every schedule under the bound. */
  reduce: boolean;
}

export interface ExplorationStats {
  /** Complete schedules visited. */
  schedules: number;
  /** Paths abandoned because every enabled task was asleep. */
  sleepBlocked: number;
  /** Steps executed, replays included: the cost of the search. */
  steps: number;
}

export const DEFAULT_PREEMPTION_BOUND = 2;

interface Sleeper {
  task: number;
  accesses: Access[];
}

/** Calls `visit` with the finished execution of every schedule explored. */
export function explore(
  scenario: Scenario,
  config: PatchConfig,
  options: ExploreOptions,
  visit: (run: Execution) => void,
): ExplorationStats {
  const stats: ExplorationStats = { schedules: 0, sleepBlocked: 0, steps: 0 };

  const search = (run: Execution, sleeping: Sleeper[]): void => {
    const enabled = run.enabledTasks();
    if (enabled.length === 0) {
      stats.schedules++;
      visit(run);
      return;
    }
    // Continue the running task first, then the others in order.
    const order = enabled.includes(run.lastTask) ? [run.lastTask, ...enabled.filter((t) => t !== run.lastTask)] : enabled;
    // Decided on the state at this branch point: the first child reuses `run` and moves it on.
    const prefix = [...run.choices];
    const preempts = new Set(order.filter((t) => run.isPreemption(t)));
    const budgetLeft = run.preemptions < options.preemptionBound;
    const done: Sleeper[] = [];
    let current: Execution | null = run;
    let explored = 0;
    for (const task of order) {
      if (sleeping.some((s) => s.task === task)) continue;
      if (preempts.has(task) && !budgetLeft) continue;
      const child: Execution = current ?? replay(scenario, config, prefix, stats);
      current = null;
      const accesses = child.step(task);
      stats.steps++;
      const childSleeping = options.reduce
        ? [...sleeping, ...done].filter((s) => !conflicts(s.accesses, accesses))
        : [];
      search(child, childSleeping);
      if (options.reduce) done.push({ task, accesses });
      explored++;
    }
    if (explored === 0) stats.sleepBlocked++;
  };

  search(new Execution(scenario, config), []);
  return stats;
}

function replay(scenario: Scenario, config: PatchConfig, prefix: readonly number[], stats: ExplorationStats): Execution {
  stats.steps += prefix.length;
  return Execution.replay(scenario, config, prefix);
}
