// A trace is input, not code: its names reach hovers as text, its `!source`
// paths stay inside the workspace folder, the trace's folder and the kernel tree.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { liveSyntax, unescapeMarkdown } from '../markdownSyntax';
import { api, codeOf, hoverContents, ourDiagnostics, openTrace, waitFor, workspaceRoot } from './helpers';

const fixture = (name: string) => join(workspaceRoot(), 'fixtures', 'security', name);

/** The command links of a Markdown source that a renderer would make live (not escaped, not in code). */
function commandLinks(md: string): { command: string; args: unknown[] }[] {
  return [...liveSyntax(md).matchAll(/\]\(command:([\w.]+)\?([^)\s]*)\)/g)].map((m) => ({ command: m[1], args: JSON.parse(decodeURIComponent(m[2])) as unknown[] }));
}

describe('security: hostile names in a trace', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('shows them as text in the race hover, trusted only for its own links', async () => {
    const { document } = await openTrace(fixture('hostile-names.dmtrace'));
    const { analyses } = await api();
    const f = analyses.get(document.uri)!.findings[0];
    assert.equal(f?.rule, 'DMR2');
    const line = analyses.get(document.uri)!.trace.line[f.primary];
    const [md] = await hoverContents(document.uri, new vscode.Position(line - 1, 20));
    const shown = unescapeMarkdown(md.value);
    for (const literal of [
      'lvm`[x](command:dmRaceLens.showGraph?%5B%22%2Fetc%2Fpasswd%22%5D)![](https://example.invalid/x.png)<img/src=x/onerror=alert(1)>/4300',
      '<img src=x onerror=alert(1)> $(alert)',
    ]) {
      assert.ok(shown.includes(literal), `the hover shows ${literal}`);
    }
    // Only the links the extension built are live, with its own arguments, and only their commands are enabled.
    const links = commandLinks(md.value);
    assert.deepEqual([...new Set(links.map((l) => l.command))].sort(), ['dmRaceLens.openPatch', 'dmRaceLens.showGraph', 'dmRaceLens.stepThrough']);
    for (const l of links) assert.ok(l.args.includes(document.uri.toString()), `${l.command} is for this trace: ${JSON.stringify(l.args)}`);
    assert.deepEqual(typeof md.isTrusted === 'object' ? [...(md.isTrusted.enabledCommands ?? [])].sort() : md.isTrusted, [...new Set(links.map((l) => l.command))].sort());
    const live = liveSyntax(md.value);
    assert.ok(!live.includes('![') && !live.includes('<') && !live.includes('https:'), `no live image, HTML or web link: ${live}`);
  });

  it('trusts a hover without links for no command at all', async () => {
    const { document } = await openTrace(fixture('hostile-names.dmtrace'));
    // Line 6: lvm's first mutex_lock, in no race.
    const [md] = await hoverContents(document.uri, new vscode.Position(5, 20));
    assert.match(unescapeMarkdown(md.value), /first event of lvm`/);
    assert.deepEqual(commandLinks(md.value), []);
    assert.ok(!md.isTrusted, `isTrusted is ${JSON.stringify(md.isTrusted)}`);
  });
});

describe('security: !source paths', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('ignores the ones outside the workspace with a warning on the directive, and links the one inside', async () => {
    const { document } = await openTrace(fixture('escaping-source.dmtrace'));
    const warnings = (await ourDiagnostics(document.uri, 5)).filter((d) => codeOf(d) === 'source').sort((a, b) => a.range.start.line - b.range.start.line);
    const lineOf = (needle: string) => document.getText().split('\n').findIndex((l) => l.startsWith(`!source ${needle}=`));
    assert.deepEqual(
      warnings.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.severity]),
      ['passwd.c', 'shadow.c', 'environ.c', 'unc.c'].map((file) => {
        const text = document.lineAt(lineOf(file)).text;
        return [lineOf(file), text.indexOf('=') + 1, text.length, vscode.DiagnosticSeverity.Warning];
      }),
    );
    assert.match(warnings[0].message, /"\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is outside the workspace folder/);
    // The DMR2 race itself is still reported on the trace.
    assert.ok((await ourDiagnostics(document.uri, 5)).some((d) => codeOf(d) === 'DMR2'));

    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', document.uri);
    const root = vscode.Uri.file(workspaceRoot()).fsPath;
    assert.deepEqual(
      links.map((l) => [l.range.start.line + 1, l.target?.fsPath.startsWith(root)]),
      [[11, true]],
      'only @dm.c:174 (inside the workspace) is a link',
    );
    assert.equal(links[0].target?.fsPath, join(workspaceRoot(), 'sample-traces', 'simulated', 'source', '01-02', 'dm.c'));
    // The race's events point at /etc/passwd and /etc/shadow: its diagnostic stays on the trace, on no other file.
    const elsewhere = vscode.languages.getDiagnostics().filter(([uri, ds]) => uri.toString() !== document.uri.toString() && ds.some((d) => d.message.includes('escaping-source.dmtrace')));
    assert.deepEqual(elsewhere.map(([uri]) => uri.toString()), []);
  });

  it('accepts a !source inside dmRaceLens.kernelTree, and refuses it without the setting', async () => {
    // A trace outside the workspace pointing into a kernel tree elsewhere: allowed only through the setting.
    const tree = tempDir('dmrl-tree-');
    mkdirSync(join(tree, 'drivers', 'md'), { recursive: true });
    writeFileSync(join(tree, 'drivers', 'md', 'dm.c'), 'int a;\nint b;\n');
    const traceDir = tempDir('dmrl-trace-');
    const trace = join(traceDir, 'tree.dmtrace');
    writeFileSync(trace, `!source dm.c=${join(tree, 'drivers', 'md', 'dm.c')}\n1.0 cpu0 a/1 md_alloc md=md0 @dm.c:2\n`);
    const linksOf = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', uri)).map((l) => l.target?.fsPath);
    const { document } = await openTrace(trace);
    assert.deepEqual(await linksOf(document.uri), []);
    assert.equal((await ourDiagnostics(document.uri, 1)).filter((d) => codeOf(d) === 'source').length, 1);
    await vscode.workspace.getConfiguration('dmRaceLens').update('kernelTree', tree, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await waitFor('the link into the kernel tree', async () => ((await linksOf(document.uri)).length > 0 ? linksOf(document.uri) : undefined)), [join(tree, 'drivers', 'md', 'dm.c')]);
      await waitFor('the warning to go', () => (vscode.languages.getDiagnostics(document.uri).some((d) => codeOf(d) === 'source') ? undefined : true));
    } finally {
      await vscode.workspace.getConfiguration('dmRaceLens').update('kernelTree', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
