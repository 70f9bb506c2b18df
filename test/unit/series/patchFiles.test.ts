// Which files are patches of the series, and which patch: one rule for the
// editor (workspace search, CodeLens, "open patch") and for the simulator's
// series read from a folder (loadModelSeries).
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { loadModelSeries } from '../../../extension/core/node/loadSeries';
import { PATCH_IDS, patchNumberOf, patchNumberOfFileName } from '../../../extension/core/series/seriesInfo';
import { repoPath } from '../helpers';

const SAMPLES = repoPath('sample-traces');

describe('patch files of the series', () => {
  it('numbers a file by its git format-patch name, in any folder, .patch or .diff', () => {
    assert.equal(patchNumberOfFileName('0004-dm-make-_minor_lock-a-spinlock.patch'), '04');
    assert.equal(patchNumberOfFileName('/a/b/0003-dm-pre.diff'), '03');
    assert.equal(patchNumberOfFileName('C:\\series\\0006-dm-take.patch'), '06');
    assert.equal(patchNumberOfFileName('0012-more.patch'), '12');
    for (const other of ['0000-cover-letter.patch', '4-short.patch', '00004-long.patch', '0004-notes.txt', '0004.patch', 'fix.diff', '/0004-dir/notes.md']) {
      assert.equal(patchNumberOfFileName(other), undefined, other);
    }
  });

  it('a Subject line numbers the patch before its file name does', () => {
    assert.equal(patchNumberOf('0002-x.patch', 'From: a\nSubject: [PATCH 6/8] dm: take'), '06');
    assert.equal(patchNumberOf('0002-x.patch', 'no header'), '02');
    assert.equal(patchNumberOf('series.mbox', 'no header'), undefined);
  });

  it('the simulator loads exactly the files the editor numbers as the series', () => {
    const dir = tempDir('dmrl-series-');
    for (const sub of ['source', 'patches']) {
      mkdirSync(join(dir, sub));
      for (const name of readdirSync(join(SAMPLES, sub))) copyFileSync(join(SAMPLES, sub, name), join(dir, sub, name));
    }
    const patches = join(dir, 'patches');
    const third = readdirSync(patches).find((n) => n.startsWith('0003-')) as string;
    renameSync(join(patches, third), join(patches, third.replace(/\.patch$/, '.diff')));
    // Not patches of the series: a cover letter, a patch past the eighth, names of another shape.
    for (const decoy of ['0000-cover-letter.patch', '0009-extra.patch', '4-short.patch', '0005-notes.txt']) {
      writeFileSync(join(patches, decoy), 'not a patch of the series\n');
    }
    const series = loadModelSeries(dir);
    assert.deepEqual([...series.patches.keys()], [...PATCH_IDS]);
    for (const name of readdirSync(patches)) {
      const id = patchNumberOfFileName(name);
      const loaded = PATCH_IDS.find((p) => p === id);
      if (loaded) assert.equal(series.patches.get(loaded), readFileSync(join(patches, name), 'utf8'), name);
      // The editor reads the Subject first: on the series' files it gives the same number.
      if (loaded) assert.equal(patchNumberOf(name, readFileSync(join(patches, name), 'utf8')), loaded, name);
    }
    assert.match(series.patches.get('03') as string, /^From /);
  });
});
