// The hover explanations, read off real analyses of the sample traces.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../../extension/core/analyze';
import * as explain from '../../../extension/core/report/explain';
import { unescapeMarkdown } from '../../markdownSyntax';
import { repoPath } from '../helpers';

// The explanations are Markdown with trace text escaped: the tests read them as the hover shows them.
const plain = <A extends unknown[]>(f: (...args: A) => string) => (...args: A) => unescapeMarkdown(f(...args));
const eventHeader = plain(explain.eventHeader);
const explainFinding = plain(explain.explainFinding);
const witnessList = plain(explain.witnessList);
const orderingFacts = (...args: Parameters<typeof explain.orderingFacts>) => explain.orderingFacts(...args).map(unescapeMarkdown);
const concurrencyFacts = (...args: Parameters<typeof explain.concurrencyFacts>) => explain.concurrencyFacts(...args).map(unescapeMarkdown);
const { findingsOf, windowTimeline } = explain;

const SAMPLES = repoPath('sample-traces');
const analyze = (name: string) => analyzeText(readFileSync(join(SAMPLES, name), 'utf8'));
const eventAt = (a: ReturnType<typeof analyze>, line: number) => a.trace.eventAtLine(line);

describe('hover explanations', () => {
  const a = analyze('dmr2-stale-lookup-get.race.dmtrace');
  const [f] = a.findings;

  it('names the event, its task, cpu, time and line', () => {
    const text = eventHeader(a.trace, eventAt(a, 17));
    assert.match(text, /\*\*`dm_get md=md0 holders=1`\*\* — takes a reference on a mapped_device/);
    assert.match(text, /lvm\/4300 on cpu1 at 30\.000250 s, line 17 \(event 5 of its task\)/);
  });

  it('orders an acquire after the release that handed the lock over', () => {
    const facts = orderingFacts(a.trace, a.hb, eventAt(a, 14));
    assert.deepEqual(facts, ['after `md_access md=md0 field=map` at line 13 in program order', 'after `mutex_unlock` at line 11 (lvm/4300) through _minor_lock']);
  });

  it('says the first event of a task has no predecessor', () => {
    assert.deepEqual(orderingFacts(a.trace, a.hb, eventAt(a, 8)), ['first event of lvm/4300']);
  });

  it('lists what an event is unordered with', () => {
    // lvm's dm_get (17) races with dmsetup's put at 12 and everything up to its free at 18.
    assert.deepEqual(concurrencyFacts(a.trace, a.hb, eventAt(a, 17)), ['unordered with dmsetup/4310 lines 12–18']);
    // dmsetup's mutex_lock (14) comes after lvm's unlock: it is ordered after lines 8-11 but not with what follows.
    assert.deepEqual(concurrencyFacts(a.trace, a.hb, eventAt(a, 14)), ['unordered with lvm/4300 lines 17–20']);
  });

  it('draws the window as one column per task, the race events marked', () => {
    const timeline = windowTimeline(a.trace, a.hb, f).split('\n');
    assert.match(timeline[0], /^line {2}lvm\/4300 \(cpu1\) +│ dmsetup\/4310 \(cpu0\)/);
    const row17 = timeline.find((l) => l.startsWith('  17'));
    assert.ok(row17 && /▶ dm_get md=md0 holders=1/.test(row17), row17);
    const row12 = timeline.find((l) => l.startsWith('  12'));
    assert.ok(row12 && /│ ▶ dm_put md=md0 holders=0/.test(row12), `the put is in the second column: ${row12}`);
    // Rows follow happens-before order: line numbers never go down within a task's column.
    const lines = timeline.slice(2).map((l) => Number(l.slice(0, 4)));
    assert.equal(lines.length, new Set(lines).size);
  });

  it('numbers the witness steps and bolds the race events', () => {
    const list = witnessList(f).split('\n');
    assert.equal(list.length, f.witness.length);
    assert.match(list[0], /^1\. /);
    assert.ok(list.some((l) => /\*\*lvm\/4300: dm_get md=md0 holders=1 \(line 17\)/.test(l)), list.join('\n'));
  });

  it('puts rule, message, window, witness and consequence together', () => {
    const text = explainFinding(a.trace, a.hb, f);
    for (const part of ['**DMR2 stale-lookup-get** (error) on md0', f.message, 'The window:', '```text', 'Witness schedule', '**Consequence:** refcount resurrection']) {
      assert.ok(text.includes(part), part);
    }
  });

  it('finds the races an event takes part in, its own first', () => {
    assert.deepEqual(findingsOf(a.findings, f.primary), [0]);
    assert.deepEqual(findingsOf(a.findings, f.related[0]), [0]);
    assert.deepEqual(findingsOf(a.findings, eventAt(a, 8)), []);
  });

  it('shows a warning\'s hypothetical step as not in the trace', () => {
    const warn = analyzeText('!lock L mutex\n1.0 cpu0 a/1 mutex_lock lock=L\n1.1 cpu0 a/1 idr_find idr=i minor=0 ret=md0\n1.2 cpu0 a/1 mutex_unlock lock=L\n1.3 cpu0 a/1 dm_get md=md0 holders=2\n').findings[0];
    assert.equal(warn.severity, 'warning');
    assert.match(witnessList(warn), /\*another task: .*\* \(not in this trace\)/);
  });
});

describe('hover explanations with many tasks', () => {
  // Five bystander tasks unordered with everything, then the race of the sample.
  const race = readFileSync(join(SAMPLES, 'dmr2-stale-lookup-get.race.dmtrace'), 'utf8');
  const bystanders = [1, 2, 3, 4, 5].map((k) => `1.00000${k} cpu2 filler/${k} md_access md=md9 field=map`).join('\n');
  const a = analyzeText(`${bystanders}\n${race}`);
  const get = a.findings[0].primary;

  it('names the race\'s own tasks first and counts the rest', () => {
    const prefer = a.findings[0].window.map((l) => l.task);
    const facts = concurrencyFacts(a.trace, a.hb, get, 4, prefer);
    assert.match(facts[0], /^unordered with dmsetup\/4310 /);
    assert.equal(facts.length, 5);
    assert.equal(facts[4], 'and with 2 other tasks');
  });

  it('without a preference lists tasks in trace order, still counting the rest', () => {
    const facts = concurrencyFacts(a.trace, a.hb, get);
    assert.deepEqual(facts.slice(0, 4).map((f) => f.split(' ')[2]), ['filler/1', 'filler/2', 'filler/3', 'filler/4']);
    assert.equal(facts[4], 'and with 2 other tasks');
  });
});
