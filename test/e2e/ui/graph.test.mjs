// The happens-before graph in the real VS Code: the command opens the webview
// with the trace's graph, the cursor in the trace selects its event in the
// graph, and a click on an event in the graph moves the editor's cursor there.
import assert from 'node:assert/strict';
import { quickOpen, runCommand, shot, statusBarText, useWorkbench } from './workbench.mjs';

const TRACE = 'dmr2-stale-lookup-get.race.dmtrace';

describe('happens-before graph webview', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench(async (opened) => {
    page = opened;
    await quickOpen(page, TRACE);
  });

  const graph = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const lineOf = async () => Number(/Ln (\d+)/.exec(await statusBarText(page))?.[1]);
  /** Puts the trace editor's cursor on a line with quick open's `:line`. */
  async function goToLine(line) {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).waitFor({ timeout: 10_000 });
  }

  it('Show happens-before graph opens the graph of the trace with its race', async function () {
    await runCommand(page, 'DM Race: Show happens-before graph');
    const canvas = graph().locator('#graph');
    await canvas.waitFor({ timeout: 30_000 });
    await graph().locator('#graph[aria-label*="13 events"]').waitFor({ timeout: 30_000 });
    const label = await canvas.getAttribute('aria-label');
    assert.match(label, /13 events in 2 tasks, 1 race\b/);
    const races = await graph().locator('#race-list').textContent();
    assert.match(races, /DMR2 stale-lookup-get \(error\) at line 17/);
    const options = await graph().locator('#task vscode-option').allTextContents();
    assert.deepEqual(options.map((o) => o.trim()), ['all tasks', 'dmsetup/4310 (cpu0)', 'lvm/4300 (cpu1)']);
    await shot(page, 'graph-webview');
  });

  it('moving the cursor in the trace selects the event in the graph', async function () {
    await goToLine(15);
    await graph().locator('#announce', { hasText: 'line 15' }).waitFor({ timeout: 10_000 });
    const said = await graph().locator('#announce').textContent();
    assert.match(said, /Selected dmsetup\/4310: idr_remove .*line 15/);
  });

  it('clicking an event in the graph moves the editor selection to its line', async function () {
    await goToLine(17);
    await graph().locator('#announce', { hasText: 'line 17' }).waitFor({ timeout: 10_000 });
    const at = await graph().locator('#graph').getAttribute('data-selected-at');
    assert.ok(at, 'the selected event is on screen');
    const [x, y] = at.split(',').map(Number);
    // Line 3 is a comment: the cursor leaves line 17 and the graph stays where it is.
    await goToLine(3);
    assert.equal(await lineOf(), 3);
    await graph().locator('#graph').click({ position: { x, y } });
    // The focus stays in the graph, so read the editor's current line from its gutter.
    const active = page.locator('.monaco-editor .line-numbers.active-line-number', { hasText: /^\s*17\s*$/ });
    await active.waitFor({ timeout: 10_000 });
    const selected = await page.locator('.monaco-editor .selected-text').count();
    assert.ok(selected > 0, 'the line of the event is selected in the editor');
    await shot(page, 'graph-click-reveals-line');
  });

  it('stepping through the interleaving moves the graph selection with the editor', async function () {
    await page.locator('.monaco-editor .view-lines').first().click();
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Step through interleaving' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await lens.click();
    await page.locator('.statusbar-item', { hasText: /Step 1\/\d+/ }).waitFor({ timeout: 10_000 });
    for (const step of [1, 2, 3]) {
      if (step > 1) {
        await page.keyboard.press('F10');
        await page.locator('.statusbar-item', { hasText: new RegExp(`Step ${step}/`) }).waitFor({ timeout: 10_000 });
      }
      const line = await lineOf();
      await graph().locator('#announce', { hasText: `line ${line}` }).waitFor({ timeout: 10_000 });
    }
    await shot(page, 'graph-follows-stepping');
    await page.keyboard.press('Escape');
  });
});
