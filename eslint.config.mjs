import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// The module boundaries (README, "Layout"). test/unit/architecture.test.ts checks
// the same boundaries from the sources (and the import circles), and proves
// that each rule here fires on a file that breaks it.
const TOOLKIT = {
  group: ['@vscode/webview-ui-toolkit', '@vscode/webview-ui-toolkit/*'],
  message: 'Only webview/toolkit.ts imports the UI toolkit; the rest of the webview uses it through that module.',
};
const VSCODE = { name: 'vscode', message: 'The analysis core and the webview import nothing of vscode.' };
const HOST = {
  group: ['**/host', '**/host/**'],
  message: 'The analysis core and the webview import nothing of extension/host.',
};
const NODE_MESSAGE = 'No Node module here: the core runs in the webview too (file access goes in extension/core/node/), and the webview is a browser page.';
const NODE = [{ group: ['node:*'], message: NODE_MESSAGE }];
const NODE_BARE = builtinModules.map((name) => ({ name, message: NODE_MESSAGE }));
const CHILD_PROCESS = ['child_process', 'node:child_process'].map((name) => ({ name, message: 'The core runs no programs: the CLI and the host do.' }));
const CORE_NODE = {
  group: ['**/node', '**/node/**'],
  message: "extension/core/node/ is the core's Node edge: the rest of the core cannot import it.",
};

/** One `no-restricted-imports` setting: a later config object for the same file replaces, not extends, it. */
const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.{ts,mjs,js}'], rules: restrict([], [TOOLKIT]) },
  {
    files: ['extension/core/**/*.ts'],
    ignores: ['extension/core/node/**'],
    rules: restrict([VSCODE, ...NODE_BARE], [HOST, CORE_NODE, TOOLKIT, ...NODE]),
  },
  { files: ['extension/core/node/**/*.ts'], rules: restrict([VSCODE, ...CHILD_PROCESS], [HOST, TOOLKIT]) },
  {
    files: ['webview/**/*.ts'],
    ignores: ['webview/toolkit.ts'],
    rules: restrict([VSCODE, ...NODE_BARE], [HOST, TOOLKIT, ...NODE]),
  },
  { files: ['webview/toolkit.ts'], rules: restrict([VSCODE, ...NODE_BARE], [HOST, ...NODE]) },
  {
    // esbuild bundles each unit test into out/ at its own depth: a path from __dirname breaks when a test moves.
    files: ['test/unit/**/*.ts'],
    ignores: ['test/unit/helpers.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: '__dirname', message: 'Use repoPath() or REPO_ROOT from test/unit/helpers.ts.' }],
    },
  },
);
