// The Chrome JSON reader has fast paths for bytes (event objects read
// straight from the bytes, or decoded one by one for JSON.parse) and a careful
// one (character by character, exact diagnostics) that alone reads text.
// Whatever the fast paths read must come out exactly as the careful path
// reads it: events, lines, diagnostics.

import { strict as assert } from 'node:assert';
import type { Trace } from '../../../../extension/core/trace/model';
import { createParser } from '../../../../extension/core/trace/parse';

/** The careful path: text, in chunks of `size` characters. */
const feed = (text: string, size: number): Trace => {
  const p = createParser('chrome-json');
  for (let i = 0; i < text.length; i += size) p.feed(text.slice(i, i + size));
  return p.end();
};
/** The fast paths: the text's UTF-8 bytes, in chunks of `size` bytes. */
const feedBytes = (text: string, size: number): Trace => {
  const p = createParser('chrome-json');
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) p.feedBytes!(bytes.subarray(i, i + size));
  return p.end();
};
const read = (t: Trace) => ({
  events: [...Array(t.length).keys()].map((i) => `${t.line[i]} ${t.taskName(i)} cpu${t.cpu[i]} ${t.time[i]} ${t.describe(i)}`),
  diagnostics: t.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`),
});
const event = (k: number) => JSON.stringify({ name: k % 2 ? 'dm_get' : 'dm_put', ph: 'i', s: 't', ts: k, pid: 10 + (k % 3), tid: 10 + (k % 3), args: { cpu: k % 4, md: `md${k % 5}`, note: 'a "q" \\ {[' } });
const deep = (depth: number) => `{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

/** Every chunking reads like the careful path alone. */
function assertSameAsCareful(text: string, expectedEvents: number): void {
  const careful = read(feed(text, 1));
  assert.equal(careful.events.length, expectedEvents);
  for (const size of [text.length, 4096, 333, 17]) assert.deepEqual(read(feed(text, size)), careful, `chunks of ${size}`);
  for (const size of [text.length * 3, 4096, 333, 17, 1]) assert.deepEqual(read(feedBytes(text, size)), careful, `byte chunks of ${size}`);
}

describe('Chrome JSON fast path', () => {
  const good = Array.from({ length: 300 }, (_, k) => event(k));

  it('reads runs of events, one per line, as the careful path does', () => {
    assertSameAsCareful(`{"traceEvents":[\n${good.join(',\n')}\n]}\n`, 300);
  });

  it('keeps the line and column of events that share a line or span lines', () => {
    const pretty = JSON.stringify({ name: 'dm_get', ph: 'i', ts: 7, pid: 1, tid: 1, args: { md: 'md9' } }, null, 2);
    const text = `[${good.slice(0, 50).join(',')},\n  ${pretty},  ${good.slice(50, 60).join(' ,\n')}, {"name":"dm_get","ph":"i","ts":3,"pid":{"a":1},"tid":1}\n]`;
    assertSameAsCareful(text, 61);
    assert.match(read(feedBytes(text, text.length)).diagnostics.join('\n'), /^\d+:\d+ error "i" event whose "pid" is an object/);
  });

  it('leaves what is not JSON to the careful path, which says where, and keeps the events around it', () => {
    const bad = [
      '{"name":"dm_get","ph":"X",,"ts":2}',
      '{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"s":"bad \\x escape"}}',
      '{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"s":"line\nbreak"}}',
      '{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"s":"tab\there"}}',
      '{"name":"dm_get","ph":"i","ts":01,"pid":1,"tid":1}',
      '{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1]',
      deep(20),
      deep(70),
    ];
    const lines = good.slice(0, 100);
    bad.forEach((b, k) => lines.splice(10 + 11 * k, 0, b));
    const text = `{"traceEvents":[\n${lines.join(',\n')}\n]}`;
    const t = read(feedBytes(text, text.length));
    assert.equal(t.events.filter((e) => / dm_(get|put) md=/.test(e)).length, 100, 'every good event is read');
    assert.ok(t.diagnostics.length >= 6, t.diagnostics.join('\n'));
    assertSameAsCareful(text, t.events.length);
  });

  it('leaves a truncated file to the careful path', () => {
    const text = `{"traceEvents":[\n${good.slice(0, 20).join(',\n')},\n{"name":"dm_get","ph":"i","ts":1,"pid":1,"tid":1,"args":{"md":"m`;
    assertSameAsCareful(text, 20);
    assert.match(read(feedBytes(text, text.length)).diagnostics.join('\n'), /end of file inside a string/);
  });
});
