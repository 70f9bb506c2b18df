// Trace-derived text (task names, lock names, values, messages, patch subjects)
// put into the Markdown of hovers and tooltips. Everything a trace says goes
// through one of these, so it shows as the literal text and never as a link, an
// image, HTML, a theme icon or the end of a code span. Pure (no vscode import).

/** Line breaks would end a paragraph or a code span: inline text keeps to one line. */
function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/**
 * Plain text for Markdown: every ASCII punctuation character backslash-escaped
 * (CommonMark and marked allow it for all of them). That disarms links and
 * images (`[`, `!`), code spans, HTML (`<`, `&`), theme icons (`$(`), emphasis,
 * and autolinks (`https\:\/\/`, `www\.`).
 */
export function mdText(text: string): string {
  return oneLine(text).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * An inline code span that shows `text` as written, backticks included. VS Code
 * still renders `$(name)` in it when the string supports theme icons: Markdown
 * holding code spans of trace text keeps supportThemeIcons off.
 */
export function mdCode(text: string): string {
  const body = oneLine(text);
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // Content that is empty, or starts or ends with a backtick or a space, needs a space of padding.
  const pad = body === '' || /^[` ]|[` ]$/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any run of backticks in `code`, so no line of it can close the block. */
export function mdCodeBlock(code: string, language = 'text'): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${code}\n${fence}`;
}

/** Text for a status bar item or a CodeLens title, where `$(name)` would render an icon. */
export function iconSafe(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}
