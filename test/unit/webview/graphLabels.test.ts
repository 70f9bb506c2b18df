// Task names in the graph's gutter (webview/layout.ts fitTaskName): on real
// recordings every task is `dm-race-workloa/<pid>`, so a name cut at its end
// makes the racing tasks look the same; the pid must survive.
import * as assert from 'node:assert/strict';
import { fitTaskName, shortSubject } from '../../../webview/layout';

/** A monospace stand-in for the canvas: 7 pixels a character. */
const painter = { measure: (s: string) => s.length * 7 };

describe('task names in the graph gutter', () => {
  it('keep the pid of a long comm and shorten the comm', () => {
    const a = fitTaskName(painter, 'dm-race-workloa/102', '12px', 90);
    const b = fitTaskName(painter, 'dm-race-workloa/103', '12px', 90);
    assert.equal(a, 'dm-race…/102');
    assert.notEqual(a, b);
    assert.ok(painter.measure(a) <= 90);
  });

  it('leave a name that fits as it is, and fall back to the pid alone in a narrow gutter', () => {
    assert.equal(fitTaskName(painter, 'lvm/4300', '12px', 90), 'lvm/4300');
    assert.equal(fitTaskName(painter, 'dm-race-workloa/102', '12px', 30), '102');
    assert.equal(fitTaskName(painter, 'kworker:events_unbound', '12px', 70), 'kworker:e…');
  });
});

describe('event labels in the graph', () => {
  it('shorten a recorded kernel address to its last six digits, and leave names alone', () => {
    assert.equal(shortSubject('0xff15f28b027dd000'), '0x…7dd000');
    assert.notEqual(shortSubject('0xff2115e94182a000'), shortSubject('0xff2115e941991000'));
    assert.equal(shortSubject('md0'), 'md0');
    assert.equal(shortSubject('_minor_lock'), '_minor_lock');
    assert.equal(shortSubject('0x1f'), '0x1f');
  });
});
