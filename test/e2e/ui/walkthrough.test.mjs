// The walkthrough is listed by "Welcome: Open Walkthrough..." and shows its steps
// with their markdown media.
import assert from 'node:assert/strict';
import { runCommand, shot, useWorkbench } from './workbench.mjs';

describe('walkthrough', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench((opened) => (page = opened));

  it('opens "Hunt dm races with DM Race Lens" with its five steps', async function () {
    await runCommand(page, 'Welcome: Open Walkthrough');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Hunt dm races with DM Race Lens' }).first();
    await pick.waitFor({ timeout: 10_000 });
    await pick.click();
    const steps = page.locator('.getting-started-step');
    await steps.filter({ hasText: 'Step the interleaving' }).first().waitFor({ timeout: 15_000 });
    const text = (await steps.allInnerTexts()).join('\n');
    for (const title of ['Open a trace', 'See the races', 'Understand the window', 'Step the interleaving', 'Open the closing patch']) assert.ok(text.includes(title), title);
    await steps.filter({ hasText: 'Understand the window' }).first().click();
    // The step's markdown media renders in a webview beside the steps.
    const media = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await media.locator('text=Hover any event').first().waitFor({ timeout: 15_000 });
    await shot(page, 'walkthrough');
  });
});
