// dist/benchProcess.js: one whole process whose own resource usage is written
// to a file at exit (CPU time of all its threads, peak RSS), so the benchmark
// needs no /usr/bin/time.
//   node dist/benchProcess.js OUT floor FILE          read and split FILE (bench/floor.ts)
//   node dist/benchProcess.js OUT run SCRIPT ARGS...  run SCRIPT in this process, as `node SCRIPT ARGS...`
//   node dist/benchProcess.js OUT start               nothing: Node's own start and exit

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { readAndSplit } from './floor';

const [out, mode, ...rest] = process.argv.slice(2);
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(out, JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, peakRssBytes: u.maxRSS * 1024 }));
});
if (mode === 'floor') {
  readAndSplit(rest[0]);
} else if (mode === 'run') {
  const script = resolve(rest[0]);
  process.argv = [process.argv[0], script, ...rest.slice(1)];
  createRequire(__filename)(script);
} else if (mode !== 'start') {
  console.error('usage: benchProcess.js OUT (floor FILE | run SCRIPT ARGS... | start)');
  process.exitCode = 2;
}
