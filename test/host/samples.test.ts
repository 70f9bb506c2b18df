// Every sample trace shows in Problems exactly the findings its `# expect:`
// header names: rule, severity and line.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { codeOf, openTrace, ourDiagnostics, samplePath } from './helpers';

function expectations(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^#\s*expect:\s*(.*)$/.exec(l)?.[1].trim())
    .filter((x): x is string => x !== undefined && x !== 'none')
    .sort();
}

const severityName = (s: vscode.DiagnosticSeverity) => ['error', 'warning', 'information', 'hint'][s];

describe('sample traces in the Problems panel', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
  const files = readdirSync(samplePath()).filter((f) => f.endsWith('.dmtrace')).sort();

  it('has sample traces to check', () => assert.ok(files.length >= 18, `${files.length} sample traces`));

  for (const file of files) {
    it(`${file}: diagnostics match its expect lines`, async () => {
      const path = samplePath(file);
      const expected = expectations(readFileSync(path, 'utf8'));
      const { document } = await openTrace(path);
      const diagnostics = await ourDiagnostics(document.uri, expected.length);
      const got = diagnostics
        .filter((d) => codeOf(d) !== 'parse')
        .map((d) => `${codeOf(d)} ${severityName(d.severity)} ${d.range.start.line + 1}`)
        .sort();
      assert.deepEqual(got, expected);
      for (const d of diagnostics.filter((x) => codeOf(x) !== 'parse')) {
        assert.ok((d.relatedInformation ?? []).length > 0, `${codeOf(d)} lists the race's other events`);
        assert.match((d.code as { target: vscode.Uri }).target.toString(), /docs\/rules\.md#L\d+$/);
      }
      if (file === 'malformed.dmtrace') assert.ok(diagnostics.filter((d) => codeOf(d) === 'parse').length >= 4, 'bad lines are reported');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  }
});
