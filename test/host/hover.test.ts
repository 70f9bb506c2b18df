// Hovers explain an event: what orders it, and for an event of a race the
// window, the witness, the consequence and the patch that closes it.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tempDir';
import * as vscode from 'vscode';
import { hoverText as hoverAt, openTrace, samplePath } from './helpers';

const hoverText = (uri: vscode.Uri, line: number) => hoverAt(uri, new vscode.Position(line - 1, 20));

describe('hovers', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('names the lock hand-off that orders an acquire', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    // line 14: dmsetup's mutex_lock, after lvm's mutex_unlock at line 11.
    const text = await hoverText(document.uri, 14);
    assert.match(text, /mutex_lock lock=_minor_lock/);
    assert.match(text, /dmsetup\/4310 on cpu0/);
    assert.match(text, /after `mutex_unlock` at line 11 \(lvm\/4300\) through _minor_lock/);
    assert.match(text, /after `md_access md=md0 field=map` at line 13 in program order/);
  });

  it('explains the race on its primary event: window, timeline, witness, consequence, patches', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const text = await hoverText(document.uri, 17);
    assert.match(text, /DMR2 stale-lookup-get\*\* \(error\) on md0/);
    assert.match(text, /The window:/);
    assert.match(text, /```text\nline {2}lvm\/4300 \(cpu1\)/, 'a per-task timeline');
    assert.match(text, /Witness schedule/);
    assert.match(text, /\n1\. /);
    assert.match(text, /Consequence:\*\* refcount resurrection/);
    assert.match(text, /Closed by:\*\* \[04: dm: make _minor_lock a spinlock/);
    assert.match(text, /command:dmRaceLens\.openPatch\?/);
    assert.match(text, /command:dmRaceLens\.stepThrough\?/);
    assert.match(text, /unordered with dmsetup\/4310/);
  });

  it('shows the race on its other events too', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const text = await hoverText(document.uri, 12);
    assert.match(text, /part of the race reported at line 17/);
  });

  it('says nothing on comment lines', async () => {
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    assert.equal(await hoverText(document.uri, 1), '');
  });
});

describe('hovers with a kernel tree', () => {
  after(async () => {
    await vscode.workspace.getConfiguration('dmRaceLens').update('kernelTree', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('links an event without @file:line to its function in drivers/md', async () => {
    // A stand-in tree: only the definition line matters to the lookup.
    const tree = tempDir('dmrl-tree-');
    mkdirSync(join(tree, 'drivers', 'md'), { recursive: true });
    writeFileSync(join(tree, 'drivers', 'md', 'dm.c'), ['/* stand-in */', '', 'void dm_get(struct mapped_device *md)', '{', '}', ''].join('\n'));
    await vscode.workspace.getConfiguration('dmRaceLens').update('kernelTree', tree, vscode.ConfigurationTarget.Global);
    const { document } = await openTrace(samplePath('dmr2-stale-lookup-get.race.dmtrace'));
    const text = await hoverText(document.uri, 17);
    assert.match(text, /Source: \[drivers\/md\/dm\.c:3\]\(file:\/\/\/.*dm\.c#L3\)/);
    // An event whose function the tree does not define gets no link.
    assert.doesNotMatch(await hoverText(document.uri, 9), /Source: \[/);
  });
});

describe('outline', () => {
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('lists the races and the tasks of a trace', async () => {
    const { document } = await openTrace(samplePath('multi-device.dmtrace'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    const races = symbols.filter((s) => s.kind === vscode.SymbolKind.Event).map((s) => `${s.name} @${s.selectionRange.start.line + 1}`);
    assert.deepEqual(races.sort(), ['DMR2 stale-lookup-get @26', 'DMR3 open-while-freeing @29']);
    const tasks = symbols.filter((s) => s.kind === vscode.SymbolKind.Class).map((s) => s.name);
    assert.ok(tasks.includes('lvm/5110') && tasks.includes('mount/5140'), tasks.join(', '));
  });
});
