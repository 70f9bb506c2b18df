// The held-lock walk (rules/locks.ts) against a plain re-statement of the
// held-lock semantics (docs/rules.md), event by event, on random traces:
// named and anonymous locks of both kinds, releases of locks not held,
// atomic_dec_and_lock with and without `!lock`, and stacks deep enough for
// the walk's per-lock counts.

import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../extension/core/analyze';
import { heldLockFacts } from '../../../extension/core/rules/locks';
import type { Trace } from '../../../extension/core/trace/model';
import { Ev } from '../../../extension/core/trace/vocabulary';
import { seededRandom as random, trace } from '../helpers';

function randomTrace(seed: number, events: number, { deep = false, anonymous = true } = {}): string {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const locks = deep ? Array.from({ length: 40 }, (_, k) => `L${k}`) : ['A', 'B', 'C', 'D'];
  const tasks = ['a/1', 'b/2', 'c/3'];
  const lockArg = () => (anonymous && r() < 0.2 ? '' : ` lock=${pick(locks)}`);
  const lines = ['!lock B mutex', '!lock D spin'];
  for (let k = 0; k < events; k++) {
    const task = pick(tasks);
    const what = r();
    // deep traces acquire more often than they release, so stacks grow past the walk's threshold
    const acquire = deep ? 0.55 : 0.3;
    if (what < acquire) lines.push(`${task} ${pick(['spin_lock', 'mutex_lock', 'down_read', 'down_write'])}${lockArg()}`);
    else if (what < 0.6) lines.push(`${task} ${pick(['spin_unlock', 'mutex_unlock', 'up_read', 'up_write'])}${lockArg()}`);
    else if (what < 0.65) lines.push(`${task} atomic_dec_and_lock md=md0${lockArg()} holders=0 ret=${pick(['0', '1'])}`);
    else if (what < 0.75) lines.push(`${task} idr_find idr=I minor=0 ret=md0`);
    else if (what < 0.9) lines.push(`${task} kmalloc obj=o gfp=${pick(['GFP_KERNEL', 'GFP_ATOMIC', '0x0', '0x20'])}`);
    else if (what < 0.95) lines.push(`${task} idr_pre_get idr=I gfp=GFP_KERNEL`);
    else lines.push(`${task} md_access md=md0 field=x`);
  }
  return trace(...lines);
}

/** What the walk answers, worked out the plain way: one list of held locks per task, objects and all. */
function expectedFacts(t: Trace) {
  const anonymous = t.strings.intern('<anonymous>');
  const acquires = new Set([Ev.spin_lock, Ev.mutex_lock, Ev.down_read, Ev.down_write, Ev.atomic_dec_and_lock]);
  const releases = new Set([Ev.spin_unlock, Ev.mutex_unlock, Ev.up_read, Ev.up_write]);
  // allocations only with a mask that sleeps for some value of the reclaim bit: a sleeping name or a number but 0
  const maySleep = (i: number) =>
    [Ev.mutex_lock, Ev.down_read, Ev.down_write].includes(t.name[i]) || (isAllocation(t.name[i]) && ['GFP_KERNEL', '0x20'].includes(t.arg(i, 'gfp') ?? ''));
  const isAllocation = (name: number) => name === Ev.idr_pre_get || name === Ev.kmalloc;
  const lockOf = (i: number) => t.arg(i, 'lock') ?? '<anonymous>';
  const kindOf = (i: number): 'spin' | 'mutex' => {
    if (t.name[i] === Ev.spin_lock || t.name[i] === Ev.spin_unlock) return 'spin';
    if (t.name[i] === Ev.atomic_dec_and_lock) return t.declaredLockKind(lockOf(i), t.line[i]) ?? 'spin';
    return 'mutex';
  };
  const releasedAnonymously = new Set<string>();
  for (let i = 0; i < t.length; i++) if (releases.has(t.name[i]) && t.arg(i, 'lock') === undefined) releasedAnonymously.add(kindOf(i));
  const held = t.tasks.map(() => [] as { lock: string; acquire: number; kind: string }[]);
  const pending = t.tasks.map(() => [] as { find: number; locks: Set<string> }[]);
  const inSpin: [number, number, string][] = [];
  const findRelease = new Map<number, number>();
  for (let i = 0; i < t.length; i++) {
    const mine = held[t.task[i]];
    const name = t.name[i];
    const spin = mine.find((h) => h.kind === 'spin');
    if (maySleep(i) && spin) inSpin.push([i, spin.acquire, spin.lock]);
    if (name === Ev.idr_find && mine.length > 0) {
      findRelease.set(i, -1);
      pending[t.task[i]].push({ find: i, locks: new Set(mine.map((h) => h.lock)) });
    } else if (releases.has(name)) {
      const lock = lockOf(i);
      for (const p of pending[t.task[i]].filter((q) => q.locks.has(lock))) findRelease.set(p.find, i);
      pending[t.task[i]] = pending[t.task[i]].filter((q) => !q.locks.has(lock));
      let h = mine.length - 1;
      while (h >= 0 && !(mine[h].lock === lock && (lock !== '<anonymous>' || mine[h].kind === kindOf(i)))) h--;
      if (h >= 0) mine.splice(h, 1);
    } else if (acquires.has(name)) {
      if (name === Ev.atomic_dec_and_lock && t.arg(i, 'ret') !== '1') continue;
      if (lockOf(i) === '<anonymous>' && !releasedAnonymously.has(kindOf(i))) continue;
      mine.push({ lock: lockOf(i), acquire: i, kind: kindOf(i) });
    }
  }
  assert.ok(anonymous >= 0);
  return { inSpin, findRelease: [...findRelease].sort((a, b) => a[0] - b[0]) };
}

function actualFacts(t: Trace) {
  const { inSpin, findRelease } = heldLockFacts(t);
  return {
    inSpin: inSpin.event.map((e, k): [number, number, string] => [e, inSpin.acquire[k], t.strings.get(inSpin.lock[k])]),
    findRelease: [...findRelease].sort((a, b) => a[0] - b[0]),
  };
}

describe('held locks: the walk against the plain statement of its semantics', () => {
  it('gives the same answers on random traces with named and anonymous locks', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const t = analyzeText(randomTrace(seed, 300)).trace;
      assert.deepEqual(actualFacts(t), expectedFacts(t), `seed ${seed}`);
    }
  });

  it('gives the same answers when stacks grow deep (the walk then counts entries per lock)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const t = analyzeText(randomTrace(seed, 600, { deep: true })).trace;
      assert.deepEqual(actualFacts(t), expectedFacts(t), `seed ${seed}`);
    }
  });

  it('holds anonymous acquires only of the kinds the trace releases anonymously', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = randomTrace(seed, 300).replaceAll(/(spin_unlock|mutex_unlock|up_read|up_write)\n/g, '$1 lock=A\n');
      const t = analyzeText(text).trace;
      assert.deepEqual(actualFacts(t), expectedFacts(t), `seed ${seed}`);
    }
  });

  it('finds the cases it compares (the random traces are not all trivial)', () => {
    const t = analyzeText(randomTrace(3, 300)).trace;
    const { inSpin, findRelease } = expectedFacts(t);
    assert.ok(inSpin.length > 5, `${inSpin.length} events in a spinlock`);
    assert.ok(findRelease.some(([, r]) => r >= 0) && findRelease.some(([, r]) => r < 0), 'finds released and never released');
  });
});
