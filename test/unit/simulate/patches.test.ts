// The patch series against the model source: it applies in order with git,
// the simulator's own applier agrees with git, and every @step marker the
// simulator reports is a unique line of each configuration's source.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tempDir';
import { matrixConfigs, PATCH_IDS, PatchConfig } from '../../../extension/core/simulate/config';
import { markerLines } from '../../../extension/core/simulate/modelSource';
import { SAMPLES, series } from './fixtures';

const patchFiles = readdirSync(join(SAMPLES, 'patches')).filter((f) => f.endsWith('.patch')).sort();

describe('simulate: the patch series', () => {
  it('is eight format-patch files, 0001 to 0008, each with its own explanation', () => {
    assert.deepEqual(patchFiles.map((f) => f.slice(0, 4)), ['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008']);
    for (const f of patchFiles) {
      const text = readFileSync(join(SAMPLES, 'patches', f), 'utf8');
      assert.match(text, /^From [0-9a-f]{40} /, f);
      assert.match(text, /^Subject: \[PATCH \d\/8\] /m, f);
      const body = text.slice(text.indexOf('\n\n'), text.indexOf('\n---\n'));
      assert.ok(body.split(/\s+/).length > 60, `${f} explains its race and the ordering it guarantees`);
    }
  });

  it('applies in order with git apply and yields source-patched', () => {
    const dir = tempDir('dm-series-');
    cpSync(join(SAMPLES, 'source'), dir, { recursive: true });
    for (const f of patchFiles) execFileSync('git', ['apply', '--whitespace=nowarn', join(SAMPLES, 'patches', f)], { cwd: dir });
    for (const file of ['dm.c', 'dm.h', 'idr.c']) {
      assert.equal(readFileSync(join(dir, file), 'utf8'), readFileSync(join(SAMPLES, 'source-patched', file), 'utf8'), file);
    }
  });

  it("the simulator's applier gives what git apply gives for every prefix of the series", () => {
    const dir = tempDir('dm-prefix-');
    cpSync(join(SAMPLES, 'source'), dir, { recursive: true });
    PATCH_IDS.forEach((id, i) => {
      execFileSync('git', ['apply', '--whitespace=nowarn', join(SAMPLES, 'patches', patchFiles[i])], { cwd: dir });
      const ours = series.sourceFor(new PatchConfig(PATCH_IDS.slice(0, i + 1)));
      for (const file of ['dm.c', 'dm.h', 'idr.c']) assert.equal(ours.get(file), readFileSync(join(dir, file), 'utf8'), `${file} after ${id}`);
    });
  });

  it('04 without 03 applies with reduced context and keeps idr_pre_get inside the spinlock', () => {
    const dm = series.sourceFor(PatchConfig.parse('01-02+04')).get('dm.c') as string;
    const lines = markerLines(dm);
    assert.match(dm, /static DEFINE_SPINLOCK\(_minor_lock\);/);
    assert.ok((lines.get('minor:lock') as number) < (lines.get('minor:pre_get') as number), 'spin_lock comes before idr_pre_get');
    const withBoth = markerLines(series.sourceFor(PatchConfig.parse('01-04')).get('dm.c') as string);
    assert.ok((withBoth.get('minor:pre_get') as number) < (withBoth.get('minor:lock') as number), 'with 03 the preallocation is outside');
  });

  it('the model before the series has the pre-2006 shapes the simulator executes', () => {
    const dm = readFileSync(join(SAMPLES, 'source', 'dm.c'), 'utf8');
    assert.match(dm, /static DECLARE_MUTEX\(_minor_lock\);/);
    assert.match(dm, /idr_get_new\(&_minor_idr, md, &m\)/);
    assert.doesNotMatch(dm, /DMF_FREEING|MINOR_ALLOCED|try_module_get|idr_replace/);
    const lines = markerLines(dm);
    assert.ok((lines.get('alloc:add_disk') as number) < (lines.get('alloc:pending') as number), 'add_disk before pending is set');
    assert.ok((lines.get('find:unlock') as number) < (lines.get('get_md:get') as number), 'dm_get after the unlock');
  });

  it('has every @step marker once per configuration, so trace lines cannot drift', () => {
    for (const config of matrixConfigs()) {
      const table = series.lineTable(config);
      const dm = (series.sourceFor(config).get('dm.c') as string).split('\n');
      for (const [marker, line] of table) assert.match(dm[line - 1], new RegExp(`@step ${marker} \\*/`), `${config.name} ${marker}`);
    }
    assert.throws(() => markerLines('a /* @step x:y */\nb /* @step x:y */\n'), /appears twice/);
  });
});
