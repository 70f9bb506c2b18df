// Restricted mode (an untrusted workspace): the extension executes nothing, so
// it declares itself supported and still shows the races; it looks at no
// `!source` path until the workspace is trusted.
import assert from 'node:assert/strict';
import { quickOpen, shot, useWorkbench } from './workbench.mjs';

describe('restricted mode', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench((opened) => (page = opened));

  it('shows races in an untrusted workspace', async function () {
    // The trust prompt is a modal that comes up a moment after the workbench: wait for it and
    // answer "No, I don't trust" to stay restricted (checking only once raced with it under load).
    const dontTrust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don't trust|Don't Trust/ }).first();
    const restrictedIndicator = page.locator('text=Restricted Mode').first();
    await Promise.race([dontTrust.waitFor({ timeout: 20_000 }), restrictedIndicator.waitFor({ timeout: 20_000 })]).catch(() => {});
    if (await dontTrust.isVisible()) await dontTrust.click();
    await page.locator('.statusbar, .window-title, .titlebar').first().waitFor();
    await quickOpen(page, 'dmr4-sleep-in-atomic.race.dmtrace');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    await shot(page, 'restricted-mode');
    const restricted = await page.locator('text=Restricted Mode').count();
    assert.ok(restricted > 0, 'the workbench is in Restricted Mode');
    assert.match((await rows.allInnerTexts()).join('\n'), /DMR4/);
  });

  it('looks at no !source path in an untrusted workspace', async function () {
    // The trusted run of this trace (security.test.mjs) links @dm.c:174 and warns on four !source lines.
    await quickOpen(page, 'escaping-source.dmtrace');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    // Links come a moment after the analysis: give them the time the trusted run needs, several times over.
    await page.waitForTimeout(5000);
    await shot(page, 'restricted-sources');
    assert.equal(await page.locator('.editor-group-container.active .monaco-editor .detected-link').count(), 0, 'no source link');
    if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: 'DMR2' }).first().waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await rows.allInnerTexts()).join('\n'), /outside the workspace folder/);
  });
});
