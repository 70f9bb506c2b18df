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

/** Quick open (Control+P) a file by name and wait for its editor tab. */
export async function quickOpen(page, name) {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 5 } }).catch(() => {});
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().waitFor({ timeout: 10_000 });
}

/** Runs a command from the palette by its title. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

export async function shot(page, name) {
  await page.screenshot({ path: join(session.results, `${name}.png`) });
}
