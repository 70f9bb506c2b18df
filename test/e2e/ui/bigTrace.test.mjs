// A trace over 50 MB, which VS Code never hands to extensions: opened from
// quick open, its race still reaches the Problems panel (the worker reads the
// file), and closing the tab of another one while it is analysed cancels that
// analysis (the worker is stopped; the trace gets no diagnostics until it is
// opened again).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../session.mjs';
import { quickOpen, shot, useWorkbench } from './workbench.mjs';

/** Filler events (55 bytes each) of four unrelated tasks, then the DMR2 race of the sample. */
function writeBigTrace(name, fillers) {
  const race = readFileSync(join(session.folder, 'sample-traces', 'dmr2-stale-lookup-get.race.dmtrace'), 'utf8')
    .split('\n')
    .filter((l) => /^\d/.test(l));
  const lines = ['!lock _minor_lock mutex'];
  for (let k = 0; k < fillers; k++) lines.push(`${(10 + k * 1e-6).toFixed(6)} cpu${2 + (k % 2)} filler/${900 + (k % 4)} md_access md=md${100 + (k % 50)} field=map`);
  const raceLine = lines.length + race.findIndex((l) => / dm_get /.test(l)) + 1;
  lines.push(...race);
  const dir = join(session.folder, 'big');
  mkdirSync(dir, { recursive: true });
  const text = lines.join('\n') + '\n';
  writeFileSync(join(dir, name), text);
  assert.ok(text.length > 50 * 1024 * 1024, `${text.length} bytes: over VS Code's sync limit`);
  return raceLine;
}

/** code-server asks before it opens a file this big in the text editor ("Open Anyway"): a user says yes. */
async function openAnyway(page) {
  const button = page.locator('.monaco-button', { hasText: 'Open Anyway' }).first();
  await button.waitFor({ timeout: 20_000 });
  await button.click();
}

describe('a trace too big for VS Code to hand to extensions', function () {
  this.timeout(180_000);
  /** @type {import('playwright-core').Page} */
  let page;
  let raceLine;
  useWorkbench(async (opened) => {
    page = opened;
    raceLine = writeBigTrace('big-race.dmtrace', 1_000_000);
    // Twice as big: its analysis still runs when Cancel is clicked.
    writeBigTrace('big-cancel.dmtrace', 2_000_000);
  });

  it('gets its race in the Problems panel', async function () {
    const start = Date.now();
    await quickOpen(page, 'big-race.dmtrace');
    // code-server asks before it shows a file this big; a user says yes (and the extension activates on the dm trace language).
    await openAnyway(page);
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'DMR2' }).first();
    await row.waitFor({ timeout: 120_000 });
    console.log(`      tab opened -> DMR2 in the Problems panel: ${((Date.now() - start) / 1000).toFixed(1)} s (on a loaded machine)`);
    const text = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
    await shot(page, 'big-trace-problems');
    assert.match(text, /dm_get of md0/);
    assert.match(text, new RegExp(`Ln ${raceLine}\\b`));
  });

  it('stops the analysis when the tab is closed, and analyses the trace again when it is reopened', async function () {
    const rowOf = page.locator('.markers-panel .monaco-list-row', { hasText: 'big-cancel.dmtrace' });
    // The extension is active now: the tab alone starts the analysis, closing it cancels the analysis.
    await quickOpen(page, 'big-cancel.dmtrace');
    await page.keyboard.press('Control+W');
    await page.locator('.tabs-container .tab[aria-label*="big-cancel.dmtrace"]').waitFor({ state: 'detached', timeout: 10_000 });
    // Longer than the analysis takes: nothing may arrive for the closed trace.
    await page.waitForTimeout(25_000);
    assert.equal(await rowOf.count(), 0, 'no diagnostics for the cancelled analysis');
    assert.ok((await page.locator('.markers-panel .monaco-list-row', { hasText: 'big-race.dmtrace' }).count()) > 0, 'the first trace keeps its diagnostics');
    // The worker that was stopped is replaced: reopening analyses the trace.
    await quickOpen(page, 'big-cancel.dmtrace');
    await rowOf.first().waitFor({ timeout: 120_000 });
    await shot(page, 'big-trace-reopened');
  });
});
