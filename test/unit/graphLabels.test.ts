// Task names in the graph's gutter (webview/render.ts fitTaskName): on real
// recordings every task is `dm-race-workloa/<pid>`, so a name cut at its end
// makes the racing tasks look the same; the pid must survive.
import * as assert from 'node:assert/strict';
import { fitTaskName } from '../../webview/render';

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
