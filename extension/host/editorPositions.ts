// Trace events and editor positions, in one place: the event under a cursor,
// the line range of an event, and revealing a line. Trace lines are 1-based
// (as the parser records them), editor lines 0-based; the conversion lives here.
// (Diagnostics narrow an event's range to its event name: diagnostics.ts eventRange.)
import * as vscode from 'vscode';
import type { Trace } from '../core/trace/model';

/** The event written on the line of `position`, or -1. */
export function eventAtPosition(trace: Trace, position: vscode.Position): number {
  return trace.eventAtLine(position.line + 1);
}

/** The whole of 1-based `line`, clamped to the document (a trace edited since its analysis may be shorter). */
export function lineRange(document: vscode.TextDocument, line: number): vscode.Range {
  return document.lineAt(Math.min(Math.max(line - 1, 0), document.lineCount - 1)).range;
}

/** The whole line event `e` is written on. */
export function eventLineRange(document: vscode.TextDocument, trace: Trace, e: number): vscode.Range {
  return lineRange(document, trace.line[e]);
}

/** 1-based `line` of a file that need not be open (no document to clamp to). */
export function fileLineRange(line: number): vscode.Range {
  return new vscode.Range(line - 1, 0, line - 1, 1000);
}

/**
 * Puts the cursor on 1-based `line` (the whole line selected, or the cursor at its
 * start) and scrolls it into the middle of the editor when it is out of view.
 */
export function revealLine(editor: vscode.TextEditor, line: number, select: 'line' | 'start' = 'line'): vscode.Range {
  const range = lineRange(editor.document, line);
  editor.selection = new vscode.Selection(range.start, select === 'line' ? range.end : range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return range;
}
