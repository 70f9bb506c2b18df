// The graph's host side in VS Code: the command opens the webview panel beside
// the trace, and "Open with graph" opens the custom editor on a trace file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openTrace, samplePath, waitFor } from './helpers';

function tabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs);
}

describe('graph panel', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show happens-before graph opens one webview panel per trace, beside it', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const shown = await vscode.commands.executeCommand<boolean>('dmRaceLens.showGraph', document.uri, { finding: 0 });
    assert.equal(shown, true);
    const tab = await waitFor('the graph tab', () =>
      tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('dmRaceLens.graph')),
    );
    assert.equal(tab.label, 'Graph: dmr2-stale-lookup-get.race.dmtrace');
    assert.notEqual(tab.group.viewColumn, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One);
    // Asking again brings the same panel forward instead of opening a second one.
    await vscode.commands.executeCommand('dmRaceLens.showGraph', document.uri, { event: 3 });
    const graphs = tabs().filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('dmRaceLens.graph'));
    assert.equal(graphs.length, 1);
  });

  it('a closed graph panel leaves nothing behind: showing the graph again opens a fresh one', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const isGraph = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('dmRaceLens.graph');
    assert.equal(await vscode.commands.executeCommand<boolean>('dmRaceLens.showGraph', document.uri), true);
    const first = await waitFor('the graph tab', () => tabs().find(isGraph));
    assert.ok(await vscode.window.tabGroups.close(first));
    await waitFor('the graph tab to close', () => (tabs().some(isGraph) ? undefined : true));
    assert.equal(await vscode.commands.executeCommand<boolean>('dmRaceLens.showGraph', document.uri, { finding: 0 }), true);
    await waitFor('a new graph tab', () => tabs().find(isGraph));
    assert.equal(tabs().filter(isGraph).length, 1);
  });

  it('"Open with" offers the graph as a custom editor for trace files', async () => {
    const uri = vscode.Uri.file(samplePath('dmr6-register-before-init.race.dmtrace'));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'dmRaceLens.graph');
    const tab = await waitFor('the custom editor tab', () =>
      tabs().find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'dmRaceLens.graph'),
    );
    assert.equal((tab.input as vscode.TabInputCustom).uri.fsPath, uri.fsPath);
  });
});
