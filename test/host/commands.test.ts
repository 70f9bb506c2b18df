// Palette commands: analyze any file as a trace, exports, the simulator, the
// patch-series check, the worker for big files, and source-line diagnostics.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { api, codeOf, openTrace, ourDiagnostics, samplePath, waitFor } from './helpers';

const tmp = () => tempDir('dmrl-cmd-');

describe('commands', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('dmRaceLens').update('worker.thresholdLines', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Analyze as dm trace" analyses a plain-text file', async () => {
    const path = join(tmp(), 'capture.txt');
    writeFileSync(path, readFileSync(samplePath('dmr4-sleep-in-atomic.race.dmtrace'), 'utf8'));
    const document = await vscode.workspace.openTextDocument(path);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'plaintext');
    const result = await vscode.commands.executeCommand<{ findings: number }>('dmRaceLens.analyze');
    assert.equal(result.findings, 1);
    const [d] = await ourDiagnostics(document.uri, 1);
    assert.equal(codeOf(d), 'DMR4');
  });

  it('exports SARIF and Perfetto JSON of the active trace', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const dir = tmp();
    await vscode.commands.executeCommand('dmRaceLens.exportSarif', document.uri, vscode.Uri.file(join(dir, 'out.sarif')));
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId), ['DMR2']);
    await vscode.commands.executeCommand('dmRaceLens.exportPerfetto', document.uri, vscode.Uri.file(join(dir, 'out.json')));
    const chrome = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    const names = chrome.traceEvents.filter((e: { ph: string; name: string }) => e.ph === 'M' && e.name === 'thread_name').length;
    assert.ok(names >= 2, 'one thread per task');
    assert.ok(chrome.traceEvents.some((e: { name: string }) => e.name === 'DMR2 stale-lookup-get'));
    // lvm's mutex_unlock (line 11) hands _minor_lock to dmsetup's mutex_lock (line 14): one flow arrow.
    const flows = chrome.traceEvents.filter((e: { ph: string; name: string }) => e.ph === 's' && e.name === 'lock _minor_lock');
    assert.equal(flows.length, 1);
  });

  it('simulates a scenario into a trace that shows its race', async () => {
    const document = await vscode.commands.executeCommand<vscode.TextDocument>('dmRaceLens.simulateScenario', 'lookup-vs-remove', 'none');
    assert.equal(document.languageId, 'dmtrace');
    const d = await waitFor('DMR2 on the simulated trace', () => vscode.languages.getDiagnostics(document.uri).find((x) => codeOf(x) === 'DMR2'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
  });

  it('checks the patch series with the simulator: 06 closes DMR2', async () => {
    const result = await vscode.commands.executeCommand<{ closedBy: Record<string, string[]> }>('dmRaceLens.checkPatchSeries');
    assert.ok(result.closedBy['06'].includes('DMR2'), JSON.stringify(result.closedBy));
    assert.ok(result.closedBy['08'].includes('DMR6'), JSON.stringify(result.closedBy));
  });

  it('analyses big files in the worker with the same results', async () => {
    const { document } = await openTrace(samplePath('multi-device.dmtrace'));
    const { analyses } = await api();
    const onMainThread = analyses.get(document.uri)!;
    assert.equal(onMainThread.inWorker, false);
    const summary = (a: typeof onMainThread) => a.findings.map((f) => `${f.rule}@${a.trace.line[f.primary]}`).sort();
    await vscode.workspace.getConfiguration('dmRaceLens').update('worker.thresholdLines', 10, vscode.ConfigurationTarget.Global);
    const analysis = await waitFor('a worker analysis', () => (analyses.get(document.uri)?.inWorker ? analyses.get(document.uri) : undefined));
    assert.deepEqual(summary(analysis), summary(onMainThread));
    assert.ok(analysis.findings.length >= 2);
    assert.ok(analysis.hb.happensBefore(0, 1) || analysis.hb.concurrent(0, 1), 'happens-before is available for hovers');
    const ds = await ourDiagnostics(document.uri, analysis.findings.length);
    assert.equal(ds.filter((d) => codeOf(d) !== 'parse').length, analysis.findings.length);
  });

  it('puts a simulated race on the source line of dm.c it came from', async () => {
    const simulated = samplePath('simulated');
    const file = readdirSync(simulated).find((f) => /^none-dmr2-.*\.dmtrace$/.test(f) || /^01-02-dmr2-.*\.dmtrace$/.test(f));
    assert.ok(file, 'a simulated DMR2 trace');
    const { document } = await openTrace(join(simulated, file));
    const { analyses } = await api();
    const analysis = analyses.get(document.uri)!;
    const f = analysis.findings.find((x) => x.rule === 'DMR2');
    assert.ok(f, 'the simulated trace has a DMR2 finding');
    const src = analysis.trace.source(f.primary);
    assert.ok(src, 'its primary event has @dm.c:line');
    const found = await waitFor('a diagnostic on a dm.c', () =>
      vscode.languages
        .getDiagnostics()
        .find(([uri, ds]) => uri.fsPath.endsWith('dm.c') && ds.some((d) => codeOf(d) === 'DMR2' && d.range.start.line + 1 === src.line)),
    );
    // `@dm.c:N` in the trace is a link to that line of the same dm.c.
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', document.uri);
    const primaryLink = links.find((l) => l.range.start.line + 1 === analysis.trace.line[f.primary]);
    assert.ok(primaryLink?.target, 'the primary event has a source link');
    assert.equal(primaryLink.target.fsPath, found[0].fsPath);
    assert.equal(primaryLink.target.fragment, `L${src.line}`);
    const sourceDoc = await vscode.workspace.openTextDocument(found[0]);
    assert.match(sourceDoc.lineAt(src.line - 1).text, /dm_get|@step/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', sourceDoc.uri, new vscode.Position(src.line - 1, 4));
    const text = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    assert.match(text, /DMR2 stale-lookup-get/);
  });

  it('"Show in graph" opens the graph panel for a race', async () => {
    const { document } = await openTrace(samplePath('dmr5-module-unload-in-use.race.dmtrace'));
    assert.equal(await vscode.commands.executeCommand('dmRaceLens.showGraph', document.uri.toString(), { finding: 0 }), true);
    await waitFor('a graph tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /graph/i.test(t.label)),
    );
  });
});
