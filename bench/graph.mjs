#!/usr/bin/env node
// Runs the graph webview benchmark alone: `node bench/graph.mjs [--sizes=100000,1000000]`
// (after `node build.mjs`). Writes bench/results/graph.json; exits 1 when a
// size misses the 16 ms frame target at p95 in CPU time (the wall-clock p95 of
// a shared machine includes waiting for a cpu; both are printed).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const chromiumPath = '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`graph benchmark skipped: ${chromiumPath} is not installed (apt-get install -y --no-install-recommends chromium)`);
  process.exit(0);
}
const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : undefined;
const out = join(root, 'out', 'bench', 'graphBench.mjs');
await esbuild.build({
  entryPoints: [join(root, 'bench', 'graphBench.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: out,
  external: ['playwright-core'],
  logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const { runGraphBench } = await import(pathToFileURL(out).href);
const results = await runGraphBench({ root, sizes, chromium: chromiumPath });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'graph.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2) + '\n');
if (results.some((r) => r.cpu.p95 > 16)) process.exitCode = 1;
