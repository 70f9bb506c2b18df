// Finding a kernel function in a Linux tree (setting dmRaceLens.kernelTree), for
// events that carry no @file:line: the first line of drivers/md/*.c that starts
// a definition of NAME (`^\w.*\bNAME\(`). Results are cached per tree and name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const functionCache = new Map<string, { path: string; line: number } | null>();

/** Where a kernel function is defined in the kernel tree's drivers/md (`^\w.*\bNAME\(`). */
export function findKernelFunction(tree: string, name: string): { path: string; line: number } | undefined {
  const key = `${tree}\0${name}`;
  if (functionCache.has(key)) return functionCache.get(key) ?? undefined;
  const dir = join(tree, 'drivers', 'md');
  const pattern = new RegExp(`^\\w.*\\b${name.replace(/[^\w]/g, '')}\\(`);
  let found: { path: string; line: number } | undefined;
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      const k = lines.findIndex((l) => pattern.test(l));
      if (k >= 0) {
        found = { path: join(dir, f), line: k + 1 };
        break;
      }
    }
  } catch {
    // no such tree: nothing found
  }
  functionCache.set(key, found ?? null);
  return found;
}
