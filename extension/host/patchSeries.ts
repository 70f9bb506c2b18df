// The patch series' files as the editor knows them: where each patch file is in
// the workspace and its subject. Which patch closes which race comes from
// core/series/seriesInfo (the rules' `fixedBy`) or the simulator's matrix (views.ts).
import * as vscode from 'vscode';
import { ANY_PATCH_GLOB, PATCH_FILE_GLOB, patchNumberOf, patchSubject } from '../core/series/seriesInfo';

export interface PatchFile {
  id: string;
  uri: vscode.Uri;
  subject: string;
}

/** The workspace's patch files, searched once per folder of the asking trace until a patch file changes. */
export class PatchFiles implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<Map<string, PatchFile>>>();
  private watcher: vscode.FileSystemWatcher | undefined;

  /**
   * The series' patch files in the workspace (`**\/00NN-*.patch`), the ones
   * nearest to `near` first when there are several copies.
   */
  find(near?: vscode.Uri): Promise<Map<string, PatchFile>> {
    // Hovers ask for every race they show: search the workspace once per folder
    // of the asking trace until a patch file is created, changed or deleted.
    const key = near ? near.path.replace(/[^/]*$/, '') : '';
    let found = this.cache.get(key);
    if (!found) {
      found = searchPatchFiles(near);
      this.cache.set(key, found);
      this.watch();
    }
    return found;
  }

  /** Opens patch `id` (`04`) of the series in an editor; false when the workspace has no such file. */
  async open(id: string, near?: vscode.Uri): Promise<boolean> {
    const file = (await this.find(near)).get(id.padStart(2, '0'));
    if (!file) {
      void vscode.window.showWarningMessage(`DM Race Lens: no file of patch ${id} (00${id}-*.patch) in the workspace.`);
      return false;
    }
    await vscode.window.showTextDocument(file.uri, { preview: false });
    return true;
  }

  private watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(ANY_PATCH_GLOB);
    const reset = () => this.cache.clear();
    this.watcher.onDidCreate(reset);
    this.watcher.onDidChange(reset);
    this.watcher.onDidDelete(reset);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    this.cache.clear();
  }
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

/** How many leading characters two paths share (nearer files share more). */
export function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
