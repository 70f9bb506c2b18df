// The module boundaries, read from the sources: the analysis core
// (extension/core) imports nothing of vscode or of the host, and no Node module
// outside its Node edge (extension/core/node); the webview imports no Node
// module, nothing of vscode and nothing of the host; only webview/toolkit.ts
// imports the UI toolkit; no core module runs programs (child_process); and no module of the project imports itself through a
// circle of imports (type-only imports included: a circle of types is a circle
// of concepts too). The lint rules (eslint.config.mjs) say the same: a table of
// imports below is judged by both, so they cannot drift apart or go silent.
import * as assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from './helpers';

const ROOT = REPO_ROOT;

function tsFilesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFilesBelow(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `import ... from 'x'`, `import 'x'`, `export ... from 'x'` (one or many lines), `import('x')`, `require('x')`. */
const STATIC_IMPORT = /(?:^|[\n;])[ \t]*(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/g;
const CALL_IMPORT = /\b(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The module specifiers a source file imports; comment lines (`//`, `/*`, ` *`) are left out. */
export function importsOf(source: string): string[] {
  const code = source
    .split('\n')
    .filter((line) => !/^\s*(?:\/\/|\/?\*)/.test(line))
    .join('\n');
  return [...code.matchAll(STATIC_IMPORT), ...code.matchAll(CALL_IMPORT)].map((m) => m[1]);
}

interface Module {
  /** Repository-relative path with `/`. */
  path: string;
  specifiers: string[];
  /** The project's modules it imports (relative specifiers resolved to files). */
  local: string[];
  /** Per specifier: the repository path a relative one names (resolved or not), else undefined. */
  resolved: (string | undefined)[];
}

function loadModules(dirs: string[]): Map<string, Module> {
  const modules = new Map<string, Module>();
  const rel = (p: string) => relative(ROOT, p).split(sep).join('/');
  for (const file of dirs.flatMap((d) => tsFilesBelow(join(ROOT, d)))) {
    const specifiers = importsOf(readFileSync(file, 'utf8'));
    const resolved = specifiers.map((s) => (s.startsWith('.') ? rel(resolve(dirname(file), s)) : undefined));
    const local = specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s))
      .map((base) => [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c)))
      .filter((c): c is string => c !== undefined)
      .map(rel);
    modules.set(rel(file), { path: rel(file), specifiers, local, resolved });
  }
  return modules;
}

/** Every circle of imports the depth-first walk meets (none exactly when the graph has no cycle). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeModule = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s.split('/')[0]);

const TOOLKIT = '@vscode/webview-ui-toolkit';

/**
 * Why the module at `importer` (a repository path) may not import `specifier`
 * (`target`: the repository path a relative specifier resolves to), or
 * undefined when it may. The same boundaries as eslint.config.mjs.
 */
export function forbiddenImport(importer: string, specifier: string, target?: string): string | undefined {
  const core = importer.startsWith('extension/core/');
  const coreNode = importer.startsWith('extension/core/node/');
  const webview = importer.startsWith('webview/');
  if ((specifier === TOOLKIT || specifier.startsWith(`${TOOLKIT}/`)) && importer !== 'webview/toolkit.ts') return 'the UI toolkit outside webview/toolkit.ts';
  if (!core && !webview) return undefined;
  if (specifier === 'vscode') return 'vscode in the core or the webview';
  if (target?.startsWith('extension/host/')) return 'extension/host in the core or the webview';
  if (coreNode) return /^(node:)?child_process$/.test(specifier) ? 'child_process in the core: the CLI and the host run programs' : undefined;
  if (isNodeModule(specifier)) return 'a Node module in the core (outside extension/core/node) or the webview';
  if (core && target?.startsWith('extension/core/node/')) return "the core's Node edge from the rest of the core";
  return undefined;
}

/** Imports judged by forbiddenImport and by the lint rules: [importing file, import statement, allowed]. */
const BOUNDARY_CASES: [string, string, boolean][] = [
  ['extension/core/trace/x.ts', "import * as vscode from 'vscode';", false],
  ['extension/core/trace/x.ts', "import type { Stepper } from '../../host/stepper';", false],
  ['extension/core/trace/x.ts', "import { readFileSync } from 'node:fs';", false],
  ['extension/core/trace/x.ts', "import { join } from 'path';", false],
  ['extension/core/trace/x.ts', "import { parseFile } from '../node/readFile';", false],
  ['extension/core/trace/x.ts', "import { parseTrace } from './parse';", true],
  ['extension/core/node/x.ts', "import { readFileSync } from 'node:fs';", true],
  ['extension/core/node/x.ts', "import * as vscode from 'vscode';", false],
  ['extension/core/node/x.ts', "import { spawnSync } from 'node:child_process';", false],
  ['webview/x.ts', "import { join } from 'node:path';", false],
  ['webview/x.ts', "import { EventEmitter } from 'events';", false],
  ['webview/x.ts', "import * as vscode from 'vscode';", false],
  ['webview/x.ts', "import { settings } from '../extension/host/settings';", false],
  ['webview/x.ts', "import { provideToolkit } from '@vscode/webview-ui-toolkit';", false],
  ['webview/x.ts', "import type { GraphModel } from '../extension/core/graph/model';", true],
  ['webview/toolkit.ts', "import { provideToolkit } from '@vscode/webview-ui-toolkit';", true],
  ['extension/host/x.ts', "import { provideToolkit } from '@vscode/webview-ui-toolkit';", false],
  ['extension/host/x.ts', "import * as vscode from 'vscode';", true],
];

