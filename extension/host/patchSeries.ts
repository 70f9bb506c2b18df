// The patch series as the editor knows it: which patch closes which race, and
// where each patch file is in the workspace. Without the simulator's matrix the
// race -> patch mapping is the rules' `fixedBy` (spec section 4).
import * as vscode from 'vscode';
import { RULES, type RuleId } from '../core/rules/finding';

export const PATCH_IDS = ['01', '02', '03', '04', '05', '06', '07', '08'] as const;

/** The rules a patch (`04`) closes, alone or together with other patches. */
export function rulesClosedBy(patch: string): RuleId[] {
  return (Object.keys(RULES) as RuleId[]).filter((id) => RULES[id].fixedBy.includes(patch));
}

/** `Closes DMR2 stale-lookup-get (with 06)` for a patch, or undefined for a patch that closes no race. */
export function closesText(patch: string): string | undefined {
  const rules = rulesClosedBy(patch);
  if (rules.length === 0) return undefined;
  return rules
    .map((id) => {
      const others = RULES[id].fixedBy.filter((p) => p !== patch);
      return `${id} ${RULES[id].name}${others.length ? ` (with ${others.join(' + ')})` : ''}`;
    })
    .join(', ');
}

/** The patch number of a file: `[PATCH 4/8]` in its Subject, else a `0004-` file name prefix. */
export function patchNumberOf(fileName: string, head: string): string | undefined {
  const subject = /^Subject:\s*\[PATCH\s+(\d+)\/\d+\]/m.exec(head);
  const n = subject ? Number(subject[1]) : Number(/(?:^|[\\/])0*(\d{1,3})-[^\\/]*$/.exec(fileName)?.[1] ?? NaN);
  return Number.isFinite(n) && n > 0 ? String(n).padStart(2, '0') : undefined;
}

/** `dm: take the lookup's reference before dropping _minor_lock` from a patch's headers. */
export function patchSubject(text: string): string | undefined {
  const m = /^Subject:\s*(?:\[PATCH[^\]]*\]\s*)?(.*(?:\n[ \t]+.*)*)/m.exec(text);
  return m ? m[1].replace(/\n[ \t]+/g, ' ').trim() : undefined;
}

export interface PatchFile {
  id: string;
  uri: vscode.Uri;
  subject: string;
}

/**
 * Finds the series' patch files in the workspace (`**\/00NN-*.patch`), the ones
 * nearest to `near` first when there are several copies.
 */
export async function findPatchFiles(near?: vscode.Uri): Promise<Map<string, PatchFile>> {
  const uris = await vscode.workspace.findFiles('**/0[0-9][0-9][0-9]-*.{patch,diff}', '**/{node_modules,.vscode-test,.git}/**', 500);
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
