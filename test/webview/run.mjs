// Browser tests of the graph webview: the real bundle (dist/webview.js) in
// Debian's chromium through playwright-core, on the page VS Code would show
// (same HTML and CSP) with a mocked VS Code API. For every sample trace: it
// renders, and a screenshot goes to test-results/webview/. Then: a click posts
// the right `reveal`, keys step and zoom, hostile task names stay text, themes
// switch, exports are clean SVG/PNG. Any failure exits non-zero.
//
// Usage: node test/webview/run.mjs [--only NAME]   (after `node build.mjs`)

import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;
const outDir = join(root, 'test-results', 'webview');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
mkdirSync(outDir, { recursive: true });

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Bundles test/webview/harness.ts so this script can use the TypeScript core. */
export async function loadHarness() {
  const file = join(root, 'out', 'test', 'webview', 'harness.mjs');
  await esbuild.build({ entryPoints: [join(root, 'test/webview/harness.ts')], bundle: true, platform: 'node', format: 'esm', outfile: file, logLevel: 'warning' });
  return import(pathToFileURL(file).href + `?t=${Date.now()}`);
}

/** A loopback server: `/` is the test page, `/dist/*` the built bundles. */
export async function serve(pageFor) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageFor(url.searchParams));
      return;
    }
    const path = join(root, url.pathname);
    if (url.pathname.startsWith('/dist/') && existsSync(path) && statSync(path).isFile()) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(path));
      return;
    }
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Posts a graph to the page as the host would, and waits for the frame drawn after it. */
export async function postGraph(page, encoded, focus) {
  await page.evaluate(
    ([text, f]) => {
      const graph = window.__decodeGraph(text);
      window.__dmRaceLensProbe.frames.length = 0;
      window.postMessage(f ? { type: 'graph', graph, focus: f } : { type: 'graph', graph }, '*');
    },
    [encoded, focus ?? null],
  );
  await page.waitForFunction(() => window.__dmRaceLensProbe.frames.length > 0, null, { timeout: 60000 });
}

