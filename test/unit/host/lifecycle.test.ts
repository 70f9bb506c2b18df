// The extension's lifetime, run under a stand-in for VS Code: everything an
// activation registers with the editor goes when it is deactivated (no hover,
// CodeLens, command or graph listener left behind), and activating again (the
// user disables and re-enables the extension) registers each thing once and
// starts from fresh state: the stepper's events reach the new activation.
import './fakeVscode';
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { activate } from '../../../extension/host/extension';
import type { StepState } from '../../../extension/host/stepper';
import { commands, live } from './fakeVscode';

function fakeContext(): vscode.ExtensionContext {
  const uri = { fsPath: '/nonexistent', path: '/nonexistent', toString: () => 'file:///nonexistent' };
  return { subscriptions: [], extensionUri: uri, extension: { packageJSON: { version: '0.0.0' } } } as unknown as vscode.ExtensionContext;
}

/** What VS Code does on deactivation (the extension exports no deactivate()): dispose the context's subscriptions. */
function deactivate(context: vscode.ExtensionContext): void {
  for (const d of context.subscriptions.splice(0)) d.dispose();
}

describe('host: activation lifetime', () => {
  afterEach(() => {
    live.clear();
    commands.clear();
  });

  it('leaves nothing registered with the editor once deactivated', () => {
    const context = fakeContext();
    activate(context);
    const registered = [...live].map((r) => r.what);
    assert.ok(registered.includes('command dmRaceLens.showGraph') && registered.includes('command dmRaceLens.stepThrough'), registered.join(', '));
    assert.ok(registered.includes('window.registerCustomEditorProvider') && registered.includes('languages.registerHoverProvider'), registered.join(', '));
    deactivate(context);
    assert.deepEqual([...live].map((r) => r.what), []);
  });

  it('activates again after a deactivation with each command and provider registered once', () => {
    const first = fakeContext();
    activate(first);
    const once = [...live].map((r) => r.what).sort();
    deactivate(first);
    const second = fakeContext();
    activate(second);
    assert.deepEqual([...live].map((r) => r.what).sort(), once);
    deactivate(second);
  });

  it('a new activation steps with fresh state: its stepper events reach its listeners', async () => {
    const first = fakeContext();
    activate(first);
    deactivate(first);
    const second = fakeContext();
    const api = activate(second);
    assert.equal(api.stepState(), undefined);
    const seen: (StepState | undefined)[] = [];
    api.onDidStep((s) => seen.push(s));
    await commands.get('dmRaceLens.stepStop')?.();
    assert.deepEqual(seen, [undefined], 'stopping fires onDidStep(undefined), which the graph panels follow');
    deactivate(second);
  });
});
