// Arguments are stored as key codes (bytes while a trace has few distinct keys) and values,
// cpus and tasks as bytes while they are few: every argument, cpu and task must read back as
// written, also when a trace has many keys, tasks or big cpu numbers, from the text and the
// byte parser, and across the transfer to the editor's analysis worker.

import { strict as assert } from 'node:assert';
import { createParser, parseTrace } from '../../../extension/core/trace/parse';
import type { Trace } from '../../../extension/core/trace/model';
import { deserializeTrace, serializeTrace } from '../../../extension/core/trace/transfer';

/** 400 events: one new key each (past 255 and so past a byte), cpus up to 70 000 (past 16 bits). */
const LINES = Array.from({ length: 400 }, (_, i) => `${i}.0 cpu${i < 300 ? i % 8 : i * 175} t/${i % 5} dm_get md=md${i % 3} k${i}=v${i} holders=${i}`);
const TEXT = LINES.join('\n');

function expectedArgs(i: number): [string, string][] {
  return [['md', `md${i % 3}`], [`k${i}`, `v${i}`], ['holders', String(i)]];
}

function check(t: Trace): void {
  assert.equal(t.length, 400);
  for (let i = 0; i < 400; i++) {
    assert.deepEqual(t.argList(i), expectedArgs(i), `arguments of event ${i}`);
    assert.equal(t.arg(i, `k${i}`), `v${i}`);
    assert.equal(t.arg(i, `k${i + 1}`), undefined, 'a key of another event');
    assert.equal(t.arg(i, 'md'), `md${i % 3}`);
    assert.equal(t.cpu[i], i < 300 ? i % 8 : i * 175);
  }
  assert.equal(t.arg(0, 'no-such-key'), undefined);
}

describe('argument and cpu columns', () => {
  it('read back every argument and cpu from the text parser', () => check(parseTrace(TEXT)));

  it('read back every argument and cpu from the byte parser', () => {
    const parser = createParser('dmtrace');
    parser.feedBytes?.(new TextEncoder().encode(TEXT));
    check(parser.end());
  });

  it('cost a byte a key and a byte a cpu in a trace with few keys and cpus', () => {
    const t = parseTrace(LINES.slice(0, 200).map((l) => l.replace(/ k\d+=v\d+/, '')).join('\n'));
    assert.ok(t.argKey instanceof Uint8Array && t.cpu instanceof Uint8Array && t.task instanceof Uint8Array);
    assert.equal(t.arg(199, 'holders'), '199');
  });

  it('keep the task of every event when a trace has more tasks than 8 and 16 bits hold', () => {
    // events 0 and 1 of each task are 70 000 events apart: both ends of every widening are checked
    const n = 70_000;
    const lines = Array.from({ length: 2 * n }, (_, i) => `${i}.0 cpu0 p/${i % n} dm_get md=md0 holders=1`);
    const t = parseTrace(lines.join('\n'));
    assert.equal(t.tasks.length, n);
    assert.ok(t.task instanceof Int32Array);
    let wrong = 0;
    for (let i = 0; i < 2 * n; i++) if (t.taskName(i) !== `p/${i % n}` || t.seq[i] !== (i < n ? 1 : 2)) wrong++;
    assert.equal(wrong, 0);
  });

  it('survive the transfer to the analysis worker', () => {
    const { data, transfer } = serializeTrace(parseTrace(TEXT));
    check(deserializeTrace(structuredClone(data, { transfer })));
  });
});
