// The graph webview under load: the real bundle (dist/webview.js) in headless
// Debian chromium, fed the graph of a generated trace the way the host posts
// it. Measured in the page with performance.now: time to first frame (from the
// message to the first drawn frame, which includes building the level of
// detail), and the frame time while zooming (mouse wheel) and panning (drag)
// through the whole zoom range. Each frame's time includes the canvas
// rasterisation (the probe reads a pixel back before stopping the clock).
//
// The machine is shared, so wall-clock times include waiting for a cpu. Each
// figure is also given in CPU time of the page's main thread, which the load
// changes far less: per frame from chromium's trace (the thread time of the
// animation-frame callback that painted it), and for the first frame the thread
// time the page spent between the message and the first frame.
//
// `runGraphBench` is what `npm run bench` calls; `node bench/graph.mjs` runs it alone.

import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
// `performance` is the global one on purpose: functions passed to page.evaluate run in the browser and
// must not refer to a module binding (a bundler renames imports).
import { buildGraph } from '../extension/core/graph/build';
import { analyzeFile } from '../extension/core/node/readFile';
import { encodeGraph, testPage } from '../test/webview/harness';
import { GENERATOR_VERSION, generateTrace } from './generate';

export interface GraphBenchOptions {
  /** Event counts to measure (default 100k and 1M). */
  sizes?: number[];
  /** Repository root (where dist/webview.js is). */
  root?: string;
  /** Wheel steps in each direction. */
  zoomSteps?: number;
  dragSteps?: number;
  chromium?: string;
  log?: (line: string) => void;
}

export interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface GraphBenchResult {
  events: number;
  tasks: number;
  edges: number;
  races: number;
  /** Host side: analysis and graph building, seconds. */
  analyzeSeconds: number;
  buildGraphSeconds: number;
  /** Bytes of the graph message as the test page receives it (base64 JSON). */
  messageBytes: number;
  /** From posting the graph message in the page to the end of the first frame, ms. */
  timeToFirstFrameMs: number;
  zoom: FrameFigures;
  pan: FrameFigures;
  all: FrameFigures;
  /** The same frames (zoom and pan) in CPU time of the page's main thread, ms. */
  cpu: FrameFigures;
  /** CPU time of the page's main thread from the message to the end of the first frame, ms. */
  firstFrameCpuMs: number;
  /** Load average of the machine while measuring (frame times on a busy machine include waiting for a cpu). */
  loadAverage: number;
}

const SEED = 20060401;
export const TARGET_FRAME_MS = 16;
export const TARGET_FIRST_FRAME_MS = 1000;
/** The user-timing measure the webview's probe records around each frame. */
const FRAME_MEASURE = 'dm-race-lens-frame';

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
}

/**
 * CPU ms of each probed frame, in order: the thread time of the animation-frame
 * callback that contains the frame's user-timing measure.
 */
export function frameCpuTimes(events: TraceEvent[]): number[] {
  const callbacks = events.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && e.tdur !== undefined).sort((a, b) => a.ts - b.ts);
  // Each measure's begin and end, in order; its middle (the page's clock is coarser than the trace's) lies inside its callback.
  const ends = events.filter((e) => e.name === FRAME_MEASURE && (e.ph === 'b' || e.ph === 'e')).sort((a, b) => a.ts - b.ts);
  const out: number[] = [];
  let k = 0;
  for (let m = 0; m + 1 < ends.length; m += 2) {
    const mid = (ends[m].ts + ends[m + 1].ts) / 2;
    while (k < callbacks.length && callbacks[k].ts + (callbacks[k].dur ?? 0) < mid) k++;
    const c = callbacks[k];
    if (c && c.ts <= mid) out.push((c.tdur ?? 0) / 1000);
  }
  return out;
}

