// What a person sees: a trace opened by quick open shows squiggles and rows in
// the Problems panel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { session } from '../session.mjs';
import { openWorkbench, quickOpen, shot } from './workbench.mjs';

describe('Problems panel', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  before(async function () {
    page = await openWorkbench();
  });
  after(async function () {
    await page?.close();
  });

  it('lists the races of a sample trace, with squiggles in the editor', async function () {
    await quickOpen(page, 'dmr2-stale-lookup-get.race.dmtrace');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    const text = (await rows.allInnerTexts()).join('\n');
    await shot(page, 'problems-dmr2');
    assert.match(text, /DMR2/);
    assert.ok(session.folder && join(session.folder));
  });
});
