// A trace is input, not code. Hostile Markdown and HTML in every name of a trace
// (task comms, lock names, values, the device through !alias) shows as text in
// the hover, the Races view tooltip and the stepper tooltip: no image, no HTML,
// no command link but the extension's own, no request to the image's host. A
// `!source` outside the workspace gets a warning and no link.
import assert from 'node:assert/strict';
import { hoverLine, quickOpen, shot, useWorkbench } from './workbench.mjs';

const COMM = 'lvm`[x](command:dmRaceLens.showGraph?%5B%22%2Fetc%2Fpasswd%22%5D)![](https://example.invalid/x.png)<img/src=x/onerror=alert(1)>/4300';
const LOCK = '` [x](command:dmRaceLens.showGraph?%5B%22%2Fetc%2Fpasswd%22%5D) ![](https://example.invalid/x.png) <img src=x onerror=alert(1)> $(alert)';
const OWN_LINK = /^command:dmRaceLens\.(stepThrough|showGraph|openPatch)\?/;

/** What a rendered hover holds: its text, images, theme icons the trace asked for, and link targets. */
function renderedHover(locator) {
  return locator.evaluate((el) => ({
    text: el.innerText,
    images: el.querySelectorAll('img, image, iframe, object, embed').length,
    alertIcons: el.querySelectorAll('.codicon-alert').length,
    links: [...el.querySelectorAll('.rendered-markdown a')].map((a) => a.getAttribute('data-href') || a.getAttribute('href') || ''),
  }));
}

describe('security: a trace with hostile names', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  const requests = [];
  useWorkbench(async (opened) => {
    page = opened;
    page.on('request', (r) => requests.push(r.url()));
    await quickOpen(page, 'hostile-names.dmtrace');
  });

  it('shows them as text in the race hover, whose only links are the extension\'s own', async function () {
    // Line 15 is the race's dm_get; its squiggle is off to the right of the long line.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 20_000 });
    await page.locator('.contentWidgets .codelens-decoration', { hasText: 'Step through interleaving' }).first().waitFor({ timeout: 20_000 });
    await hoverLine(page, 15);
    const hover = page.locator('.monaco-hover .monaco-hover-content', { hasText: 'Witness schedule' }).first();
    await hover.waitFor({ timeout: 10_000 });
    await shot(page, 'security-hover');
    const dom = await renderedHover(hover);
    assert.equal(dom.images, 0, 'no image');
    assert.equal(dom.alertIcons, 0, '$(alert) is not an icon');
    assert.ok(dom.links.length >= 3, `the extension's own links are there: ${dom.links.join(' ')}`);
    for (const link of dom.links) {
      assert.match(link, OWN_LINK, link);
      assert.ok(decodeURIComponent(link).includes('hostile-names.dmtrace'), `a link for this trace: ${link}`);
    }
    for (const literal of [COMM, LOCK, 'md`[x](command:dmRaceLens.showGraph']) assert.ok(dom.text.includes(literal), `the hover shows ${literal}`);
    assert.deepEqual(requests.filter((u) => u.includes('example.invalid')), [], 'nothing was fetched from the image host');
  });

  it('shows them as text in the Races view tooltip', async function () {
    await page.keyboard.press('Escape');
    await page.locator('.activitybar .action-item a[aria-label*="DM Race Lens"]').click({ force: true });
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'line 15: lvm`' }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.hover();
    const tooltip = page.locator('.monaco-hover', { hasText: 'DMR2 error' }).first();
    await tooltip.waitFor({ timeout: 10_000 });
    await shot(page, 'security-races-tooltip');
    const dom = await renderedHover(tooltip);
    assert.equal(dom.images, 0);
    assert.deepEqual(dom.links, []);
    assert.ok(dom.text.includes(COMM), dom.text);
  });

  it('shows them as text in the stepper tooltip', async function () {
    await quickOpen(page, 'hostile-names.dmtrace');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Step through interleaving' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await lens.click();
    // Step 3 unlocks the hostile lock: its name is in the step's text.
    const item = () => page.locator('.statusbar-item', { hasText: /Step \d+\/\d+ DMR2/ }).first();
    await item().waitFor({ timeout: 10_000 });
    await page.keyboard.press('F10');
    await page.keyboard.press('F10');
    await page.locator('.statusbar-item', { hasText: /Step 3\// }).waitFor({ timeout: 10_000 });
    await item().hover();
    const tooltip = page.locator('.monaco-hover', { hasText: 'witness step 3' }).first();
    await tooltip.waitFor({ timeout: 10_000 });
    await shot(page, 'security-step-tooltip');
    const dom = await renderedHover(tooltip);
    assert.equal(dom.images, 0);
    assert.equal(dom.alertIcons, 0);
    assert.deepEqual(dom.links, []);
    assert.ok(dom.text.includes(`mutex_unlock lock="${LOCK}"`), dom.text);
    await page.keyboard.press('Escape');
    assert.deepEqual(requests.filter((u) => u.includes('example.invalid')), []);
  });
});

describe('security: !source outside the workspace', function () {
  /** @type {import('playwright-core').Page} */
  let page;
  useWorkbench((opened) => (page = opened));

  it('warns on the directive and links only the source inside the workspace', async function () {
    await quickOpen(page, 'escaping-source.dmtrace');
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 20_000 });
    // `@dm.c:174` (inside the workspace) becomes a link; `@passwd.c:1` and the others do not.
    const links = page.locator('.editor-group-container.active .monaco-editor .detected-link');
    await links.first().waitFor({ timeout: 10_000 });
    // One link, on `@dm.c:174` (its tokens may be coloured apart, so the spans are joined).
    assert.equal((await links.allInnerTexts()).join(''), '@dm.c:174');
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: 'outside the workspace folder' }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'security-source-warnings');
    const text = (await rows.allInnerTexts()).join('\n');
    for (const path of ['etc/passwd', '/etc/shadow', '/proc/self/environ', '\\\\host\\share\\dm.c']) assert.ok(text.includes(path), `${path} is warned about`);
  });
});
