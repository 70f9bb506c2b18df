// The string table keeps characters, not strings, and makes a string only when
// asked (extension/core/trace/stringTable.ts): the ids and strings a parser and
// the rules see must be the same whichever way a token came in.

import { strict as assert } from 'node:assert';
import { StringTable } from '../../../extension/core/trace/stringTable';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('string table', () => {
  it('gives one id to a token interned from bytes, from a line of text and as a string, and reads it back', () => {
    const table = new StringTable();
    const line = bytes('x sector=25840724 y');
    const fromBytes = table.internBytes(line, 9, 17);
    assert.equal(table.internRange('sector=25840724', 7, 15), fromBytes);
    assert.equal(table.intern('25840724'), fromBytes);
    assert.equal(table.lookup('25840724'), fromBytes);
    assert.equal(table.get(fromBytes), '25840724');
  });

  it('keeps text that is not ASCII, and refuses it as bytes (the caller decodes such a line)', () => {
    const table = new StringTable();
    const id = table.intern('dmsetup-é/12');
    assert.equal(table.get(id), 'dmsetup-é/12');
    assert.equal(table.internBytes(bytes('dmsetup-é/12'), 0, bytes('dmsetup-é/12').length), -1);
    assert.equal(table.lookup('dmsetup-e/12'), -1);
  });

  it('reads every id back after many new tokens (the table grows), and nothing past the last id', () => {
    const table = new StringTable();
    const first = table.size;
    const line = bytes(Array.from({ length: 50000 }, (_, i) => `0xffff8880${i.toString(16)}`).join(' '));
    let start = 0;
    for (let i = 0; i < 50000; i++) {
      const end = line.indexOf(32, start) < 0 ? line.length : line.indexOf(32, start);
      assert.equal(table.internBytes(line, start, end), first + i);
      start = end + 1;
    }
    assert.equal(table.size, first + 50000);
    assert.equal(table.get(first + 12345), `0xffff8880${(12345).toString(16)}`);
    assert.equal(table.lookup(`0xffff8880${(49999).toString(16)}`), first + 49999);
    assert.equal(table.get(table.size), undefined);
  });

  it('one id per string whether it is kept in its slot or not: lengths around the packed limit, NUL, non-ASCII, the empty string', () => {
    const table = new StringTable();
    const strings = ['', 'a', 'abcd', 'abcde', 'abcdefgh', 'abcdefghi', 'abcdefghijkl', 'abcdefghijklm', 'a\u0000', 'a\u0000b', '\u0000', 'é', 'aé', '\u007f\u0001'];
    const ids = strings.map((s) => table.intern(s));
    assert.equal(new Set(ids).size, strings.length, 'distinct strings, distinct ids');
    strings.forEach((s, i) => {
      assert.equal(table.lookup(s), ids[i], s);
      assert.equal(table.get(ids[i]), s);
      assert.equal(table.internRange(`<${s}>`, 1, s.length + 1), ids[i]);
      const b = bytes(` ${s} `);
      if (/^[\u0001-\u007f]*$/.test(s)) assert.equal(table.internBytes(b, 1, b.length - 1), ids[i], s);
    });
    // ids survive the table's growth, and tokens first seen as bytes are found as text
    const first = table.size;
    for (let i = 0; i < 20000; i++) table.internBytes(bytes(`v${i}`), 0, `v${i}`.length);
    strings.forEach((s, i) => assert.equal(table.lookup(s), ids[i], s));
    assert.equal(table.lookup('v19999'), first + 19999);
    assert.equal(table.intern('v123'), first + 123);
  });
});