function figures(ms: number[]): FrameFigures {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { frames: s.length, p50: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? 0, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}

function traceFile(events: number, log: (l: string) => void): string {
  const dir = join(tmpdir(), 'dm-race-lens-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `graph-v${GENERATOR_VERSION}-${events}-${SEED}.dmtrace`);
  if (!existsSync(path)) {
    log(`generating ${events.toLocaleString()} events`);
    generateTrace({ events, seed: SEED, plantEvery: 5000 }, path);
  }
  return path;
}

async function serve(root: string): Promise<{ server: Server; origin: string }> {
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(testPage(origin, 'dark'));
    } else if (url.pathname === '/dist/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(join(root, 'dist', 'webview.js')));
    } else {
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { server, origin };
}

type Cdp = Awaited<ReturnType<import('playwright-core').BrowserContext['newCDPSession']>>;

async function startProfile(cdp: Cdp): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

/** Logs the functions the page spent most samples in since startProfile (GRAPH_BENCH_PROFILE=first or frames). */
async function logProfile(cdp: Cdp, log: (l: string) => void): Promise<void> {
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples ?? []) {
    const f = byId.get(id)?.callFrame;
    const key = `${f?.functionName || '(anon)'} ${f?.url.split('/').pop()}:${f?.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) log(`  ${v} samples  ${k}`);
}

/** Measures each size; resolves with the figures (and logs a line per size). */
export async function runGraphBench(options: GraphBenchOptions = {}): Promise<GraphBenchResult[]> {
  const root = options.root ?? process.cwd();
  const log = options.log ?? ((l: string) => console.log(l));
  const sizes = options.sizes ?? [100_000, 1_000_000];
  const zoomSteps = options.zoomSteps ?? 40;
  const dragSteps = options.dragSteps ?? 30;
  if (!existsSync(join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js missing: run node build.mjs first');
  // Not bundled: playwright-core finds its own files at run time.
  const moduleName = 'playwright-core';
  const { chromium } = (await import(moduleName)) as typeof import('playwright-core');
  const browser = await chromium.launch({
    executablePath: options.chromium ?? '/usr/bin/chromium',
    // --expose-gc: the bench collects the garbage of its own base64 decoding before measuring frames
    // (VS Code hands the webview buffers, so a real panel never has that garbage).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc'],
  });
  const { server, origin } = await serve(root);
  const results: GraphBenchResult[] = [];
  try {
    for (const events of sizes) {
      const path = traceFile(events, log);
      let t = performance.now();
      const analysis = await analyzeFile(path);
      const analyzeSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const graph = buildGraph(analysis, { title: `generated-${events}.dmtrace` });
      const buildGraphSeconds = (performance.now() - t) / 1000;
      const message = encodeGraph(graph);
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const threadSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN;
      // Decode outside the timed part (VS Code hands the webview buffers, not base64), then post and wait for the first frame.
      await page.evaluate((text) => {
        const w = window as unknown as { __decodeGraph(t: string): unknown; __benchGraph?: unknown };
        w.__benchGraph = w.__decodeGraph(text);
      }, message);
      await page.evaluate(() => (window as unknown as { gc?: () => void }).gc?.());
      if (process.env.GRAPH_BENCH_PROFILE === 'first') await startProfile(cdp);
      const threadBefore = await threadSeconds();
      const timeToFirstFrameMs = await page.evaluate(async () => {
        const w = window as unknown as {
          __benchGraph?: unknown;
          __dmRaceLensProbe: { frames: unknown[]; firstFrameAt?: number; flush?: boolean };
        };
        const graph = w.__benchGraph;
        w.__benchGraph = undefined;
        const probe = w.__dmRaceLensProbe;
        probe.flush = true;
        probe.frames.length = 0;
        probe.firstFrameAt = undefined;
        const start = performance.now();
        window.postMessage({ type: 'graph', graph }, '*');
        while (probe.firstFrameAt === undefined) await new Promise((r) => setTimeout(r, 5));
        return probe.firstFrameAt - start;
      });
      const firstFrameCpuMs = ((await threadSeconds()) - threadBefore) * 1000;
      if (process.env.GRAPH_BENCH_PROFILE === 'first') await logProfile(cdp, log);
      const shots = process.env.GRAPH_BENCH_SHOTS;
      if (shots) await page.screenshot({ path: join(shots, `graph-${events}-overview.png`) });
      const box = await page.locator('#graph').boundingBox();
      if (!box) throw new Error('no canvas');
      const cx = box.x + box.width * 0.6;
      const cy = box.y + box.height * 0.4;
      /** Frames drawn since the last call. */
      const take = async (): Promise<number[]> => {
        const frames = await page.evaluate(() => {
          const probe = (window as unknown as { __dmRaceLensProbe: { frames: { ms: number; stats: object }[] } }).__dmRaceLensProbe;
          return probe.frames.splice(0);
        });
        if (process.env.GRAPH_BENCH_TRACE) for (const f of frames) log(`  frame ${f.ms.toFixed(1)} ms ${JSON.stringify(f.stats)}`);
        return frames.map((f) => f.ms);
      };
      const nextFrame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.evaluate(() => (window as unknown as { gc?: () => void }).gc?.());
      await take();
      const profiler = process.env.GRAPH_BENCH_PROFILE === 'frames' ? cdp : undefined;
      await browser.startTracing(page, { categories: ['devtools.timeline', 'blink.user_timing'] });
      if (profiler) await startProfile(profiler);
      await page.mouse.move(cx, cy);
      const zoom: number[] = [];
      for (let k = 0; k < zoomSteps; k++) {
        await page.mouse.wheel(0, -240);
        await nextFrame();
        zoom.push(...(await take()));
      }
      if (shots) await page.screenshot({ path: join(shots, `graph-${events}-deep.png`) });
      const pan: number[] = [];
      for (const depth of [0, 1]) {
        // Pan deep in (as left by the zoom), then again after zooming halfway out.
        if (depth === 1) {
          for (let k = 0; k < zoomSteps / 2; k++) {
            await page.mouse.wheel(0, 240);
            await nextFrame();
            zoom.push(...(await take()));
          }
        }
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        for (let k = 1; k <= dragSteps; k++) {
          await page.mouse.move(cx - k * 25, cy + (k % 2) * 3);
          await nextFrame();
          pan.push(...(await take()));
        }
        await page.mouse.up();
        await take();
        if (shots) await page.screenshot({ path: join(shots, `graph-${events}-pan${depth}.png`) });
      }
      for (let k = 0; k < zoomSteps; k++) {
        await page.mouse.wheel(0, 240);
        await nextFrame();
        zoom.push(...(await take()));
      }
      if (profiler) await logProfile(profiler, log);
      const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
      const cpu = frameCpuTimes(trace.traceEvents);
      if (cpu.length !== zoom.length + pan.length) log(`  (CPU time found in the trace for ${cpu.length} of ${zoom.length + pan.length} frames)`);
      await page.close();
      const result: GraphBenchResult = {
        events,
        tasks: graph.lanes.length,
        edges: graph.edges.from.length,
        races: graph.races.length,
        analyzeSeconds,
        buildGraphSeconds,
        messageBytes: message.length,
        timeToFirstFrameMs,
        zoom: figures(zoom),
        pan: figures(pan),
        all: figures([...zoom, ...pan]),
        cpu: figures(cpu),
        firstFrameCpuMs,
        loadAverage: loadavg()[0],
      };
      results.push(result);
      log(
        `graph ${events.toLocaleString()} events (${result.tasks} tasks, ${result.edges.toLocaleString()} edges), load ${result.loadAverage.toFixed(1)}: ` +
          `first frame ${timeToFirstFrameMs.toFixed(0)} ms (cpu ${firstFrameCpuMs.toFixed(0)} ms; target < ${TARGET_FIRST_FRAME_MS}); ` +
          `frame p50 ${result.all.p50.toFixed(1)} ms, p95 ${result.all.p95.toFixed(1)} ms, max ${result.all.max.toFixed(1)} ms over ${result.all.frames} frames ` +
          `(zoom p95 ${result.zoom.p95.toFixed(1)}, pan p95 ${result.pan.p95.toFixed(1)}); cpu p50 ${result.cpu.p50.toFixed(1)}, p95 ${result.cpu.p95.toFixed(1)}, max ${result.cpu.max.toFixed(1)} ms ` +
          `(target <= ${TARGET_FRAME_MS} ms)`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
  return results;
}
