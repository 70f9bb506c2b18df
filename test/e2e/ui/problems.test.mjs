// What a person sees on a racy trace: squiggles, Problems rows with the rule
// code, the hover that explains the race, the link that opens the closing
// patch, and the race count in the status bar.
import assert from 'node:assert/strict';
import { hoverSquiggle, quickOpen, shot, statusBarText, useWorkbench } from './workbench.mjs';

describe('a racy trace in the editor', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench(async (opened) => {
    page = opened;
    await quickOpen(page, 'dmr2-stale-lookup-get.race.dmtrace');
  });

  it('squiggles the dm_get and lists the race in the Problems panel', async function () {
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ timeout: 20_000 });
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    const text = (await rows.allInnerTexts()).join('\n');
    await shot(page, 'problems-dmr2');
    assert.match(text, /dm_get of md0 at line 17/);
    assert.match(text, /DMR2/);
    assert.match(text, /Ln 17/);
    // Related information: the idr_find and the final put are listed under it.
    assert.match(text, /idr_find idr=_minor_idr minor=0 ret=md0/);
    assert.match(text, /dm_put md=md0 holders=0/);
    assert.match(await statusBarText(page), /1 race\b/);
  });

  it('explains the race when the squiggle is hovered, and opens the closing patch', async function () {
    await hoverSquiggle(page);
    // Our part of the hover is computed asynchronously ("Loading..." first).
    const hover = page.locator('.monaco-hover .monaco-hover-content', { hasText: 'Witness schedule' }).first();
    await hover.waitFor({ timeout: 10_000 });
    const text = await hover.innerText();
    await shot(page, 'hover-dmr2');
    assert.match(text, /DMR2 stale-lookup-get/);
    assert.match(text, /Witness schedule/);
    assert.match(text, /Consequence/);
    assert.match(text, /lvm\/4300 \(cpu1\)/, 'the timeline names the tasks');
    // The whole explanation, for the screenshot: panel closed, hover shown below an event of the race.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+J');
    const put = page.locator('.view-lines .view-line', { hasText: 'dmsetup/4310 dm_put' }).first();
    const putBox = await put.boundingBox();
    await page.mouse.move(putBox.x + 420, putBox.y + putBox.height / 2, { steps: 3 });
    const below = page.locator('.monaco-hover .monaco-hover-content', { hasText: 'part of the race' }).first();
    await below.waitFor({ timeout: 10_000 });
    await page.waitForTimeout(400);
    assert.match(await below.innerText(), /part of the race reported at line 17/);
    await shot(page, 'hover-dmr2-timeline');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Control+J');
    await hoverSquiggle(page);
    const link = page.locator('.monaco-hover a', { hasText: '04: dm: make _minor_lock a spinlock' }).first();
    await link.click();
    await page.locator('.tabs-container .tab.active[aria-label*="0004-dm-make-_minor_lock"]').waitFor({ timeout: 10_000 });
    await shot(page, 'patch-0004-opened');
  });

  it('opens a recorded ftrace file as a dm trace with its races squiggled', async function () {
    await page.keyboard.press('Escape');
    await quickOpen(page, 'session.ftrace.txt');
    await page.locator('.statusbar-item', { hasText: /\d+ races/ }).first().waitFor({ timeout: 20_000 });
    // The races are below the recorder's header: go to the first event lines.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor();
    await page.keyboard.type('40');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    const status = await statusBarText(page);
    assert.match(status, /dm trace/, 'the language is dm trace');
    assert.match(status, /\d+ races/);
    await shot(page, 'recorded-ftrace');
  });
});
