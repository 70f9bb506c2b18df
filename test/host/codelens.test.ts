// CodeLens over races in traces and over hunks of the patch series, and the
// diagnostics on a patch's removed lines that carried the unsafe ordering.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { api, codeOf, openTrace, samplePath, waitFor } from './helpers';

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
}

function patchPath(id: string): string {
  const name = readdirSync(samplePath('patches')).find((f) => f.startsWith(`00${id}-`));
  assert.ok(name, `patch ${id} exists`);
  return samplePath('patches', name);
}

describe('CodeLens', () => {
  // Patch files alone would activate the extension only as they open: activate it first.
  before(() => api());
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('puts step, graph and patch lenses above each race of a trace', async () => {
    const { document } = await openTrace(samplePath('multi-device.dmtrace'));
    const ours = (await lenses(document.uri)).filter((l) => l.command?.command.startsWith('dmRaceLens.'));
    const analysis = (await api()).analyses.get(document.uri)!;
    const raceLines = analysis.findings.map((f) => analysis.trace.line[f.primary]).sort((a, b) => a - b);
    assert.ok(raceLines.length >= 2, 'multi-device has several races');
    const lines = [...new Set(ours.map((l) => l.range.start.line + 1))].sort((a, b) => a - b);
    assert.deepEqual(lines, raceLines, 'three lenses over each race, none elsewhere');
    assert.equal(ours.length, 3 * raceLines.length);
    // line 26 is the DMR2 race of md11 (its # expect line says so).
    const at26 = ours.filter((l) => l.range.start.line === 25).map((l) => l.command!.title);
    assert.ok(at26.some((t) => /Step through interleaving \(\d+ steps\)/.test(t)), at26.join(' | '));
    assert.ok(at26.includes('$(type-hierarchy) Show in graph'));
    assert.ok(at26.includes('DMR2 stale-lookup-get: closed by 04 + 06'));
  });

  it('shows no lens on a fixed trace', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.fixed.dmtrace'));
    assert.equal((await lenses(document.uri)).filter((l) => l.command?.command.startsWith('dmRaceLens.')).length, 0);
  });

  it('says over each hunk of patch 06 that it closes DMR2, and marks the removed late dm_get', async () => {
    const document = await vscode.workspace.openTextDocument(patchPath('06'));
    await vscode.window.showTextDocument(document);
    const titles = (await lenses(document.uri)).map((l) => `${l.range.start.line + 1}: ${l.command?.title}`);
    assert.ok(titles.some((t) => /^\d+: \$\(shield\) Patch 06 closes DMR2 stale-lookup-get \(with 04\)$/.test(t)), titles.join('\n'));
    assert.ok(titles.some((t) => /removes the DMR2 stale-lookup-get ordering/.test(t)), titles.join('\n'));
    const d = await waitFor('a patch diagnostic', () => vscode.languages.getDiagnostics(document.uri).find((x) => codeOf(x) === 'DMR2'));
    assert.match(document.lineAt(d.range.start.line).text, /^-\s*dm_get\(md\);/);
  });

  it('marks the idr_pre_get under the lock removed by patch 03 (DMR4)', async () => {
    const document = await vscode.workspace.openTextDocument(patchPath('03'));
    await vscode.window.showTextDocument(document);
    const titles = (await lenses(document.uri)).map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.includes('Patch 03 closes DMR4 sleep-in-atomic')), titles.join('\n'));
    const d = await waitFor('a DMR4 diagnostic', () => vscode.languages.getDiagnostics(document.uri).find((x) => codeOf(x) === 'DMR4'));
    assert.match(document.lineAt(d.range.start.line).text, /idr_pre_get\(&_minor_idr, GFP_KERNEL\)/);
  });

  it('has no removed-ordering diagnostics on patch 01 (idr_replace only adds an API)', async () => {
    const document = await vscode.workspace.openTextDocument(patchPath('01'));
    await vscode.window.showTextDocument(document);
    const titles = (await lenses(document.uri)).map((l) => l.command?.title ?? '');
    assert.ok(titles.every((t) => !t.includes('removes')), titles.join('\n'));
    assert.ok(titles.some((t) => t.includes('Patch 01 closes DMR1 publish-before-init (with 02)')));
  });

  it('says a patch is confirmed once the simulator has checked the series', async () => {
    const document = await vscode.workspace.openTextDocument(patchPath('06'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('dmRaceLens.checkPatchSeries');
    const titles = await waitFor('a confirmed lens', async () => {
      const t = (await lenses(document.uri)).map((l) => l.command?.title ?? '');
      return t.some((x) => x.includes('confirmed by the simulator')) ? t : undefined;
    });
    assert.ok(titles.some((t) => t === '$(shield) Patch 06 closes DMR2 stale-lookup-get (with 04) · confirmed by the simulator'), titles.join('\n'));
    const four = await vscode.workspace.openTextDocument(patchPath('04'));
    const fourTitles = (await lenses(four.uri)).map((l) => l.command?.title ?? '');
    assert.ok(fourTitles.includes('$(shield) Patch 04 is part of the fix of DMR2 stale-lookup-get (with 06) · alone it closes no race in the simulator'), fourTitles.join('\n'));
  });

  it('reads an mbox of the series as a diff, each hunk under its own patch', async () => {
    const path = join(tempDir('dmrl-mbox-'), 'series.mbox');
    writeFileSync(path, readFileSync(patchPath('04'), 'utf8') + readFileSync(patchPath('06'), 'utf8'));
    const document = await vscode.workspace.openTextDocument(path);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'diff');
    const titles = (await lenses(document.uri)).map((l) => l.command?.title ?? '');
    // Before the simulator ran, 04 "closes DMR2 (with 06)"; after, it "is part of the fix of DMR2".
    assert.ok(titles.some((t) => /^\$\(shield\) Patch 04 (closes|is part of the fix of) DMR2 stale-lookup-get \(with 06\)/.test(t)), titles.join('\n'));
    assert.ok(titles.some((t) => t.startsWith('$(shield) Patch 06 closes DMR2 stale-lookup-get (with 04)')), titles.join('\n'));
    assert.ok(titles.every((t) => !t.includes('Patch 01')), 'no hunk is taken for another patch');
  });
});

