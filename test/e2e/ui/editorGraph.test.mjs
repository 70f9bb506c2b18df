// "Show in graph" from the editor: the CodeLens over a race and the palette
// command open the graph webview on the trace, listing its races.
import assert from 'node:assert/strict';
import { quickOpen, runCommand, shot, useWorkbench } from './workbench.mjs';

describe('graph from the editor', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench(async (opened) => {
    page = opened;
    await quickOpen(page, 'dmr3-open-while-freeing.race.dmtrace');
  });

  it('opens the happens-before graph of the race from the CodeLens', async function () {
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Show in graph' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await lens.click();
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const race = frame.locator('.race-item', { hasText: 'DMR3 open-while-freeing' }).first();
    await race.waitFor({ state: 'attached', timeout: 20_000 });
    assert.match(await race.textContent(), /DMR3 open-while-freeing \(error\) at line \d+, device md2/);
    await frame.locator('canvas#graph').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(800);
    await shot(page, 'graph-dmr3-from-codelens');
  });

  it('opens from the palette on the active trace', async function () {
    await quickOpen(page, 'dmr6-register-before-init.race.dmtrace');
    await runCommand(page, 'DM Race: Show happens-before graph');
    const frame = page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');
    await frame.locator('.race-item', { hasText: 'DMR6 register-before-init' }).first().waitFor({ state: 'attached', timeout: 20_000 });
    await page.waitForTimeout(500);
    await shot(page, 'graph-dmr6-from-palette');
  });
});
