// The annotated model source (sample-traces/source) and the patch series
// against it: applies any subset of the series in order and finds the line of
// each `@step NAME` marker, so that trace events point at the right line of
// the source as that configuration has it.

import parseDiff from 'parse-diff';
import { PATCH_IDS, type PatchConfig, type PatchId } from './config';

/** File name (`dm.c`) -> contents. */
export type SourceFiles = Map<string, string>;

const MARKER = /\/\*\s*@step\s+([\w:-]+)\s*\*\//g;

/** `@step` marker -> 1-based line. Throws when a marker appears twice. */
export function markerLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(MARKER)) {
      if (out.has(m[1])) throw new Error(`@step ${m[1]} appears twice (lines ${out.get(m[1])} and ${i + 1})`);
      out.set(m[1], i + 1);
    }
  });
  return out;
}

/**
 * Applies one `git format-patch` file. A hunk whose full context does not
 * match (a patch applied without an earlier one it was made after) is retried
 * with less context, as `git apply -C1` would; a hunk that still finds no
 * place is an error.
 */
export function applyPatch(files: SourceFiles, patch: string): SourceFiles {
  const out = new Map(files);
  for (const file of parseDiff(patch)) {
    const name = (file.to ?? file.from ?? '').replace(/^b\//, '');
    const original = out.get(name);
    if (original === undefined) throw new Error(`patch touches ${name}, which the model does not have`);
    const lines = original.split('\n');
    let shift = 0;
    for (const chunk of file.chunks) {
      const changes = chunk.changes.map((c) => ({ type: c.type, text: c.content.slice(1) }));
      const placed = placeHunk(lines, changes, chunk.oldStart - 1 + shift);
      if (!placed) throw new Error(`hunk @@ -${chunk.oldStart} of ${name} does not apply`);
      const kept = changes.slice(placed.trimStart, changes.length - placed.trimEnd);
      const oldLines = kept.filter((c) => c.type !== 'add').map((c) => c.text);
      const newLines = kept.filter((c) => c.type !== 'del').map((c) => c.text);
      lines.splice(placed.at, oldLines.length, ...newLines);
      shift += newLines.length - oldLines.length;
    }
    out.set(name, lines.join('\n'));
  }
  return out;
}

type Change = { type: string; text: string };

function placeHunk(lines: string[], changes: Change[], expected: number): { at: number; trimStart: number; trimEnd: number } | null {
  const leading = changes.findIndex((c) => c.type !== 'normal');
  const trailing = [...changes].reverse().findIndex((c) => c.type !== 'normal');
  for (let fuzz = 0; fuzz <= Math.max(leading, trailing); fuzz++) {
    const trimStart = Math.min(fuzz, leading);
    const trimEnd = Math.min(fuzz, trailing);
    const old = changes.slice(trimStart, changes.length - trimEnd).filter((c) => c.type !== 'add').map((c) => c.text);
    const at = nearestMatch(lines, old, expected + trimStart);
    if (at >= 0) return { at, trimStart, trimEnd };
  }
  return null;
}

function nearestMatch(lines: string[], block: string[], expected: number): number {
  const matchesAt = (at: number) => block.every((l, i) => lines[at + i] === l);
  for (let d = 0; d < lines.length; d++) {
    if (expected - d >= 0 && matchesAt(expected - d)) return expected - d;
    if (d > 0 && expected + d + block.length <= lines.length && matchesAt(expected + d)) return expected + d;
  }
  return -1;
}

/** The model before the series and the eight patches, as text. */
export class ModelSeries {
  private readonly cache = new Map<string, SourceFiles>();

  constructor(
    readonly before: SourceFiles,
    readonly patches: ReadonlyMap<PatchId, string>,
  ) {
    for (const id of PATCH_IDS) if (!patches.has(id)) throw new Error(`the series lacks patch ${id}`);
  }

  /** The model with `config`'s patches applied in series order. */
  sourceFor(config: PatchConfig): SourceFiles {
    const cached = this.cache.get(config.name);
    if (cached) return cached;
    let files = this.before;
    for (const id of config.patches) files = applyPatch(files, this.patches.get(id) as string);
    this.cache.set(config.name, files);
    return files;
  }

  /** `@step` marker -> line in `file` of `config`'s source. */
  lineTable(config: PatchConfig, file = 'dm.c'): Map<string, number> {
    const text = this.sourceFor(config).get(file);
    if (text === undefined) throw new Error(`the model has no ${file}`);
    return markerLines(text);
  }
}
