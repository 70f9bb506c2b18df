// Problems-panel diagnostics on traces: one per finding, on its primary event's
// line, with the rule as a linked code, the race's other events as related
// information, and severities that follow the settings.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { codeOf, openTrace, ourDiagnostics, waitFor } from './helpers';

// A stale lookup: dmsetup finds md0 under _minor_lock, drops the lock, then takes
// a reference, while udevd's final put and free are unordered with that dm_get.
const STALE_GET = [
  '!lock _minor_lock mutex',
  '1.000000 cpu0 dmsetup/100 mutex_lock lock=_minor_lock',
  '1.000001 cpu0 dmsetup/100 idr_find idr=_minor_idr minor=0 ret=md0',
  '1.000002 cpu0 dmsetup/100 mutex_unlock lock=_minor_lock',
  '1.000003 cpu1 udevd/200 dm_put md=md0 holders=0',
  '1.000004 cpu1 udevd/200 free_dev md=md0',
  '1.000005 cpu0 dmsetup/100 dm_get md=md0 holders=1',
  '',
].join('\n');

function writeTrace(name: string, text: string): string {
  const dir = tempDir('dmrl-');
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('diagnostics', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('dmRaceLens').update('severity.DMR2', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts a DMR2 error on the dm_get line with a docs link and the race as related information', async () => {
    const { document } = await openTrace(writeTrace('stale.dmtrace', STALE_GET));
    assert.equal(document.languageId, 'dmtrace');
    const [d, ...rest] = await ourDiagnostics(document.uri, 1);
    assert.equal(rest.length, 0, 'one finding');
    assert.equal(codeOf(d), 'DMR2');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, 6, 'on line 7, the dm_get');
    assert.equal(document.getText(d.range).split(' ')[0], 'dm_get');
    const target = (d.code as { target: vscode.Uri }).target;
    assert.match(target.path, /docs\/rules\.md$/);
    const relatedLines = (d.relatedInformation ?? []).map((r) => r.location.range.start.line + 1).sort((a, b) => a - b);
    assert.ok(relatedLines.includes(3), `the idr_find (line 3) is related: ${relatedLines}`);
    assert.ok(relatedLines.includes(5), `the final put (line 5) is related: ${relatedLines}`);
  });

  it('follows the severity setting, and "off" hides the rule', async () => {
    const { document } = await openTrace(writeTrace('stale.dmtrace', STALE_GET));
    await ourDiagnostics(document.uri, 1);
    const config = vscode.workspace.getConfiguration('dmRaceLens');
    await config.update('severity.DMR2', 'information', vscode.ConfigurationTarget.Global);
    await waitFor('severity information', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'DMR2' && d.severity === vscode.DiagnosticSeverity.Information),
    );
    await config.update('severity.DMR2', 'off', vscode.ConfigurationTarget.Global);
    await waitFor('DMR2 hidden', () => (vscode.languages.getDiagnostics(document.uri).some((d) => codeOf(d) === 'DMR2') ? undefined : true));
  });

  it('reports a bad line with its column and still analyses the rest, updating on edit', async () => {
    const { editor, document } = await openTrace(writeTrace('bad.dmtrace', STALE_GET.replace('cpu1 udevd/200 dm_put', 'cpuX udevd/200 dm_put')));
    const parse = await waitFor('a parse diagnostic', () => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'parse'));
    assert.equal(parse.range.start.line, 4);
    assert.equal(document.getText(parse.range).startsWith('cpuX'), true, `range covers the bad cpu: "${document.getText(parse.range)}"`);
    // Fixing the line by an edit (not a save) re-analyses after the debounce.
    await editor.edit((b) => b.replace(parse.range, 'cpu1'));
    await waitFor('parse error gone', () => (vscode.languages.getDiagnostics(document.uri).some((d) => codeOf(d) === 'parse') ? undefined : true));
    await waitFor('DMR2 after the fix', () => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'DMR2'));
  });
});