describe('architecture: module boundaries and import cycles', () => {
  const modules = loadModules(['extension', 'webview']);
  const under = (prefix: string) => [...modules.values()].filter((m) => m.path.startsWith(prefix));

  it('reads the imports it checks (every kind of import statement)', () => {
    assert.deepEqual(
      importsOf(
        [
          "import * as a from './a';",
          "import type { B } from '../b';",
          'import {\n  c,\n  type C,\n} from "./c";',
          "import './side-effect';",
          "export { d } from './d';",
          "export * from './e';",
          "const f = require('node:fs');",
          "const g = await import('./g');",
          "// import { h } from './commented';",
          "/* import { i } from './commented';",
          " * import { k } from './commented'; */",
          "const url = 'https://example.org'; import { j } from './j';",
        ].join('\n'),
      ),
      ['./a', '../b', './c', './side-effect', './d', './e', './j', 'node:fs', './g'],
    );
    const analyze = modules.get('extension/core/analyze.ts');
    assert.ok(analyze, 'extension/core/analyze.ts is found');
    assert.ok(analyze.local.includes('extension/core/hb/happensBefore.ts'), 'relative imports resolve to files');
    assert.ok(under('extension/core/').length > 50 && under('webview/').length > 5);
  });

  it('no module of extension/, webview/, test/ or bench/ crosses a boundary', () => {
    const all = loadModules(['extension', 'webview', 'test', 'bench']);
    const bad = [...all.values()].flatMap((m) =>
      m.specifiers.map((s, i) => [s, m.resolved[i]] as const).flatMap(([s, target]) => {
        const why = forbiddenImport(m.path, s, target);
        return why ? [`${m.path} imports ${s}: ${why}`] : [];
      }),
    );
    assert.deepEqual(bad, []);
  });

  it('the lint rules and forbiddenImport judge every boundary case alike, as expected', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const [file, statement, allowed] of BOUNDARY_CASES) {
      const specifier = importsOf(statement)[0];
      const target = specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join('/') : undefined;
      assert.equal(forbiddenImport(file, specifier, target) === undefined, allowed, `forbiddenImport: ${file}: ${statement}`);
      const [result] = await eslint.lintText(`${statement}\n`, { filePath: join(ROOT, file) });
      const fired = result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
      assert.equal(fired.length === 0, allowed, `lint: ${file}: ${statement} -> ${JSON.stringify(result.messages)}`);
    }
  });

  it('lint forbids __dirname in a unit test (the folder of its bundle moves with it), except in helpers.ts', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const fired = async (file: string) =>
      (await eslint.lintText('export const here = __dirname;\n', { filePath: join(ROOT, file) }))[0].messages.some((m) => m.ruleId === 'no-restricted-globals');
    assert.equal(await fired('test/unit/trace/x.test.ts'), true);
    assert.equal(await fired('test/unit/helpers.ts'), false);
  });

  it('each folder of test/unit is named after the folder of the sources it tests', () => {
    const folders = (dir: string): string[] =>
      readdirSync(join(ROOT, dir))
        .filter((name) => statSync(join(ROOT, dir, name)).isDirectory())
        .flatMap((name) => [`${dir}/${name}`, ...folders(`${dir}/${name}`)]);
    // test/unit/trace/recorded tests extension/core/trace/recorded; host, cli, webview, bench and kernel their own folders.
    const homes = (area: string) => [`extension/core/${area}`, `extension/${area}`, area];
    const strays = folders('test/unit')
      .map((f) => f.slice('test/unit/'.length))
      .filter((area) => !homes(area).some((home) => existsSync(join(ROOT, home))));
    assert.deepEqual(strays, []);
  });

  it('finds a circle of imports when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    assert.deepEqual(importCycles(graph), [['a', 'b', 'c', 'a']]);
    assert.deepEqual(importCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
  });

  it('no module of extension/ or webview/ imports itself through a circle', () => {
    const graph = new Map([...modules.values()].map((m) => [m.path, m.local]));
    assert.deepEqual(importCycles(graph).map((c) => c.join(' -> ')), []);
  });
});
