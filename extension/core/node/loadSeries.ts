// Reads the model source and the patch series from a sample-traces folder.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { patchNumberOfFileName } from '../series/seriesInfo';
import { PATCH_IDS, type PatchId } from '../simulate/config';
import { ModelSeries, type SourceFiles } from '../simulate/modelSource';

export function loadModelSeries(sampleDir: string): ModelSeries {
  const sourceDir = join(sampleDir, 'source');
  const before: SourceFiles = new Map();
  for (const name of readdirSync(sourceDir).sort()) before.set(name, readFileSync(join(sourceDir, name), 'utf8'));
  const patches = new Map<PatchId, string>();
  const patchDir = join(sampleDir, 'patches');
  for (const name of readdirSync(patchDir).sort()) {
    const id = PATCH_IDS.find((p) => p === patchNumberOfFileName(name));
    if (id) patches.set(id, readFileSync(join(patchDir, name), 'utf8'));
  }
  return new ModelSeries(before, patches);
}

/** The sample-traces folder: next to the bundle's folder (dist/..), else under the working directory. */
export function defaultSampleDir(): string {
  const candidates = [resolve(__dirname, '..', 'sample-traces'), resolve(process.cwd(), 'sample-traces')];
  return candidates.find((d) => existsSync(join(d, 'source'))) ?? candidates[1];
}
