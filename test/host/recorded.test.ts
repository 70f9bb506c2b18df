// Recorded traces (ftrace, trace-cmd, perf script, bpftrace, Chrome JSON) open
// by file pattern or content and show the same races as the native recording
// of the same session (or their own `# expect:` lines), on the lines the core
// reports for that format.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { analyzeText } from '../../extension/core/analyze';
import { codeOf, ourDiagnostics, samplePath, waitFor, api } from './helpers';

const severityName = (s: vscode.DiagnosticSeverity) => ['error', 'warning', 'information', 'hint'][s];

describe('recorded traces', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
  const dir = samplePath('recorded');
  const races = (pairs: string[]) => pairs.sort().join(', ');
  /**
   * The races a recording `NAME.FORMAT.ext` should show: those of its native counterpart
   * `NAME.native.dmtrace`, or, for a recording without one, its own `# expect: RULE severity line` lines.
   */
  const expectedRacesOf = (file: string, text: string) => {
    const native = samplePath('recorded', `${file.split('.')[0]}.native.dmtrace`);
    if (existsSync(native)) return races(analyzeText(readFileSync(native, 'utf8')).findings.map((f) => `${f.rule} ${f.severity}`));
    return races([...text.matchAll(/^# expect: (DMR\d) (error|warning) \d+$/gm)].map((m) => `${m[1]} ${m[2]}`));
  };

  for (const file of readdirSync(dir).filter((f) => !f.endsWith('.dmtrace')).sort()) {
    it(`${file} opens as a trace with the native session's races`, async () => {
      await api();
      const document = await vscode.workspace.openTextDocument(samplePath('recorded', file));
      await vscode.window.showTextDocument(document);
      const core = analyzeText(document.getText(), { fileName: document.fileName });
      assert.notEqual(core.trace.format, 'dmtrace', `${file} is detected as a recorded format`);
      const diagnostics = await ourDiagnostics(document.uri, core.findings.length);
      const got = diagnostics.filter((d) => codeOf(d) !== 'parse');
      assert.equal(races(got.map((d) => `${codeOf(d)} ${severityName(d.severity)}`)), expectedRacesOf(file, document.getText()));
      assert.deepEqual(
        got.map((d) => d.range.start.line + 1).sort((a, b) => a - b),
        core.findings.map((f) => core.trace.line[f.primary]).sort((a, b) => a - b),
      );
      // The squiggle starts at the event, not at the task or time columns.
      if (!file.endsWith('.json')) {
        for (const d of got) assert.ok(d.range.start.character > document.lineAt(d.range.start.line).firstNonWhitespaceCharacterIndex, `${file}:${d.range.start.line + 1}: "${document.getText(d.range)}"`);
      }
      // A hover on the first race's line explains it there too.
      const f = core.findings[0];
      const hovers = await waitFor('a hover', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(core.trace.line[f.primary] - 1, 2));
        return h.length > 0 ? h : undefined;
      });
      const text = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
      assert.ok(text.includes(`${f.rule} ${f.name}`), text.slice(0, 300));
    });
  }
});
