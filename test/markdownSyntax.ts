// Reading Markdown the way a CommonMark renderer would, for the tests of the
// escaping of trace text (unit tests and in-host tests share this file).

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Markdown as its reader sees the text: backslash escapes removed (code spans are already literal). */
export function unescapeMarkdown(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/**
 * What a renderer would still take as syntax: the Markdown with its fenced
 * blocks, code spans (a run of n backticks up to the next run of exactly n)
 * and backslash escapes removed.
 */
export function liveSyntax(md: string): string {
  let rest = '';
  const text = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\' && ASCII_PUNCTUATION.test(text[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    const backticks = /`+/y;
    backticks.lastIndex = i;
    const run = backticks.exec(text)?.[0];
    if (run) {
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const end = close.exec(text);
      if (end) {
        i = end.index + run.length;
        continue;
      }
    }
    rest += text[i++];
  }
  return rest;
}
