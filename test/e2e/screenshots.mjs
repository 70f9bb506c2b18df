// The screenshots in the docs, taken in the real code-server with Debian's
// chromium on the committed recordings of the real 6.1 race variants:
//   docs/images/graph-r2-window.png  the happens-before graph (its editor group maximised) fitted to an R2
//                                    window (r2-stale-lookup-get.lookup.ftrace.txt, the dm_get at line 728)
//   docs/images/hover-r1-crash.png   the hover on the lookup that oopsed the R1 kernel
//                                    (r1-publish-before-init.lookup.ftrace.txt, its last line, 2401)
// Run: `node test/e2e/run.mjs screenshots` (not part of npm test; the same
// setup, build and code-server as the e2e tests; nothing is downloaded).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';
import { quickOpen, runCommand, useWorkbench } from './ui/workbench.mjs';

const IMAGES = join(ROOT, 'docs', 'images');
const R2 = { file: 'r2-stale-lookup-get.lookup.ftrace.txt', line: 728 };
const R1 = { file: 'r1-publish-before-init.lookup.ftrace.txt', line: 2401 };

describe('docs screenshots', function () {
  this.timeout(180_000);
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench(async (opened) => {
    page = opened;
    mkdirSync(IMAGES, { recursive: true });
  });
  const graph = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  /** The race count in the status bar: the trace is analysed (its races may be far below the first screen). */
  const analysed = () => page.locator('.statusbar-item', { hasText: /\d+ races?\b/ }).first().waitFor({ timeout: 60_000 });

  /** Puts the cursor on a line with quick open's `:line` and waits for the status bar to say so. */
  async function goToLine(line) {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).waitFor({ timeout: 10_000 });
  }

  /** Hides the panel and the side bar so the picture is the editor (and the graph). */
  async function tidy() {
    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Close Panel').catch(() => {});
    await runCommand(page, 'View: Close Primary Side Bar').catch(() => {});
  }

  it('the R2 window in the graph', async function () {
    await quickOpen(page, R2.file);
    await analysed();
    await tidy();
    await goToLine(R2.line);
    // The CodeLens right above the race's line opens the graph on that race.
    const number = page.locator('.monaco-editor .line-numbers', { hasText: new RegExp(`^${R2.line}$`) }).first();
    const y = (await number.boundingBox()).y;
    const lenses = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Show in graph' });
    // CodeLenses arrive after the diagnostics: look for the one just above the line until it is there.
    let best;
    for (let tries = 0; !best && tries < 30; tries++) {
      if (tries > 0) await page.waitForTimeout(1000);
      for (const lens of await lenses.all()) {
        const box = await lens.boundingBox();
        if (box && box.y < y && y - box.y < 40 && (!best || box.y > best.y)) best = { lens, y: box.y };
      }
    }
    assert.ok(best, 'a Show in graph CodeLens above the race');
    await best.lens.click();
    const canvas = graph().locator('#graph');
    await canvas.waitFor({ timeout: 30_000 });
    await graph().locator('#announce', { hasText: `line ${R2.line}` }).waitFor({ timeout: 30_000 });
    // The graph's group takes the window; the view is fitted to the race again at that width.
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    await page.waitForTimeout(1000);
    await graph().locator('#fit-race').click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(IMAGES, 'graph-r2-window.png') });
  });

  it('the hover on the lookup that crashed the R1 kernel', async function () {
    await runCommand(page, 'View: Close All Editors');
    await quickOpen(page, R1.file);
    await analysed();
    await goToLine(R1.line);
    const number = page.locator('.monaco-editor .line-numbers', { hasText: new RegExp(`^${R1.line}$`) }).first();
    const row = await number.boundingBox();
    const text = await page.locator('.monaco-editor .view-lines').first().boundingBox();
    // Move onto the event name of the line (past the task and timestamp columns).
    await page.mouse.move(text.x + 20, text.y + 5);
    await page.mouse.move(text.x + 620, row.y + row.height / 2, { steps: 4 });
    const hover = page.locator('.monaco-hover .monaco-hover-content', { hasText: 'DMR1' }).first();
    await hover.waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(IMAGES, 'hover-r1-crash.png') });
  });
});
