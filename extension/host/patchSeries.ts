// The patch series as the editor knows it: which patch closes which race, and
// where each patch file is in the workspace. Without the simulator's matrix the
// race -> patch mapping is the rules' `fixedBy` (docs/rules.md).
import * as vscode from 'vscode';
import { ANY_PATCH_GLOB, PATCH_FILE_GLOB, patchNumberOf, patchSubject } from '../core/series/seriesInfo';

export { PATCH_IDS, closesText, patchNumberOf, patchSubject, rulesClosedBy } from '../core/series/seriesInfo';

export interface PatchFile {
  id: string;
  uri: vscode.Uri;
  subject: string;
}

/**
 * Finds the series' patch files in the workspace (`**\/00NN-*.patch`), the ones
 * nearest to `near` first when there are several copies.
 */
export function findPatchFiles(near?: vscode.Uri): Promise<Map<string, PatchFile>> {
  // Hovers ask for every race they show: search the workspace once per folder
  // of the asking trace until a patch file is created, changed or deleted.
  const key = near ? near.path.replace(/[^/]*$/, '') : '';
  let found = cache.get(key);
  if (!found) {
    found = searchPatchFiles(near);
    cache.set(key, found);
    watchPatches();
  }
  return found;
}

const cache = new Map<string, Promise<Map<string, PatchFile>>>();
let watcher: vscode.FileSystemWatcher | undefined;

function watchPatches(): void {
  if (watcher) return;
  watcher = vscode.workspace.createFileSystemWatcher(ANY_PATCH_GLOB);
  const reset = () => cache.clear();
  watcher.onDidCreate(reset);
  watcher.onDidChange(reset);
  watcher.onDidDelete(reset);
}

/** Stops watching patch files (extension deactivation). */
export function disposePatchSearch(): void {
  watcher?.dispose();
  watcher = undefined;
  cache.clear();
}

async function searchPatchFiles(near?: vscode.Uri): Promise<Map<string, PatchFile>> {
  const uris = await vscode.workspace.findFiles(PATCH_FILE_GLOB, '**/{node_modules,.vscode-test,.git}/**', 500);
  const score = (u: vscode.Uri) => (near ? commonPrefix(u.path, near.path) : 0);
  uris.sort((a, b) => score(b) - score(a) || a.path.localeCompare(b.path));
  const out = new Map<string, PatchFile>();
  for (const uri of uris) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).slice(0, 4096);
    const id = patchNumberOf(uri.path, text);
    if (id && !out.has(id)) out.set(id, { id, uri, subject: patchSubject(text) ?? uri.path.split('/').pop() ?? id });
  }
  return out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Opens patch `id` (`04`) of the series in an editor; false when the workspace has no such file. */
export async function openPatch(id: string, near?: vscode.Uri): Promise<boolean> {
  const file = (await findPatchFiles(near)).get(id.padStart(2, '0'));
  if (!file) {
    void vscode.window.showWarningMessage(`DM Race Lens: no file of patch ${id} (00${id}-*.patch) in the workspace.`);
    return false;
  }
  await vscode.window.showTextDocument(file.uri, { preview: false });
  return true;
}
