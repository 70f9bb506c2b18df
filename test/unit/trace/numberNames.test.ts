// A trace's string table gives decimal numbers ids of their own, past its
// dense ids (stringTable.ts): what keeps something per id (locks, devices,
// keys, event names) must work the same when a trace names it with a number.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../../extension/core/analyze';
import { NUMBER_BASE } from '../../../extension/core/trace/stringTable';
import { parseTrace } from '../../../extension/core/trace/parse';
import { repoPath, summary } from '../helpers';

const DIR = repoPath('sample-traces');

/** The trace with each lock and device name (and every other use of it) renamed to a number, and the names by number. */
function numbered(text: string): { text: string; names: Map<string, string> } {
  const lines = text.split('\n');
  const events = (l: string) => !l.startsWith('#');
  const numbers = new Map<string, string>();
  for (const l of lines.filter(events)) {
    for (const m of l.matchAll(/(?:^|\s)(?:lock|md)=(\S+)|^!lock (\S+)/g)) {
      const name = m[1] ?? m[2];
      if (!/^[0-9]+$/.test(name) && !numbers.has(name)) numbers.set(name, String(900001 + numbers.size));
    }
  }
  const renamed = lines.map((l) => (events(l) ? l.replace(/(?<=[=\s])[^=\s]+(?=[=\s]|$)/g, (t) => numbers.get(t) ?? t) : l));
  return { text: renamed.join('\n'), names: new Map([...numbers].map(([name, n]) => [n, name])) };
}

describe('numbers as names', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.dmtrace'));

  for (const file of files) {
    it(`${file}: locks and devices named by numbers give the same findings`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const { text: renamedText, names } = numbered(text);
      if (names.size === 0) return;
      assert.notEqual(renamedText, text);
      const named = analyzeText(text);
      const renamed = analyzeText(renamedText);
      const back = (s: string) => s.replace(/\b900\d{3}\b/g, (n) => names.get(n) ?? n);
      assert.deepEqual(summary(renamed), summary(named));
      assert.deepEqual(renamed.findings.map((f) => [back(f.md), back(f.message)]), named.findings.map((f) => [f.md, f.message]));
      const edges = (a: typeof named, name: (s: string) => string) =>
        Array.from({ length: a.trace.length }, (_, e) => a.hb.incoming(e).map((edge) => [edge.from, edge.kind, name(edge.via)]));
      assert.deepEqual(edges(renamed, back), edges(named, (s) => s));
    });
  }

  it('an event name, a key, a value and a source file that are numbers, through the fast path and the text path', () => {
    for (const eol of ['\n', '\r\n']) {
      const trace = parseTrace(['1.000001 cpu0 a/1 5 7=8 0=00', '1.000002 cpu0 a/1 5 7=9 @12:3', '1.000003 cpu0 a/1 dm_get 7=9 md=md0'].join(eol) + eol, { format: 'dmtrace' });
      assert.deepEqual(trace.diagnostics, []);
      assert.equal(trace.eventName(0), '5');
      assert.ok(trace.name[0] >= NUMBER_BASE);
      assert.deepEqual(trace.argList(0), [['7', '8'], ['0', '00']]);
      assert.equal(trace.arg(1, '7'), '9');
      assert.equal(trace.arg(2, '7'), '9');
      assert.equal(trace.arg(2, 'md'), 'md0');
      assert.deepEqual(trace.source(1), { file: '12', line: 3 });
    }
  });
});
