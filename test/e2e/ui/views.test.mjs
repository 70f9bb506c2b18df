// The Races view lists the races of the open traces by rule and device; a
// click reveals the event. A patch of the series says over each hunk which race
// it closes.
import assert from 'node:assert/strict';
import { quickOpen, shot, statusBarText, useWorkbench } from './workbench.mjs';

describe('views and patches', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench((opened) => (page = opened));

  it('shows the races of the open traces by rule and device, and reveals one on click', async function () {
    await quickOpen(page, 'multi-device.dmtrace');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    await page.locator('.activitybar .action-item a[aria-label*="DM Race Lens"]').click({ force: true });
    const tree = page.locator('.pane-body .monaco-list-row');
    // The tree fills in as the trace's analysis arrives: wait for the finding rows.
    await tree.filter({ hasText: 'line 26: lvm/' }).first().waitFor({ timeout: 10_000 });
    const text = (await tree.allInnerTexts()).join('\n');
    assert.match(text, /DMR3 open-while-freeing/);
    assert.match(text, /md11/);
    assert.match(text, /line 26: lvm\//);
    await shot(page, 'races-view');
    await tree.filter({ hasText: 'line 29:' }).first().click();
    await page.waitForFunction(() => /Ln 29,/.test(document.querySelector('.statusbar')?.textContent ?? ''), null, { timeout: 10_000 });
    assert.match(await statusBarText(page), /Ln 29, Col \d+ \(\d+ selected\)/, 'the event line is selected');
    // The patch series view lists the eight patches.
    await tree.filter({ hasText: "06 dm: take the lookup's reference" }).first().waitFor({ timeout: 10_000 });
  });

  it('says over each hunk of a patch which race it closes', async function () {
    await quickOpen(page, '0006-dm-take-the-lookup');
    const lens = page.locator('.codelens-decoration', { hasText: 'Patch 06 closes DMR2 stale-lookup-get (with 04)' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await shot(page, 'patch-0006-lens');
    assert.match(await lens.innerText(), /removes the DMR2 stale-lookup-get ordering/);
  });
});
