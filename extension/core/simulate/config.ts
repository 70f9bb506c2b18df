// Which patches of the 2006 series a simulated kernel carries, and how a set
// of patches is named on the command line and in the race x patch matrix.

export const PATCH_IDS = ['01', '02', '03', '04', '05', '06', '07', '08'] as const;
export type PatchId = (typeof PATCH_IDS)[number];

/** One kernel build: the model source with some patches of the series applied. */
export class PatchConfig {
  readonly patches: readonly PatchId[];
  private readonly set: ReadonlySet<PatchId>;

  constructor(patches: Iterable<PatchId>) {
    this.set = new Set(patches);
    this.patches = PATCH_IDS.filter((p) => this.set.has(p));
  }

  has(patch: PatchId): boolean {
    return this.set.has(patch);
  }

  /** `none`, `01`, `01-04`, `01-02+04`: runs of consecutive patches joined by `+`. */
  get name(): string {
    if (this.patches.length === 0) return 'none';
    const runs: string[] = [];
    let start = 0;
    for (let i = 1; i <= this.patches.length; i++) {
      const contiguous = i < this.patches.length && index(this.patches[i]) === index(this.patches[i - 1]) + 1;
      if (contiguous) continue;
      const first = this.patches[start];
      const last = this.patches[i - 1];
      runs.push(first === last ? first : `${first}-${last}`);
      start = i;
    }
    return runs.join('+');
  }

  /** Parses `none`, `all`, `01-04`, `01,02,04`, `01-02+04`, `1-8`. Throws on anything else. */
  static parse(text: string): PatchConfig {
    const trimmed = text.trim().toLowerCase();
    if (trimmed === 'none' || trimmed === '') return new PatchConfig([]);
    if (trimmed === 'all') return new PatchConfig(PATCH_IDS);
    const out: PatchId[] = [];
    for (const part of trimmed.split(/[+,]/)) {
      const range = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(part.trim());
      if (!range) throw new Error(`not a patch list: "${text}" (expected e.g. none, 01-04, 01-02+04, 01,03)`);
      const from = Number(range[1]);
      const to = range[2] === undefined ? from : Number(range[2]);
      if (from < 1 || to > PATCH_IDS.length || from > to) throw new Error(`patch range out of 01..08: "${part}"`);
      for (let n = from; n <= to; n++) out.push(PATCH_IDS[n - 1]);
    }
    return new PatchConfig(out);
  }
}

function index(p: PatchId): number {
  return PATCH_IDS.indexOf(p);
}

/**
 * The columns of the race x patch matrix: nothing, each prefix of the series,
 * and 04 without 03 (the spinlock conversion with idr_pre_get still inside it).
 */
export function matrixConfigs(): PatchConfig[] {
  const prefixes = PATCH_IDS.map((_, i) => new PatchConfig(PATCH_IDS.slice(0, i + 1)));
  return [new PatchConfig([]), ...prefixes, new PatchConfig(['01', '02', '04'])];
}
