#!/usr/bin/env node
// End-to-end run in a real VS Code (code-server) driven by Debian's chromium:
//   1. setup (idempotent installs into .vscode-test/), build, package the .vsix,
//      install it into a fresh extensions folder;
//   2. in-host mocha tests (dist/test/index.js) through the smoke-test driver's
//      payload, their report read from codeAutomationLog / codeAutomationExit;
//   3. browser UI tests (test/e2e/ui/*.test.mjs, mocha) against the installed .vsix;
//   4. one UI test in restricted mode (workspace trust not disabled).
// Screenshots go to test-results/. Any failure, or a VS Code that does not
// start in time, makes the exit code non-zero.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format } from 'node:util';
import Mocha from 'mocha';
import { chromium } from 'playwright-core';
import { CACHE, CHROMIUM, CODE_SERVER, NODE24, ROOT, setup } from './setup.mjs';
import { session } from './session.mjs';

const RUN = join(CACHE, 'run');
const RESULTS = join(ROOT, 'test-results');
const START_TIMEOUT_MS = 90_000;
const HOST_TESTS_TIMEOUT_MS = 300_000;
const only = process.argv.slice(2); // e.g. `node test/e2e/run.mjs host` or `ui` or `restricted`
/** `screenshots` (the docs' images, test/e2e/screenshots.mjs) runs only when named. */
const phaseWanted = (name) => (only.length === 0 && name !== 'screenshots') || only.includes(name);

const servers = [];
/** Workbench start-up chatter that the smoke-test driver forwards along with the tests' output. */
const WORKBENCH_NOISE = /connection token|Unable to read file .*\/\.vscode\/(settings|tasks|launch)\.json.*Canceled|Creating a socket|reconnection-grace|builtin extensions|Service Worker|AgentHost|AccountPolicyGate|Long running operations during shutdown/;
let browser;

