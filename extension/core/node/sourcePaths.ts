// Where a trace may point for its source files (`!source FILE=PATH`, `@FILE:line`):
// only inside the folders its reader chose (the workspace folder, the trace's own
// folder, a configured kernel tree). A trace is input: `../../../../etc/passwd`,
// `/proc/self/environ` or `\\host\share\x` (an SMB connection on Windows) must not
// become a link, a diagnostic or even a file-system probe. The editor and the CLI
// both go through here, so one rule holds.
import { existsSync, realpathSync } from 'node:fs';
import * as nodePath from 'node:path';

/** The part of node:path the rule uses (posix or win32, so both are unit-tested on any machine). */
export type PathApi = Pick<typeof nodePath, 'resolve' | 'relative' | 'isAbsolute' | 'sep'>;

/** Is `target` `root` itself or below it? Lexical: `..` is resolved, links are not. */
export function isInside(root: string, target: string, path: PathApi = nodePath): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** A UNC or device path (`\\host\share`, `//host/share`, `\\?\C:\`): refused on every platform. */
function isNetworkPath(p: string): boolean {
  return /^[\\/]{2}/.test(p);
}

/**
 * The absolute path `!source FILE=PATH` names (PATH relative to the trace's
 * folder), or undefined when it lies outside every root. Decided on the text
 * alone: nothing is read from the disk.
 */
export function confineSourcePath(mapped: string, traceDir: string, roots: readonly string[], path: PathApi = nodePath): string | undefined {
  if (isNetworkPath(mapped) || mapped.includes('\0')) return undefined;
  const target = path.resolve(traceDir, mapped);
  return roots.some((root) => isInside(root, target, path)) ? target : undefined;
}

/**
 * Is `candidate` a file inside a root, also once symbolic links are followed?
 * The disk is asked only about candidates that are inside a root by their text.
 */
export function isConfinedFile(candidate: string, roots: readonly string[]): boolean {
  if (isNetworkPath(candidate) || candidate.includes('\0') || !nodePath.isAbsolute(candidate)) return false;
  if (!roots.some((root) => isInside(root, candidate)) || !existsSync(candidate)) return false;
  const real = realPath(candidate);
  return real !== undefined && roots.some((root) => {
    const realRoot = realPath(root);
    return realRoot !== undefined && isInside(realRoot, real);
  });
}

function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
