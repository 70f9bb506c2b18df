// A trace above the size threshold (5 MB by default) is analysed in the worker
// thread: the race still shows on its line, hovers still explain it, and the
// extension host keeps running its timers meanwhile.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { api, codeOf, hoverText, samplePath, waitFor } from './helpers';

/** 300 000 filler events of four unrelated tasks, then the DMR2 race of the sample. */
function bigTrace(): { path: string; raceLine: number } {
  const race = readFileSync(samplePath('dmr2-stale-lookup-get.race.dmtrace'), 'utf8')
    .split('\n')
    .filter((l) => /^\d/.test(l));
  const lines = ['!lock _minor_lock mutex'];
  for (let k = 0; k < 300_000; k++) lines.push(`${(10 + k * 1e-6).toFixed(6)} cpu${2 + (k % 2)} filler/${900 + (k % 4)} md_access md=md${100 + (k % 50)} field=map`);
  const raceLine = lines.length + race.findIndex((l) => / dm_get /.test(l)) + 1;
  lines.push(...race);
  const path = join(tempDir('dmrl-big-'), 'big.dmtrace');
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, raceLine };
}

describe('big traces', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('are analysed in the worker, with the race on its line and a working hover', async function () {
    this.timeout(120_000);
    const { path, raceLine } = bigTrace();
    const { analyses } = await api();
    // The extension host's own timers must keep firing while the analysis runs.
    let last = Date.now();
    let longestGap = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    try {
      const document = await vscode.workspace.openTextDocument(path);
      await vscode.window.showTextDocument(document);
      const analysis = await waitFor('the worker analysis', () => analyses.get(document.uri), 60_000);
      assert.equal(analysis.inWorker, true, 'a 16 MB trace goes to the worker');
      const d = await waitFor('the DMR2 diagnostic', () => vscode.languages.getDiagnostics(document.uri).find((x) => codeOf(x) === 'DMR2'), 30_000);
      assert.equal(d.range.start.line + 1, raceLine);
    } finally {
      clearInterval(tick);
    }
    console.log(`      longest extension-host timer gap while analysing 300k events: ${longestGap} ms`);
    const text = await hoverText(vscode.Uri.file(path), new vscode.Position(raceLine - 1, 20));
    assert.match(text, /DMR2 stale-lookup-get/);
    assert.match(text, /unordered with dmsetup\/4310/, 'happens-before rebuilt on the host for the hover');
  });
});
