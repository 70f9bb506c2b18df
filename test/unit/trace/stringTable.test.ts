// The string table keeps characters, not strings, and makes a string only when
// asked (extension/core/trace/stringTable.ts): the ids and strings a parser and
// the rules see must be the same whichever way a token came in.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { IdInts, NUMBER_BASE, StringTable } from '../../../extension/core/trace/stringTable';
import { fuzzRuns } from '../helpers';

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

  it('a trace table gives a decimal number its own id, from every way in, and stores nothing for it', () => {
    const table = new StringTable({ numbers: true });
    const size = table.size;
    const line = bytes('x sector=25840724 y');
    assert.equal(table.internBytes(line, 9, 17), NUMBER_BASE + 25840724);
    assert.equal(table.internAscii(line, 9, 17), NUMBER_BASE + 25840724);
    assert.equal(table.findAscii(line, 9, 17), NUMBER_BASE + 25840724);
    assert.equal(table.internRange('sector=25840724', 7, 15), NUMBER_BASE + 25840724);
    assert.equal(table.intern('0'), NUMBER_BASE);
    assert.equal(table.lookup('999999999'), NUMBER_BASE + 999999999);
    assert.equal(table.get(NUMBER_BASE + 25840724), '25840724');
    assert.equal(table.get(NUMBER_BASE), '0');
    assert.equal(table.size, size, 'numbers take no place in the table');
    // Not canonical, or too long: strings like any other, read back as written.
    for (const s of ['00', '0123', '1234567890', '-1', '+1', '1e3', '1.5', '12a', '٣']) {
      const id = table.intern(s);
      assert.ok(id < table.size, s);
      assert.equal(table.get(id), s);
    }
    // A parser's own table keeps numbers as strings.
    const plain = new StringTable();
    assert.ok(plain.intern('25840724') < plain.size);
  });

  it('property: one id per string in a trace table, a number id exactly for a canonical decimal of at most 9 digits', () => {
    const token = fc.string({ unit: fc.constantFrom('0', '1', '5', '9', 'a', '/', '-'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        const table = new StringTable({ numbers: true });
        const ids = new Map<string, number>();
        for (const [i, s] of tokens.entries()) {
          const b = bytes(` ${s} `);
          const id = i % 2 ? table.internBytes(b, 1, b.length - 1) : table.intern(s);
          assert.equal(id, ids.get(s) ?? id, `one id for ${JSON.stringify(s)}`);
          ids.set(s, id);
          assert.equal(table.get(id), s);
          assert.equal(table.lookup(s), id);
          assert.equal(table.internRange(`<${s}>`, 1, s.length + 1), id);
          assert.equal(id >= NUMBER_BASE, /^(0|[1-9][0-9]{0,8})$/.test(s), s);
        }
        assert.equal(new Set(ids.values()).size, ids.size, 'distinct strings, distinct ids');
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('IdInts keeps an int for a table id, a number id and an id added later', () => {
    const table = new StringTable({ numbers: true });
    const ints = new IdInts(table.size);
    const later = table.intern('later');
    for (const [id, v] of [[3, 7], [NUMBER_BASE + 5, 8], [later, 9]]) {
      assert.equal(ints.get(id), 0);
      ints.set(id, v);
      assert.equal(ints.get(id), v);
    }
  });
});
