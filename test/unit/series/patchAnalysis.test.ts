// Reading the patch series: hunks on the right lines of the patch file, and the
// removed lines that carried each race's unsafe ordering.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePatch } from '../../../extension/core/series/patchAnalysis';
import { closesText, patchNumberAt, patchNumberOf, patchSubject, rulesClosedBy } from '../../../extension/core/series/seriesInfo';
import { repoPath } from '../helpers';

const PATCHES = repoPath('sample-traces', 'patches');
const patch = (id: string) => {
  const name = readdirSync(PATCHES).find((f) => f.startsWith(`00${id}-`))!;
  return { name, text: readFileSync(join(PATCHES, name), 'utf8') };
};
const removedRules = (text: string) => analyzePatch(text).flatMap((h) => h.removed.map((r) => r.rule));

describe('patch series', () => {
  it('places every hunk on its @@ line', () => {
    for (const name of readdirSync(PATCHES)) {
      const text = readFileSync(join(PATCHES, name), 'utf8');
      const lines = text.split('\n');
      const hunks = analyzePatch(text);
      assert.equal(hunks.length, lines.filter((l) => l.startsWith('@@ ')).length, name);
      for (const h of hunks) assert.match(lines[h.line], /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/, name);
    }
  });

  it('marks the removed late dm_get of patch 06 (DMR2) on its own line', () => {
    const { text } = patch('06');
    const removed = analyzePatch(text).flatMap((h) => h.removed);
    assert.equal(removed.length, 1);
    assert.equal(removed[0].rule, 'DMR2');
    assert.match(text.split('\n')[removed[0].line], /^-\s+dm_get\(md\);/);
  });

  it('marks the sleeping idr_pre_get under the lock removed by patch 03 (DMR4)', () => {
    const { text } = patch('03');
    const removed = analyzePatch(text).flatMap((h) => h.removed);
    assert.deepEqual(removed.map((r) => r.rule), ['DMR4']);
    assert.match(text.split('\n')[removed[0].line], /idr_pre_get\(&_minor_idr, GFP_KERNEL\)/);
    assert.match(removed[0].message, /while holding _minor_lock/);
  });

  it('marks the store of md itself removed by patch 02 (DMR1), the unlocked final put removed by 04 (DMR2), and the inits moved by 08 (DMR6)', () => {
    assert.deepEqual(removedRules(patch('02').text), ['DMR1']);
    assert.ok(removedRules(patch('04').text).includes('DMR2'));
    assert.deepEqual(removedRules(patch('08').text), ['DMR6', 'DMR6', 'DMR6']);
  });

  it('marks nothing in patches that only add code', () => {
    assert.deepEqual(removedRules(patch('01').text), []);
    assert.deepEqual(removedRules(patch('07').text), []);
  });

  it('does not flag a dm_get removed while the lock is still held', () => {
    const diff = ['--- a/dm.c', '+++ b/dm.c', '@@ -1,5 +1,4 @@ f', ' \tspin_lock(&_minor_lock);', ' \tmd = idr_find(&_minor_idr, minor);', '-\tdm_get(md);', ' \tspin_unlock(&_minor_lock);', ' \treturn md;', ''].join('\n');
    assert.deepEqual(removedRules(diff), []);
    const late = diff.replace('-\tdm_get(md);\n \tspin_unlock(&_minor_lock);', ' \tspin_unlock(&_minor_lock);\n-\tdm_get(md);');
    assert.deepEqual(removedRules(late), ['DMR2']);
  });

  it('reads patch numbers from the Subject, else from the file name', () => {
    assert.equal(patchNumberOf('x.patch', 'Subject: [PATCH 6/8] dm: take'), '06');
    assert.equal(patchNumberOf('/a/b/0003-dm-pre.patch', 'no header'), '03');
    assert.equal(patchNumberOf('/a/b/fix.diff', 'no header'), undefined);
    assert.equal(patchSubject(patch('06').text), "dm: take the lookup's reference before dropping _minor_lock");
  });

  it('says which race each patch closes', () => {
    assert.deepEqual(rulesClosedBy('06'), ['DMR2']);
    assert.equal(closesText('04'), 'DMR2 stale-lookup-get (with 06)');
    assert.equal(closesText('01'), 'DMR1 publish-before-init (with 02)');
  });

  it('gives each hunk of an mbox the number of the patch it is in', () => {
    const mbox = `${patch('04').text}\n${patch('06').text}`;
    const at = patchNumberAt('series.mbox', mbox);
    const hunks = analyzePatch(mbox);
    const ids = hunks.map((h) => at(h.line));
    const n04 = analyzePatch(patch('04').text).length;
    assert.deepEqual(ids, [...Array(n04).fill('04'), ...Array(hunks.length - n04).fill('06')]);
    assert.equal(patchNumberAt('/p/0003-x.patch', 'no subject')(10), '03');
  });
});

