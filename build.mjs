// One build script for every bundle: the extension host, the CLI, the webview,
// the benchmark and the tests. `tsc` only type-checks (npm run typecheck).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
// In watch mode esbuild logs `[watch] build started/finished`: the watch task in .vscode/tasks.json waits for it.
const common = { bundle: true, sourcemap: true, logLevel: watch ? 'info' : 'warning', target: 'es2022' };

/** All files below `dir` whose name ends with `suffix`. */
function filesBelow(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesBelow(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

const node = { ...common, platform: 'node', format: 'cjs', external: ['vscode'] };
const targets = [
  { ...node, entryPoints: ['extension/host/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['extension/host/analysisWorker.ts'], outfile: 'dist/analysisWorker.js' },
  { ...node, entryPoints: ['extension/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' },
  { ...node, entryPoints: ['bench/processRun.ts'], outfile: 'dist/benchProcess.js' },
  { ...node, entryPoints: ['bench/recordedSpeed.ts'], outfile: 'dist/recordedSpeed.js' },
  { ...common, platform: 'browser', format: 'iife', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
  // Unit tests (mocha, plain node) and the tests that run inside VS Code's extension host;
  // they run from the repository, so their packages stay in node_modules.
  { ...node, packages: 'external', entryPoints: filesBelow('test/unit', '.test.ts'), outdir: 'out/test/unit', outbase: 'test/unit' },
  { ...node, packages: 'external', entryPoints: filesBelow('test/host', '.ts'), outdir: 'dist/test', outbase: 'test/host' },
].filter((t) => t.entryPoints.length > 0 && t.entryPoints.every((e) => existsSync(e)));

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
