// Trace text in hover Markdown: whatever a trace holds, it reaches the reader as
// text, never as a link, an image, HTML, a theme icon or the end of a code span.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { analyzeText } from '../../../extension/core/analyze';
import { commandLink } from '../../../extension/host/commandLinks';
import { concurrencyFacts, eventHeader, explainFinding, orderingFacts } from '../../../extension/core/report/explain';
import { iconSafe, mdCode, mdCodeBlock, mdText } from '../../../extension/core/report/markdown';
import { liveSyntax, unescapeMarkdown } from '../../markdownSyntax';
import { repoPath } from '../helpers';

const PAYLOADS = ['`', '[x](command:dmRaceLens.showGraph?%5B%22%2Fetc%2Fpasswd%22%5D)', '![](https://example.invalid/x.png)', '<img src=x onerror=alert(1)>', '$(alert)'];
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

describe('markdown escaping', () => {
  it('shows every ASCII punctuation character of plain text literally, and only as an escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const md = mdText(s);
        assert.equal(liveSyntax(md).match(ASCII_PUNCTUATION), null, md);
        assert.equal(unescapeMarkdown(md), s.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
      }),
    );
  });

  it('keeps text on one line, so a line break cannot start a block', () => {
    assert.equal(mdText('a\n\n# b\r\n---'), 'a  \\# b \\-\\-\\-');
  });

  it('makes code spans no backtick inside can close', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', 'a', ' ', '[', '<', '\n') }), (s) => {
        const md = mdCode(s);
        assert.equal(liveSyntax(md), '', `${JSON.stringify(s)} -> ${md}`);
      }),
    );
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('`x'), '`` `x ``');
  });

  it('makes code blocks no line inside can close', () => {
    const block = mdCodeBlock('row\n```\n[x](command:x)\n````');
    assert.ok(block.startsWith('`````text\n') && block.endsWith('\n`````'), block);
    assert.equal(liveSyntax(`${block}\n`), '\n');
  });

  it('escapes theme icons in status bar text', () => {
    assert.equal(iconSafe('lvm$(alert)/1'), 'lvm\\$(alert)/1');
  });

  it('builds command links whose arguments cannot end the Markdown link', () => {
    const link = commandLink('dmRaceLens.showGraph', 'file:///t/a (1).dmtrace', { finding: 0 });
    assert.doesNotMatch(link, /[()\s]/);
    assert.deepEqual(JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1))), ['file:///t/a (1).dmtrace', { finding: 0 }]);
  });
});

describe('hover explanations of a trace with hostile names', () => {
  const text = readFileSync(repoPath('test', 'fixtures', 'security', 'hostile-names.dmtrace'), 'utf8');
  const a = analyzeText(text);
  const [f] = a.findings;
  const all = [
    ...Array.from({ length: a.trace.length }, (_, e) => [eventHeader(a.trace, e), ...orderingFacts(a.trace, a.hb, e), ...concurrencyFacts(a.trace, a.hb, e)].join('\n')),
    explainFinding(a.trace, a.hb, f),
  ].join('\n\n');

  it('finds the race with every name hostile', () => {
    assert.equal(f.rule, 'DMR2');
    assert.match(a.trace.taskName(f.primary), /^lvm`\[x\]\(command:/);
  });

  it('leaves no link, image, HTML or icon syntax alive', () => {
    const live = liveSyntax(all);
    for (const forbidden of ['[', '<', '!', '$(', 'command:', 'https:', '](']) assert.ok(!live.includes(forbidden), `"${forbidden}" is live in: ${live.slice(0, 400)}`);
  });

  it('still shows each payload as written', () => {
    const shown = unescapeMarkdown(all);
    for (const p of PAYLOADS) assert.ok(shown.includes(p), p);
  });
});
