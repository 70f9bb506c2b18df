// Runs first (file order): the extension stays inactive until a trace is opened.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, samplePath, waitFor } from './helpers';

describe('activation', () => {
  it('is lazy: inactive with no trace open, active once a .dmtrace opens', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'installed');
    assert.equal(ext.isActive, false, 'nothing runs while no trace is open');
    const document = await vscode.workspace.openTextDocument(samplePath('dmr4-sleep-in-atomic.race.dmtrace'));
    assert.equal(document.languageId, 'dmtrace');
    await waitFor('activation on the dmtrace language', () => (ext.isActive ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
