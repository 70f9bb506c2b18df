// Stepping through a race's witness schedule moves the selection like a
// debugger's step, reports each step, and the closing patch opens from there.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StepState } from '../../extension/host/stepper';
import { api, openTrace, samplePath, waitFor } from './helpers';

describe('stepping through the interleaving', () => {
  after(async () => {
    await vscode.commands.executeCommand('dmRaceLens.stepStop');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('walks the witness of DMR2 forwards and back, firing onDidStep', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const { analyses, onDidStep, stepState } = await api();
    const analysis = analyses.get(document.uri)!;
    const f = analysis.findings[0];
    const seen: (StepState | undefined)[] = [];
    const sub = onDidStep((s) => seen.push(s));
    try {
      const first = await vscode.commands.executeCommand<StepState>('dmRaceLens.stepThrough', document.uri.toString(), 0);
      assert.equal(first.step, 0);
      assert.equal(first.total, f.witness.length);
      assert.ok(first.total >= 4, `a witness of ${first.total} steps`);
      const editor = vscode.window.activeTextEditor!;
      assert.equal(editor.document.uri.toString(), document.uri.toString());
      assert.equal(editor.selection.active.line + 1, analysis.trace.line[f.witness[0].event!]);
      // Step to the end: each step's line is the selection, in witness order.
      for (let k = 1; k < first.total; k++) {
        const s = await vscode.commands.executeCommand<StepState>('dmRaceLens.stepNext');
        assert.equal(s.step, k);
        if (f.witness[k].event !== undefined) assert.equal(vscode.window.activeTextEditor!.selection.active.line + 1, analysis.trace.line[f.witness[k].event!]);
      }
      // Past the end it stays on the last step.
      assert.equal((await vscode.commands.executeCommand<StepState>('dmRaceLens.stepNext')).step, first.total - 1);
      const back = await vscode.commands.executeCommand<StepState>('dmRaceLens.stepPrevious');
      assert.equal(back.step, first.total - 2);
      assert.equal(stepState()?.step, first.total - 2);
      assert.ok(seen.length >= first.total + 1, `onDidStep fired ${seen.length} times`);
      // The dm_get of the race is one of the steps.
      assert.ok(f.witness.some((w) => w.event === f.primary));
      await vscode.commands.executeCommand('dmRaceLens.stepStop');
      assert.equal(seen[seen.length - 1], undefined, 'stop fires undefined');
      assert.equal(stepState(), undefined);
    } finally {
      sub.dispose();
    }
  });

  it('opens the closing patch from the race', async () => {
    const { document } = await openTrace(samplePath('dmr6-register-before-init.race.dmtrace'));
    const { analyses } = await api();
    const f = analyses.get(document.uri)!.findings[0];
    assert.deepEqual(f.fixedBy, ['08']);
    assert.equal(await vscode.commands.executeCommand('dmRaceLens.openPatch', f.fixedBy[0], document.uri.toString()), true);
    const editor = await waitFor('the patch editor', () => (vscode.window.activeTextEditor?.document.fileName.includes('0008-') ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.getText(), /Subject: \[PATCH 8\/8\]/);
  });
});
