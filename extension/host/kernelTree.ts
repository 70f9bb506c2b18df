// Finding a kernel function in a Linux tree (setting dmRaceLens.kernelTree), for
// events that carry no @file:line: the first line of drivers/md/*.c that starts
// a definition of NAME (`^\w.*\bNAME\(`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Kernel function definitions found so far, per tree and name (one owner per activation). */
export class KernelFunctions {
  private readonly found = new Map<string, { path: string; line: number } | null>();

  /** Where a kernel function is defined in the kernel tree's drivers/md (`^\w.*\bNAME\(`). */
  find(tree: string, name: string): { path: string; line: number } | undefined {
    const key = `${tree}\0${name}`;
    if (this.found.has(key)) return this.found.get(key) ?? undefined;
    const at = searchDefinition(tree, name);
    this.found.set(key, at ?? null);
    return at;
  }
}

function searchDefinition(tree: string, name: string): { path: string; line: number } | undefined {
  const dir = join(tree, 'drivers', 'md');
  const pattern = new RegExp(`^\\w.*\\b${name.replace(/[^\w]/g, '')}\\(`);
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      const k = lines.findIndex((l) => pattern.test(l));
      if (k >= 0) return { path: join(dir, f), line: k + 1 };
    }
  } catch {
    // no such tree: nothing found
  }
  return undefined;
}
