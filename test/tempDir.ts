// Folders the tests write into. All of a test process's folders live in one
// folder of the system's temp directory, removed when the process exits (and
// by the in-host runner when its suites end): repeated runs used to leave
// thousands of folders, gigabytes of traces, behind.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(tmpdir(), `dm-race-lens-tests-${process.pid}`);

// Each test bundle has its own copy of this module: one exit hook per process is enough.
const HOOKED = Symbol.for('dm-race-lens.tempDirHook');
const processFlags = process as unknown as Record<symbol, boolean>;
if (!processFlags[HOOKED]) {
  processFlags[HOOKED] = true;
  process.on('exit', removeTempDirs);
}

/** A new empty folder whose name starts with `prefix`. */
export function tempDir(prefix: string): string {
  mkdirSync(ROOT, { recursive: true });
  return mkdtempSync(join(ROOT, prefix));
}

/** Removes every folder tempDir made in this process. */
export function removeTempDirs(): void {
  rmSync(ROOT, { recursive: true, force: true });
}
