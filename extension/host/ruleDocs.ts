// Where each rule is documented: docs/rules.md, shipped in the extension, one
// `## DMRn name` heading per rule. Diagnostics link their code there.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import type { RuleId } from '../core/rules/finding';

// A cache of the shipped file, not editor state: it is the same in every activation.
let headingLines: Map<string, number> | undefined;

/** The URI of the rule's section (`#L<line>` opens the file at the heading). */
export function ruleDocsUri(extensionUri: vscode.Uri, rule: RuleId): vscode.Uri {
  const file = vscode.Uri.joinPath(extensionUri, 'docs', 'rules.md');
  if (!headingLines) {
    headingLines = new Map();
    try {
      readFileSync(file.fsPath, 'utf8')
        .split('\n')
        .forEach((text, i) => {
          const m = /^#+\s+(DMR\d)\b/.exec(text);
          if (m && !headingLines!.has(m[1])) headingLines!.set(m[1], i + 1);
        });
    } catch {
      // no docs shipped: the link opens the top of the file
    }
  }
  const line = headingLines.get(rule);
  return line ? file.with({ fragment: `L${line}` }) : file;
}
