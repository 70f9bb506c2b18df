// Command links in hovers. A Markdown string is trusted only for the commands
// of the links the extension itself put into it (isTrusted.enabledCommands), so
// a link written by a trace, should one get past the escaping, runs nothing.
import type * as vscode from 'vscode';

/** A `command:` URI; the JSON arguments are percent-encoded, parentheses too (they would end a Markdown link). */
export function commandLink(command: string, ...args: unknown[]): string {
  const query = encodeURIComponent(JSON.stringify(args)).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${query}`;
}

/** The command links of one Markdown string, and the trust that allows exactly those commands. */
export class CommandLinks {
  private readonly commands = new Set<string>();

  link(command: string, ...args: unknown[]): string {
    this.commands.add(command);
    return commandLink(command, ...args);
  }

  /** Sets `md.isTrusted` to the commands linked so far (none: not trusted at all). */
  trust(md: vscode.MarkdownString): vscode.MarkdownString {
    md.isTrusted = this.commands.size > 0 ? { enabledCommands: [...this.commands] } : false;
    return md;
  }
}
