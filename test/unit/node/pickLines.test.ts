// Picking a few lines of a big trace by number (extension/core/node/pickLines.ts):
// the same lines as splitting the whole text, across 1 MiB chunk boundaries,
// with CRLF line ends, a last line without a newline and numbers past the end.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { pickLinesOfFile, pickLinesOfText } from '../../../extension/core/node/pickLines';

describe('picking lines of a big trace', () => {
  // Lines of varying length (some longer than a chunk), with non-ASCII text, CRLF on some.
  const lines = Array.from({ length: 3000 }, (_, i) => (i % 997 === 5 ? 'x'.repeat(1_300_000) : `${i} task/${i} dm_get md=md${i} é${'y'.repeat(i % 700)}`));
  const text = lines.map((l, i) => (i % 3 === 0 ? `${l}\r` : l)).join('\n');
  const wanted = [0, 1, 5, 6, 1001, 1002, 1999, 2002, 2998, 2999, 3000, 5000];
  const expected = new Map(wanted.filter((w) => w < lines.length).map((w) => [w, lines[w]]));

  it('from text', () => {
    assert.deepEqual(pickLinesOfText(text, wanted), expected);
  });

  it('from a file, read in chunks', () => {
    const path = join(tempDir('dmrl-pick-'), 'big.dmtrace');
    writeFileSync(path, text);
    assert.deepEqual(pickLinesOfFile(path, wanted), expected);
    writeFileSync(path, `${text}\n`);
    assert.deepEqual(pickLinesOfFile(path, wanted), expected);
    assert.deepEqual(pickLinesOfFile(path, []), new Map());
  });
});
