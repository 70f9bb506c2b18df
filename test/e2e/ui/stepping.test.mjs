// The CodeLens "Step through interleaving" and F10 / Shift+F10 move through the
// witness schedule, shown in the status bar like a debugger's step.
import assert from 'node:assert/strict';
import { quickOpen, shot, statusBarText, useWorkbench } from './workbench.mjs';

describe('stepping through the interleaving', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench(async (opened) => {
    page = opened;
    await quickOpen(page, 'dmr1-publish-before-init.race.dmtrace');
  });

  it('starts from the CodeLens and steps with F10 and Shift+F10', async function () {
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Step through interleaving' }).first();
    await lens.waitFor({ timeout: 20_000 });
    const lensTitles = await page.locator('.codelens-decoration').first().innerText();
    assert.match(lensTitles, /Show in graph/);
    assert.match(lensTitles, /DMR1 publish-before-init: closed by 01 \+ 02/);
    await lens.click();
    await page.locator('.statusbar-item', { hasText: /Step 1\/\d+/ }).waitFor({ timeout: 10_000 });
    const first = await statusBarText(page);
    const total = Number(/Step 1\/(\d+)/.exec(first)[1]);
    assert.ok(total >= 3, first);
    const lineOf = async () => Number(/Ln (\d+)/.exec(await statusBarText(page))[1]);
    const line1 = await lineOf();
    await page.keyboard.press('F10');
    await page.locator('.statusbar-item', { hasText: `Step 2/${total}` }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F10');
    await page.locator('.statusbar-item', { hasText: `Step 3/${total}` }).waitFor({ timeout: 10_000 });
    await shot(page, 'stepping-step3');
    assert.notEqual(await lineOf(), line1, 'the cursor moved with the steps');
    await page.keyboard.press('Shift+F10');
    await page.locator('.statusbar-item', { hasText: `Step 2/${total}` }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await page.locator('.statusbar-item', { hasText: /Step \d+\// }).waitFor({ state: 'detached', timeout: 10_000 });
  });
});