function log(message) {
  process.stdout.write(`[e2e] ${message}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function writeUserSettings(userDataDir, extra = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const settings = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'editor.hover.delay': 100,
    'editor.hover.above': false,
    'window.restoreWindows': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...extra,
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** A fresh copy of the sample traces (tests may edit files; the repo must not change). */
function makeWorkspace(name) {
  const dir = join(RUN, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'sample-traces'), join(dir, 'sample-traces'), { recursive: true });
  const fixtures = join(ROOT, 'test', 'fixtures');
  if (existsSync(fixtures)) cpSync(fixtures, join(dir, 'fixtures'), { recursive: true });
  return dir;
}

function codeServerEnv() {
  return {
    ...process.env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: join(RUN, 'xdg-config'),
    XDG_DATA_HOME: join(RUN, 'xdg-data'),
    XDG_CACHE_HOME: join(RUN, 'xdg-cache'),
  };
}

/** Starts code-server in its own process group (detached = setsid) and waits for /healthz. */
async function startCodeServer(label, { folder, trust = false }) {
  const port = await freePort();
  const userDataDir = join(RUN, 'user-data');
  const args = [
    CODE_SERVER,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', join(RUN, 'extensions'),
    '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
    ...(trust ? [] : ['--disable-workspace-trust']),
    folder,
  ];
  const logFile = join(RESULTS, `code-server-${label}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(NODE24, args, { detached: true, env: codeServerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const server = { label, port, child, logFile, url: `http://127.0.0.1:${port}` };
  servers.push(server);
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`code-server (${label}) exited during start; see ${logFile}`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.ok) {
        log(`code-server (${label}) up on port ${port}`);
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server (${label}) did not answer /healthz within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!killed) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

async function stopAll() {
  if (browser) await browser.close().catch(() => {});
  browser = undefined;
  await Promise.all(servers.splice(0).map(stopServer));
}

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds, packages and installs the extension; returns the installed folder. */
function packageAndInstall() {
  log('build');
  execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const vsix = join(CACHE, 'dm-race-lens.vsix');
  rmSync(vsix, { force: true });
  log('package .vsix');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const extensionsDir = join(RUN, 'extensions');
  log('install .vsix into code-server');
  execFileSync(NODE24, [CODE_SERVER, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(RUN, 'user-data'), '--force'], {
    env: codeServerEnv(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const installed = readdirSync(extensionsDir).find((d) => d.startsWith('dm-race-lens.dm-race-lens-'));
  if (!installed) throw new Error('the .vsix did not install');
  return join(extensionsDir, installed);
}

/**
 * In-host tests: the smoke-test driver loads the installed extension as the
 * extension under development and runs dist/test/index.js in its host.
 */
async function runHostTests(extensionPath) {
  const folder = makeWorkspace('host-workspace');
  const server = await startCodeServer('host', { folder });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const testsPath = join(ROOT, 'dist', 'test', 'index.js');
  if (!existsSync(testsPath)) throw new Error(`${testsPath} missing: no in-host tests were built`);
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
    ['extensionEnvironment', JSON.stringify({ DM_RACE_LENS_WORKSPACE: folder, DM_RACE_LENS_RESULTS: RESULTS, DM_RACE_LENS_GREP: process.env.DM_RACE_LENS_GREP ?? '' })],
  ];
  let resolveExit;
  const exit = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // The extension host's console, printf-style (mocha's reporter uses %s / %d).
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!WORKBENCH_NOISE.test(text)) process.stdout.write(`[host ${type}] ${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([exit, sleep(HOST_TESTS_TIMEOUT_MS).then(() => 'timeout')]);
  await page.screenshot({ path: join(RESULTS, 'host-tests-end.png') }).catch(() => {});
  await page.close();
  await stopServer(server);
  if (code === 'timeout') throw new Error(`in-host tests did not finish within ${HOST_TESTS_TIMEOUT_MS / 1000} s`);
  return Number(code);
}

async function runMochaFiles(files) {
  const mocha = new Mocha({ timeout: 60_000, slow: 10_000, reporter: 'spec' });
  if (process.env.DM_RACE_LENS_GREP) mocha.grep(process.env.DM_RACE_LENS_GREP);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => mocha.run((failures) => resolve(failures)));
}

function uiTestFiles(pattern) {
  const dir = join(ROOT, 'test', 'e2e', 'ui');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
}

/** Browser UI tests against the installed .vsix, in a trusted workspace. */
async function runUiTests(files, label, trust) {
  if (files.length === 0) return 0;
  const folder = makeWorkspace(`${label}-workspace`);
  const server = await startCodeServer(label, { folder, trust });
  Object.assign(session, { browser, url: server.url, folder, results: RESULTS });
  try {
    return await runMochaFiles(files);
  } finally {
    await stopServer(server);
  }
}

const LOCK = join(CACHE, 'run.lock');

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One e2e run at a time on a machine: runs share .vscode-test/run and
 * test-results/. A lock directory holds the owner's pid; a dead owner's lock is
 * taken over.
 */
async function acquireRunLock(timeoutMs = 20 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    } catch {
      // the owner is between mkdir and writing its pid
    }
    if (Number.isFinite(owner) && !processAlive(owner)) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another e2e run (pid ${owner}) holds ${LOCK}`);
    if (!announced) log(`waiting for the e2e run of pid ${owner} to finish`);
    announced = true;
    await sleep(1000);
  }
}

function releaseRunLock() {
  try {
    if (Number(readFileSync(join(LOCK, 'pid'), 'utf8')) === process.pid) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // not ours, or already gone
  }
}

async function main() {
  const started = Date.now();
  mkdirSync(CACHE, { recursive: true });
  await acquireRunLock();
  setup();
  rmSync(RUN, { recursive: true, force: true });
  mkdirSync(RUN, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  // Screenshots and logs of an earlier run must not be mistaken for this one's.
  for (const f of readdirSync(RESULTS)) if (/\.(png|log)$/.test(f)) rmSync(join(RESULTS, f));
  writeUserSettings(join(RUN, 'user-data'));
  const extensionPath = packageAndInstall();
  browser = await launchBrowser();
  let failures = 0;
  if (phaseWanted('host')) {
    const code = await runHostTests(extensionPath);
    log(`in-host tests exit code ${code}`);
    if (code !== 0) failures++;
  }
  if (phaseWanted('ui')) {
    const n = await runUiTests(uiTestFiles(/^(?!restricted).*\.test\.mjs$/), 'ui', false);
    log(`UI tests: ${n} failure(s)`);
    failures += n;
  }
  if (phaseWanted('restricted')) {
    const n = await runUiTests(uiTestFiles(/^restricted.*\.test\.mjs$/), 'restricted', true);
    log(`restricted-mode UI tests: ${n} failure(s)`);
    failures += n;
  }
  if (phaseWanted('screenshots')) {
    const n = await runUiTests([join(ROOT, 'test', 'e2e', 'screenshots.mjs')], 'screenshots', false);
    log(`docs screenshots: ${n} failure(s); images in docs/images/`);
    failures += n;
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures === 0 ? 'all passed' : `${failures} failure(s)`}; screenshots in ${RESULTS}`);
  return failures;
}

let exitCode = 1;
const onSignal = async () => {
  await stopAll();
  releaseRunLock();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  exitCode = (await main()) === 0 ? 0 : 1;
} catch (err) {
  log(`FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  for (const s of servers) {
    if (existsSync(s.logFile)) log(`--- tail of ${s.logFile}\n${readFileSync(s.logFile, 'utf8').split('\n').slice(-30).join('\n')}`);
  }
  exitCode = 1;
} finally {
  await stopAll();
  releaseRunLock();
}
process.exit(exitCode);
