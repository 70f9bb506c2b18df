// A stand-in for the `vscode` module, installed before the host code loads, with
// just enough for activate() to run under plain mocha. Every registration with
// the editor (commands, providers, listeners, views, status bar items,
// collections, watchers) is recorded until it is disposed, so a test can see
// what an activation leaves behind. Commands run through `commands`.
import Module from 'node:module';

/** What is registered with the editor now: a name per live registration. */
export const live = new Set<{ what: string }>();
/** Registered commands by id; registering an id twice throws, as VS Code does. */
export const commands = new Map<string, (...args: unknown[]) => unknown>();

class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  constructor(private readonly onDispose: () => unknown) {}
  dispose(): void {
    this.onDispose();
  }
}

/** As VS Code's: once disposed, it takes no listener and fires nothing. */
class EventEmitter<T> {
  private listeners: Set<(e: T) => unknown> | undefined = new Set();
  readonly event = (listener: (e: T) => unknown) => {
    this.listeners?.add(listener);
    return new Disposable(() => this.listeners?.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...(this.listeners ?? [])]) l(e);
  }
  dispose(): void {
    this.listeners = undefined;
  }
}

/** Anything else: callable, constructible, every property another such thing; properties set are kept. */
function anything(): unknown {
  const props = new Map<PropertyKey, unknown>();
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_t, p) => (p === 'then' ? undefined : props.has(p) ? props.get(p) : (props.set(p, anything()), props.get(p))),
    set: (_t, p, v) => (props.set(p, v), true),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

/** A registration: recorded while live; its own properties (onDidCreate, show, badge...) are anything. */
function registration(what: string): unknown {
  const entry = { what };
  live.add(entry);
  const rest = anything() as Record<PropertyKey, unknown>;
  return new Proxy(rest, { get: (t, p) => (p === 'dispose' ? () => live.delete(entry) : Reflect.get(t, p)) });
}

/** A namespace whose functions register (`on*`, `create*`, `register*`) or answer `values`. */
function namespace(name: string, values: Record<string, unknown>): unknown {
  return new Proxy(
    {},
    {
      get: (_t, p) => {
        if (typeof p !== 'string') return undefined;
        if (p in values) return values[p];
        if (/^(on|create|register)/.test(p)) return () => registration(`${name}.${p}`);
        return () => anything();
      },
    },
  );
}

const fake: Record<string, unknown> = {
  Disposable,
  EventEmitter,
  commands: namespace('commands', {
    registerCommand(id: string, run: (...args: unknown[]) => unknown) {
      if (commands.has(id)) throw new Error(`command '${id}' already exists`);
      commands.set(id, run);
      const entry = { what: `command ${id}` };
      live.add(entry);
      return new Disposable(() => {
        commands.delete(id);
        live.delete(entry);
      });
    },
    executeCommand: async () => undefined,
  }),
  workspace: namespace('workspace', { textDocuments: [], isTrusted: true, findFiles: async () => [], getConfiguration: () => ({ get: (_k: string, d: unknown) => d }) }),
  window: namespace('window', { activeTextEditor: undefined, visibleTextEditors: [], tabGroups: namespace('window.tabGroups', { all: [] }) }),
  languages: namespace('languages', {}),
};
// The bundle copies the module's own names (esbuild's __toESM): name every class and enum the host uses.
for (const name of [
  'CancellationTokenSource', 'CodeLens', 'Diagnostic', 'DiagnosticRelatedInformation', 'DiagnosticSeverity', 'DocumentLink', 'DocumentSymbol', 'Hover',
  'Location', 'MarkdownString', 'OverviewRulerLane', 'Position', 'ProgressLocation', 'Range', 'Selection', 'StatusBarAlignment', 'SymbolKind', 'TabInputText',
  'TextEditorRevealType', 'ThemeColor', 'ThemeIcon', 'TreeItem', 'TreeItemCollapsibleState', 'Uri', 'ViewColumn', 'env', 'extensions',
]) {
  fake[name] = anything();
}

// The host code requires 'vscode' when it loads: answer with the fake.
const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: typeof load })._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fake : load.call(this, request, ...rest);
};
