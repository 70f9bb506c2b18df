// Shared by the in-host suites: the workspace copy the runner opened, opening a
// sample trace and waiting until its analysis (and diagnostics) are published.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DmRaceLensApi } from '../../extension/host/extension';
import { unescapeMarkdown } from '../markdownSyntax';

export const EXTENSION_ID = 'dm-race-lens.dm-race-lens';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens a workspace folder');
  return folder.uri.fsPath;
}

export function samplePath(...parts: string[]): string {
  return join(workspaceRoot(), 'sample-traces', ...parts);
}

export function sampleExists(...parts: string[]): boolean {
  return existsSync(samplePath(...parts));
}

export async function api(): Promise<DmRaceLensApi> {
  const ext = vscode.extensions.getExtension<DmRaceLensApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Opens a file in an editor and waits until the extension has analysed it. */
export async function openTrace(path: string): Promise<{ editor: vscode.TextEditor; document: vscode.TextDocument }> {
  const document = await vscode.workspace.openTextDocument(path);
  const editor = await vscode.window.showTextDocument(document);
  const { analyses } = await api();
  await waitFor(`analysis of ${path}`, () => {
    const a = analyses.get(document.uri);
    return a && a.version === document.version ? a : undefined;
  });
  return { editor, document };
}

/** The diagnostics the extension published for `uri` (ours only), once there are at least `min`. */
export async function ourDiagnostics(uri: vscode.Uri, min = 0): Promise<vscode.Diagnostic[]> {
  return waitFor(`${min}+ diagnostics on ${uri.fsPath}`, () => {
    const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dm-race-lens');
    return ds.length >= min ? ds : undefined;
  });
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

/** The hovers at a position, as Markdown strings. */
export async function hoverContents(uri: vscode.Uri, position: vscode.Position): Promise<vscode.MarkdownString[]> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? new vscode.MarkdownString(c) : 'value' in c ? (c as vscode.MarkdownString) : new vscode.MarkdownString('')));
}

/** The text of the hovers at a position, escapes removed. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  return unescapeMarkdown((await hoverContents(uri, position)).map((c) => c.value).join('\n'));
}
