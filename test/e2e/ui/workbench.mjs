// Small helpers over the code-server workbench for the UI tests.
import { join } from 'node:path';
import { session } from '../session.mjs';

/** A new page on the workspace, once the workbench (and the explorer) is up. */
export async function openWorkbench() {
  const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${session.url}/?folder=${encodeURIComponent(session.folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  return page;
}

/**
 * Quick open (Control+P) a file by name and wait for its editor tab. Right
 * after start the file index may still be building and the search finds
 * nothing yet: the palette is opened again, three times at most.
 */
export async function quickOpen(page, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(name);
      // Recently opened files are listed before the search results arrive: pick the row that matches.
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/**
 * Runs a command from the palette by its title. A webview (the graph) can hold
 * the keyboard focus, so the palette may not open or the typing may go astray:
 * the whole step is tried again, three times at most.
 */
export async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input').filter({ visible: true }).first();
  // Wait for the filtered row itself: Enter on a row from before the filter ran would run another command.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      // F1 opens the palette with ">" typed and the focus in its input: type the title there.
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 4000 });
      await page.keyboard.type(title);
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      // Give the keyboard back to the active text editor.
      await page.keyboard.press('Escape');
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ timeout: 5000 }).catch(() => {});
    }
  }
}

/**
 * Hovers the first squiggle of the active editor and returns the hover. A
 * CodeLens arriving late moves the squiggle down: it is looked up again and
 * hovered again, three times at most.
 */
export async function hoverSquiggle(page, selector = '.monaco-editor .squiggly-error') {
  const squiggle = page.locator(selector).first();
  const hover = page.locator('.monaco-hover .monaco-hover-content').first();
  for (let attempt = 1; ; attempt++) {
    try {
      await squiggle.waitFor({ timeout: 20_000 });
      const box = await squiggle.boundingBox();
      await page.mouse.move(box.x + 4, box.y + box.height / 2);
      await page.mouse.move(box.x + 8, box.y + box.height / 2);
      await hover.waitFor({ timeout: 5000 });
      return hover;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.mouse.move(5, 5);
    }
  }
}

/**
 * Hovers the start of a line of the active editor (its event's hover covers the
 * whole line) and returns the hover. A CodeLens arriving late moves the lines
 * down: the line is looked up again and hovered again, three times at most.
 */
export async function hoverLine(page, line) {
  const editor = page.locator('.editor-group-container.active .monaco-editor');
  const number = editor.locator('.line-numbers', { hasText: new RegExp(`^${line}$`) }).first();
  const hover = page.locator('.monaco-hover .monaco-hover-content').first();
  for (let attempt = 1; ; attempt++) {
    try {
      await number.waitFor({ timeout: 20_000 });
      const row = await number.boundingBox();
      const text = await editor.locator('.view-lines').first().boundingBox();
      await page.mouse.move(text.x + 20, text.y + text.height + 40);
      await page.mouse.move(text.x + 20, row.y + row.height / 2);
      await page.mouse.move(text.x + 30, row.y + row.height / 2);
      await hover.waitFor({ timeout: 5000 });
      return hover;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** The text of the status bar. */
export async function statusBarText(page) {
  return (await page.locator('.statusbar').innerText()).replace(/\s+/g, ' ');
}

export async function shot(page, name) {
  await page.screenshot({ path: join(session.results, `${name}.png`) });
}

/**
 * The page life cycle every UI suite shares: a workbench page opened before the
 * suite's tests (handed to `onOpen`), a screenshot of each failed test, the page closed after.
 */
export function useWorkbench(onOpen) {
  let page;
  before(async function () {
    page = await openWorkbench();
    await onOpen(page);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await shot(page, `FAILED-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`);
  });
  after(async function () {
    await page?.close();
  });
}
