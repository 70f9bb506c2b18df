// Traces over 50 MB (a million events and more): VS Code does not hand files
// that big to extensions (no TextDocument, no hover or CodeLens requests), but
// it shows diagnostics on them. For each such trace open in a tab the worker
// reads the file and the Problems panel gets its entries, behind the same
// cancellable progress notification as other big traces.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { detectFormat } from '../core/trace/parse';
import type { AnalysisWorker } from './analysisWorkerClient';
import { problemsDiagnostics } from './diagnostics';
import { readSettings } from './settings';

/** VS Code's limit (TextModel._MODEL_SYNC_LIMIT): bigger files are never synchronised with extensions. */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;

/** A file that VS Code keeps from extensions and that reads as a trace: `.dmtrace`, or a recorded format by its content. */
function isBigTraceFile(path: string): boolean {
  try {
    if (statSync(path).size <= SYNC_LIMIT_BYTES) return false;
    if (path.endsWith('.dmtrace')) return true;
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(65536);
      const n = readSync(fd, head, 0, head.length, 0);
      return detectFormat(head.subarray(0, n).toString('utf8'), path) !== 'dmtrace';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export function registerBigFileTabs(context: vscode.ExtensionContext, worker: AnalysisWorker, collection: vscode.DiagnosticCollection): void {
  /** The traces handled here, by URI, with the analysis still running (if it is). */
  const open = new Map<string, vscode.CancellationTokenSource | undefined>();

  const analyse = async (uri: vscode.Uri) => {
    const key = uri.toString();
    const cts = new vscode.CancellationTokenSource();
    open.set(key, cts);
    const map = JSON.parse(JSON.stringify(readSettings(uri).eventMap)) as Record<string, string>;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DM Race Lens: analysing ${vscode.workspace.asRelativePath(uri)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        let reported = 0;
        await worker.request({ kind: 'analyze', source: { path: uri.fsPath }, fileName: uri.fsPath, map }, cts.token, (update) => {
          if (update.kind === 'progress') {
            const percent = Math.floor((100 * update.bytes) / Math.max(update.totalBytes, 1));
            progress.report({ message: percent < 100 ? `reading ${percent}%` : 'happens-before and rules', increment: percent - reported });
            reported = percent;
          } else if (open.get(key) === cts) {
            // The trace that follows is of no use here (no hover reaches a file this big) and is dropped.
            collection.set(uri, problemsDiagnostics(context.extensionUri, uri, update.problems, update.diagnostics));
          }
        });
      },
    );
    if (open.get(key) === cts) open.set(key, undefined);
  };

  const update = () => {
    const tabs = new Set<string>();
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== 'file') continue;
        const uri = tab.input.uri;
        const key = uri.toString();
        tabs.add(key);
        if (!open.has(key) && !synced.has(key) && isBigTraceFile(uri.fsPath)) void analyse(uri);
      }
    }
    for (const [key, cts] of open) {
      if (tabs.has(key)) continue;
      cts?.cancel();
      open.delete(key);
      collection.delete(vscode.Uri.parse(key));
    }
  };
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs(update), { dispose: () => open.forEach((cts) => cts?.cancel()) });
  update();
}
