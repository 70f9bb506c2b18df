// The module boundaries, read from the sources: the analysis core
// (extension/core) imports nothing of vscode, of the host or of
// child_process; the webview imports no node module; and no module of the
// project imports itself through a circle of imports (type-only imports
// included: a circle of types is a circle of concepts too).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above the test');
    dir = up;
  }
  return dir;
}

const ROOT = repoRoot();

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
}

function loadModules(dirs: string[]): Map<string, Module> {
  const modules = new Map<string, Module>();
  const rel = (p: string) => relative(ROOT, p).split(sep).join('/');
  for (const file of dirs.flatMap((d) => tsFilesBelow(join(ROOT, d)))) {
    const specifiers = importsOf(readFileSync(file, 'utf8'));
    const local = specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s))
      .map((base) => [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c)))
      .filter((c): c is string => c !== undefined)
      .map(rel);
    modules.set(rel(file), { path: rel(file), specifiers, local });
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

  it('extension/core imports nothing of vscode, of extension/host or of child_process', () => {
    const bad = under('extension/core/').flatMap((m) => [
      ...m.specifiers.filter((s) => s === 'vscode' || s === 'node:child_process' || s === 'child_process').map((s) => `${m.path} imports ${s}`),
      ...m.local.filter((p) => p.startsWith('extension/host/')).map((p) => `${m.path} imports ${p}`),
    ]);
    assert.deepEqual(bad, []);
  });

  it('the webview imports no node module, nothing of vscode and nothing of extension/host', () => {
    const bad = under('webview/').flatMap((m) => [
      ...m.specifiers.filter((s) => isNodeModule(s) || s === 'vscode').map((s) => `${m.path} imports ${s}`),
      ...m.local.filter((p) => p.startsWith('extension/host/')).map((p) => `${m.path} imports ${p}`),
    ]);
    assert.deepEqual(bad, []);
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