const failures = [];
let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`  ✘ ${name}\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Non-background pixels of the plot area, and how many distinct colours. */
async function inkOf(page) {
  return page.evaluate(() => {
    const c = document.getElementById('graph');
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const bg = [data[0], data[1], data[2]];
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 16) {
      if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 30) ink++;
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { ink, colours: colours.size, total: data.length / 16 };
  });
}

function sampleTraces() {
  const dir = join(root, 'sample-traces');
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (!['source', 'source-patched', 'patches'].includes(name)) walk(p);
      } else if (/\.(dmtrace|txt|json)$/.test(name)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

async function main() {
  const harness = await loadHarness();
  const { server, origin } = await serve((params) => harness.testPage(origin, params.get('theme') ?? 'dark'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const newPage = async (theme = 'dark') => {
    const page = await context.newPage();
    const problems = [];
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(`${origin}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    return { page, problems };
  };
  const clean = async ({ page, problems }) => {
    const csp = await page.evaluate(() => window.__csp);
    assert(csp.length === 0, `CSP violations: ${csp.join(', ')}`);
    const errors = await page.evaluate(() => window.__posted.filter((m) => m.type === 'error'));
    assert(errors.length === 0, `webview reported: ${JSON.stringify(errors)}`);
    assert(problems.length === 0, problems.join('; '));
  };

  console.log('graph webview in chromium');
  const traces = sampleTraces().filter((p) => !only || p.includes(only));
  assert(traces.length > 0 || only, 'no sample traces found');
  const shared = await newPage();
  for (const path of traces) {
    const name = relative(join(root, 'sample-traces'), path);
    await check(`renders ${name}`, async () => {
      const graph = harness.graphOf(readFileSync(path, 'utf8'), name);
      await postGraph(shared.page, harness.encodeGraph(graph), graph.races.length ? { finding: graph.races[0].finding } : undefined);
      await shared.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      await shared.page.screenshot({ path: join(outDir, `${name.replace(/[\\/]/g, '__')}.png`) });
      if (graph.eventCount === 0) return;
      const { ink, colours } = await inkOf(shared.page);
      assert(ink > 2000 && colours > 4, `canvas looks blank: ${ink} inked samples, ${colours} colours`);
      const label = await shared.page.getAttribute('#graph', 'aria-label');
      assert(label.includes(`${graph.eventCount} events`), `aria-label: ${label}`);
      const items = await shared.page.$$eval('#race-list > li', (lis) => lis.length);
      assert(items === Math.max(1, graph.races.length), `${items} race list items for ${graph.races.length} races`);
    });
  }
  await check('no CSP violation, error or dialog while rendering the samples', () => clean(shared));

  const multi = join(root, 'sample-traces', 'multi-device.dmtrace');
  if (existsSync(multi) && !only) {
    await check('the timestamp axis draws the same events by time', async () => {
      const s = await newPage();
      const graph = harness.graphOf(readFileSync(multi, 'utf8'), 'multi-device.dmtrace');
      await postGraph(s.page, harness.encodeGraph(graph));
      // An event whose place differs between the axes (share of the happens-before steps vs share of the time).
      const probe = Array.from({ length: graph.eventCount }, (_, i) => i).find(
        (i) => Math.abs(graph.events.rank[i] / graph.maxRank - graph.events.time[i] / graph.duration) > 0.15,
      );
      assert(probe !== undefined, 'the sample has an event placed differently by time');
      const before = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), probe);
      await s.page.evaluate(() => {
        const d = document.getElementById('axis');
        d.value = 'time';
        d.dispatchEvent(new Event('change'));
      });
      await s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await s.page.screenshot({ path: join(outDir, 'axis-time-multi-device.png') });
      // The switch keeps the selected race in view; 0 shows the whole trace.
      await s.page.focus('#graph');
      await s.page.keyboard.press('0');
      await s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const ruler = await inkOf(s.page);
      assert(ruler.ink > 2000, 'drawn');
      const last = graph.eventCount - 1;
      const a = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), 0);
      const b = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), last);
      assert(a && b && a.x < b.x, 'the first event is left of the last one on the time axis');
      const after = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), probe);
      assert(before && after && Math.abs(before.x - after.x) > 60, `switching the axis moved event ${probe}: ${before?.x} -> ${after?.x}`);
      await clean(s);
      await s.page.close();
    });
  }

  const race = join(root, 'sample-traces', 'dmr2-stale-lookup-get.race.dmtrace');
  const text = existsSync(race) ? readFileSync(race, 'utf8') : null;
  if (text && !only) {
    const graph = harness.graphOf(text, 'dmr2.dmtrace');
    await check('clicking an event posts reveal for exactly that event', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph), { finding: 0 });
      for (const event of [graph.races[0].primary, graph.races[0].other, 0]) {
        const at = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), event);
        assert(at, `event ${event} is on screen after fit to race`);
        await s.page.evaluate(() => (window.__posted.length = 0));
        await s.page.mouse.click(at.x, at.y);
        const posted = await s.page.evaluate(() => window.__posted);
        assert(JSON.stringify(posted) === JSON.stringify([{ type: 'reveal', event }]), `posted ${JSON.stringify(posted)} for event ${event}`);
      }
      // A click on empty lane space reveals nothing.
      const at = await s.page.evaluate(() => window.__dmRaceLensProbe.locate(0));
      await s.page.evaluate(() => (window.__posted.length = 0));
      await s.page.mouse.click(at.x, at.y + 21);
      assert((await s.page.evaluate(() => window.__posted.length)) === 0, 'a click between lanes posted a message');
      await clean(s);
      await s.page.close();
    });

    await check('keyboard: period steps to the next event of the lane and reveals it; zoom keys change the view', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph), { event: 0 });
      await s.page.focus('#graph');
      await s.page.evaluate(() => (window.__posted.length = 0));
      await s.page.keyboard.press('.');
      await s.page.keyboard.press('.');
      const posted = await s.page.evaluate(() => window.__posted);
      const lane0 = Array.from({ length: graph.eventCount }, (_, i) => i).filter((i) => graph.events.lane[i] === graph.events.lane[0]);
      assert(JSON.stringify(posted) === JSON.stringify([{ type: 'reveal', event: lane0[1] }, { type: 'reveal', event: lane0[2] }]), JSON.stringify(posted));
      const before = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), lane0[2]);
      await s.page.keyboard.press('+');
      await s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      const after = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), lane0[2]);
      assert(!after || after.x !== before.x, 'zooming in moved the event');
      await clean(s);
      await s.page.close();
    });

    await check('the wheel past the zoom-out limit draws nothing again; zooming back in does', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph));
      const box = await s.page.locator('#graph').boundingBox();
      await s.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
      const settle = () => s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const framesAfter = async (deltaY) => {
        await s.page.evaluate(() => (window.__dmRaceLensProbe.frames.length = 0));
        await s.page.mouse.wheel(0, deltaY);
        await settle();
        return s.page.evaluate(() => window.__dmRaceLensProbe.frames.length);
      };
      for (let k = 0; k < 12; k++) await framesAfter(480);
      const atLimit = await framesAfter(480);
      assert(atLimit === 0, `${atLimit} frame(s) drawn for a view that did not change`);
      const zoomedIn = await framesAfter(-240);
      assert(zoomedIn > 0, 'zooming in drew no frame');
      await clean(s);
      await s.page.close();
    });

    await check('host highlight selects the event and the race list reads as text', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph));
      await s.page.evaluate((e) => window.postMessage({ type: 'highlight', event: e, reveal: true }, '*'), graph.races[0].primary);
      await s.page.waitForFunction(() => document.getElementById('announce').textContent.startsWith('Selected'));
      const said = await s.page.textContent('#announce');
      assert(said.includes(`line ${graph.events.line[graph.races[0].primary]}`), said);
      const list = await s.page.textContent('#race-list');
      assert(list.includes('DMR2') && list.includes('stale-lookup-get'), list);
      await clean(s);
      await s.page.close();
    });

    for (const theme of ['light', 'high-contrast']) {
      await check(`${theme} theme: colours come from the theme variables`, async () => {
        const s = await newPage(theme);
        await postGraph(s.page, harness.encodeGraph(graph), { finding: 0 });
        await s.page.screenshot({ path: join(outDir, `theme-${theme}.png`) });
        const bg = await s.page.evaluate(() => Array.from(document.getElementById('graph').getContext('2d').getImageData(400, 300, 1, 1).data.slice(0, 3)));
        const want = theme === 'light' ? [255, 255, 255] : [0, 0, 0];
        const { ink } = await inkOf(s.page);
        assert(ink > 2000, 'drawn');
        // The plot background at a point between lanes is the theme's editor background (or a lane stripe over it).
        assert(bg.every((v, i) => Math.abs(v - want[i]) < 40), `background ${bg}`);
        await clean(s);
        await s.page.close();
      });
    }

    await check('hostile task and device names execute nothing and are shown as text (canvas, options, list, SVG)', async () => {
      const payloads = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', '<img src=x onerror="window.__xss=1">'];
      // Every md0 becomes a device whose name is markup (a quoted value may hold spaces and quotes).
      const hostile = text.replace(/=md0\b/g, '="<img src=x onerror=\\"window.__xss=1\\">"');
      const g = harness.graphOf(hostile, '<img src=x onerror=alert(1)>.dmtrace');
      g.lanes[0].name = payloads[0];
      g.lanes[1].name = payloads[1];
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(g), { finding: 0 });
      await s.page.screenshot({ path: join(outDir, 'hostile-names.png') });
      const options = await s.page.$$eval('#task vscode-option', (os) => os.map((o) => o.textContent));
      assert(options.some((o) => o.startsWith(payloads[0])) && options.some((o) => o.startsWith(payloads[1])), `task options: ${options}`);
      const devices = await s.page.$$eval('#device vscode-option', (os) => os.map((o) => o.textContent));
      assert(devices.includes('<img src=x onerror="window.__xss=1">'), `device options: ${devices}`);
      const list = await s.page.textContent('#race-list');
      assert(list.includes('<img src=x onerror="window.__xss=1">'), 'device name appears as text in the race list');
      await s.page.hover('#graph');
      await s.page.mouse.move(10, 10);
      await s.page.click('#export-svg');
      await s.page.waitForFunction(() => window.__posted.some((m) => m.type === 'export'));
      const svg = await s.page.evaluate(() => window.__posted.find((m) => m.type === 'export').data);
      const parsed = await s.page.evaluate((src) => {
        const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? '',
          dangerous: doc.querySelectorAll('script, img, foreignObject, [onerror], [onload]').length,
          texts: Array.from(doc.querySelectorAll('text'), (t) => t.textContent),
        };
      }, svg);
      assert(!parsed.error, `SVG parses: ${parsed.error}`);
      assert(parsed.dangerous === 0, 'no active element in the SVG');
      assert(parsed.texts.some((t) => t.startsWith('<img') || t.startsWith('"><')), `hostile lane names are SVG text: ${parsed.texts.slice(0, 8)}`);
      await s.page.waitForTimeout(200);
      const xss = await s.page.evaluate(() => window.__xss);
      assert(xss === undefined, 'window.__xss was set');
      assert((await s.page.$$('img')).length === 0, 'an <img> element was created');
      await clean(s);
      await s.page.close();
    });

    await check('PNG export posts a PNG data URL of the canvas', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph));
      await s.page.click('#export-png');
      await s.page.waitForFunction(() => window.__posted.some((m) => m.type === 'export'));
      const m = await s.page.evaluate(() => window.__posted.find((x) => x.type === 'export'));
      assert(m.format === 'png' && m.data.startsWith('data:image/png;base64,') && m.data.length > 5000, `png export ${m.data.slice(0, 40)}`);
      await clean(s);
      await s.page.close();
    });

    await check('task filter: only the chosen lane is drawn, its races stay listed', async () => {
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(graph));
      await s.page.evaluate(() => {
        const d = document.getElementById('task');
        d.value = '1';
        d.dispatchEvent(new Event('change'));
      });
      await s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      await s.page.screenshot({ path: join(outDir, 'filter-task.png') });
      const inLane = (l) => Array.from({ length: graph.eventCount }, (_, i) => i).find((i) => graph.events.lane[i] === l);
      const other = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), inLane(0));
      const chosen = await s.page.evaluate((e) => window.__dmRaceLensProbe.locate(e), inLane(1));
      assert(!other && chosen, 'only the chosen lane is drawn');
      const races = await s.page.$$eval('#race-list > li', (lis) => lis.length);
      assert(races === 1, 'the race involving the lane stays listed');
      await clean(s);
      await s.page.close();
    });
  }

  if (!only) {
    await check('redrawing a view gives the same pixels, and scrolling the lanes moves their stripes and names with them (the kept layers)', async () => {
      // More tasks than fit, so the lanes scroll.
      const lines = [];
      for (let t = 0; t < 30; t++) {
        const events = [`kmalloc obj=md${t} gfp=GFP_KERNEL`, `md_alloc md=md${t}`, `md_init_done md=md${t}`];
        events.forEach((e, k) => lines.push(`${(20 + t * 1e-4 + k * 1e-5).toFixed(6)} cpu${t % 2} worker/${7000 + t} ${e}`));
      }
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(harness.graphOf(lines.join('\n') + '\n', 'many-tasks.dmtrace')));
      const settle = () => s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const snap = (name) =>
        s.page.evaluate((n) => {
          const c = document.getElementById('graph');
          window.__snaps = { ...window.__snaps, [n]: new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer) };
        }, name);
      /** Pixels of columns left..right and rows top..bottom (canvas pixels) of snapshot a that differ from snapshot b's `dy` rows lower. */
      const differing = (a, b, dy, top, bottom, left = 0, right = 1e9) =>
        s.page.evaluate(
          ([a, b, dy, top, bottom, left, right]) => {
            const w = document.getElementById('graph').width;
            const [pa, pb] = [window.__snaps[a], window.__snaps[b]];
            let n = 0;
            for (let y = top; y < bottom; y++) for (let x = left; x < Math.min(w, right); x++) if (pa[y * w + x] !== pb[(y + dy) * w + x]) n++;
            return n;
          },
          [a, b, dy, top, bottom, left, right],
        );
      const height = await s.page.evaluate(() => document.getElementById('graph').height);
      await s.page.focus('#graph');
      await snap('first');
      await s.page.keyboard.press('Escape');
      await settle();
      await snap('again');
      assert((await differing('again', 'first', 0, 0, height)) === 0, 'the same view drawn again differs');
      // One lane down (46 pixels): the plot (right of the 190-pixel gutter, below the 26-pixel ruler, above the
      // 46-pixel overview) and the lane names in the gutter (left of its border line) move up by that much.
      await s.page.keyboard.press('ArrowDown');
      await settle();
      await snap('scrolled');
      const moved = await differing('scrolled', 'first', 46, 26, height - 46 - 46, 190);
      assert(moved === 0, `${moved} pixels of the scrolled plot are not the plot moved up by a lane`);
      const names = await differing('scrolled', 'first', 46, 26, height - 46 - 46, 0, 189);
      assert(names === 0, `${names} pixels of the scrolled gutter are not the lane names moved up by a lane`);
      await s.page.keyboard.press('Escape');
      await settle();
      await snap('scrolled again');
      assert((await differing('scrolled again', 'scrolled', 0, 0, height)) === 0, 'the scrolled view drawn again differs');
      await clean(s);
      await s.page.close();
    });

    await check('a race focused by the host is the one the Race dropdown names (a real recording with 57 races)', async () => {
      const name = 'real/linux-6.1/races/r2-stale-lookup-get.lookup.ftrace.txt';
      const real = harness.graphOf(readFileSync(join(root, 'sample-traces', name), 'utf8'), name);
      const race = real.races.find((r) => r.severity === 'error' && r !== real.races[0]);
      assert(race, 'an error race that is not the first');
      const s = await newPage();
      await postGraph(s.page, harness.encodeGraph(real), { finding: race.finding });
      // The dropdown settles its new options asynchronously: give it a few frames.
      await s.page.waitForTimeout(500);
      const shown = await s.page.evaluate(() => {
        const d = document.getElementById('race');
        return { value: d.value, text: d.querySelector('vscode-option[selected]')?.textContent ?? '' };
      });
      assert(shown.value === String(race.finding), `dropdown value ${shown.value}, focused ${race.finding}`);
      assert(shown.text.includes(`line ${real.events.line[race.primary]}`), shown.text);
      await clean(s);
      await s.page.close();
    });
  }

  await browser.close();
  server.close();
  console.log(`\n  ${passed} passing, ${failures.length} failing; screenshots in ${relative(root, outDir)}/`);
  if (failures.length) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
