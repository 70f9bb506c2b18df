// Every sample trace states the findings it must give in `# expect:` lines;
// the analysis must give exactly those (rule, severity, line), no more.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../extension/core/analyze';
import { repoPath, summary } from './helpers';

const DIR = repoPath('sample-traces');

function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]).filter((e) => e !== 'none');
}

describe('sample traces', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.dmtrace'));

  it('has a race, a fixed counterpart and a predictive case for every rule', () => {
    for (const rule of ['dmr1', 'dmr2', 'dmr3', 'dmr4', 'dmr5', 'dmr6']) {
      for (const kind of ['race', 'fixed', 'predictive']) {
        assert.ok(files.some((f) => f.startsWith(rule) && f.endsWith(`.${kind}.dmtrace`)), `${rule} ${kind}`);
      }
    }
  });

  for (const file of files) {
    it(`${file} gives exactly its expected findings`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      assert.ok(/^# expect: /m.test(text), 'the trace states its expectations');
      assert.deepEqual(summary(analyzeText(text)), expectations(text));
    });
  }

  it('fixed counterparts parse without diagnostics', () => {
    for (const file of files.filter((f) => f.includes('.fixed.'))) {
      assert.deepEqual(analyzeText(readFileSync(join(DIR, file), 'utf8')).diagnostics, [], file);
    }
  });
});
