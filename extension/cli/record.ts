// `dm-race-lens record [--module dm-mod.ko | --disassembly FILE] [--out TRACE] -- COMMAND [ARGS...]`
// Root only. Derives the probes, then runs the same sh script `probes --format script` prints: one
// implementation applies, enables, records and cleans up, with or without node on the target.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderScript } from '../core/probes';
import { parseArgs, UsageError, type CliIO } from './args';
import { loadProbeSet } from './probes';

/** The running kernel's dm-mod.ko, plain or compressed. */
function runningModule(): string | undefined {
  const base = `/lib/modules/${release()}/kernel/drivers/md/dm-mod.ko`;
  return [base, base + '.xz'].find((p) => existsSync(p));
}

export function recordCommand(argv: string[], io: CliIO): number {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) throw new UsageError('record needs -- COMMAND [ARGS...]');
  const args = parseArgs(argv.slice(0, dash), { module: 'one', disassembly: 'one', kallsyms: 'one', out: 'one' });
  if (args.positional.length) return io.usage(`unexpected argument ${args.positional[0]}`);
  const module = args.options.module ?? (args.options.disassembly ? undefined : runningModule());
  const loaded = loadProbeSet(module, args.options.disassembly, args.options.kallsyms);
  if (typeof loaded === 'string') {
    io.error(`dm-race-lens: ${loaded}`);
    return 2;
  }
  for (const u of loaded.set.unplaced.filter((x) => !x.byDesign)) io.error(`dm-race-lens: not placed: ${u.vocabulary}: ${u.reason}`);
  const out = args.options.out ?? 'dm-race.trace';
  const dir = mkdtempSync(join(tmpdir(), 'dmrl-record-'));
  const script = join(dir, 'record.sh');
  writeFileSync(script, renderScript(loaded.set, loaded.kallsyms), { mode: 0o700 });
  try {
    const r = spawnSync('sh', [script, out, '--', ...argv.slice(dash + 1)], { stdio: 'inherit' });
    if (r.error) {
      io.error(`dm-race-lens: cannot run sh: ${r.error.message}`);
      return 2;
    }
    if (r.status === 125) return 2;
    io.error(`dm-race-lens: trace written to ${out}; analyse it with: dm-race-lens analyze ${out}`);
    return r.status ?? 2;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
