// `dm-race-lens probes (--module dm-mod.ko | --disassembly FILE) [--kallsyms FILE] [--format F] [--out FILE]`
// Exit status: 0 every event the kit probes was placed, 1 some could not be (listed on stderr), 2 bad input.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deriveProbes, parseKallsyms, renderBpftrace, renderJson, renderPerf, renderScript, renderTracefs, type Kallsyms, type ProbeSet } from '../core/probes';
import { parseArgs, type CliIO } from './args';

const FORMATS = { tracefs: renderTracefs, script: renderScript, perf: renderPerf, bpftrace: renderBpftrace, json: renderJson } as const;
type Format = keyof typeof FORMATS;

/** The kit's inputs, read from the files the options name; an error message instead when one cannot be read. */
export function loadProbeSet(module: string | undefined, disassembly: string | undefined, kallsymsFile: string | undefined): { set: ProbeSet; kallsyms?: Kallsyms } | string {
  let text: string;
  if (disassembly) {
    try {
      text = readFileSync(disassembly, 'utf8');
    } catch (e) {
      return `cannot read ${disassembly}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  } else if (module) {
    const dis = disassemble(module);
    if (typeof dis !== 'string' || dis.startsWith('!')) return typeof dis === 'string' ? dis.slice(1) : 'objdump failed';
    text = dis;
  } else return 'probes needs --module dm-mod.ko or --disassembly FILE';
  let kallsyms: Kallsyms | undefined;
  if (kallsymsFile) {
    try {
      kallsyms = parseKallsyms(readFileSync(kallsymsFile, 'utf8'));
    } catch (e) {
      return `cannot read ${kallsymsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }
  return { set: deriveProbes(text), kallsyms };
}

/** `objdump -drt` of the module (a `.ko.xz` is decompressed first); a string starting with `!` is an error. */
function disassemble(module: string): string {
  let path = module;
  if (module.endsWith('.xz')) {
    const xz = spawnSync('xz', ['-dc', module], { maxBuffer: 1 << 30 });
    if (xz.status !== 0) return `!cannot decompress ${module}: ${xz.error?.message ?? xz.stderr.toString().trim()}`;
    // next to the module may be read-only (/lib/modules): a private temporary directory
    path = join(mkdtempSync(join(tmpdir(), 'dmrl-ko-')), 'dm-mod.ko');
    writeFileSync(path, xz.stdout);
  }
  const r = spawnSync('objdump', ['-drt', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (path !== module) rmSync(dirname(path), { recursive: true, force: true });
  if (r.error) return `!cannot run objdump: ${r.error.message} (install binutils)`;
  if (r.status !== 0) return `!objdump ${module}: ${r.stderr.trim()}`;
  return r.stdout;
}

export function probesCommand(argv: string[], io: CliIO): number {
  const args = parseArgs(argv, { module: 'one', disassembly: 'one', kallsyms: 'one', format: 'one', out: 'one' });
  const format = (args.options.format ?? 'tracefs') as Format;
  if (!(format in FORMATS)) return io.usage(`unknown --format ${format}: expected ${Object.keys(FORMATS).join(', ')}`);
  if (args.positional.length) return io.usage(`unexpected argument ${args.positional[0]}`);
  const loaded = loadProbeSet(args.options.module, args.options.disassembly, args.options.kallsyms);
  if (typeof loaded === 'string') {
    io.error(`dm-race-lens: ${loaded}`);
    return 2;
  }
  const { set, kallsyms } = loaded;
  for (const d of set.diagnostics) io.error(`${args.options.disassembly ?? 'disassembly'}:${d.line}:${d.column}: ${d.message}`);
  if (set.probes.length === 0) {
    io.error('dm-race-lens: no probe could be derived from this input');
    return 2;
  }
  const text = FORMATS[format](set, kallsyms);
  if (args.options.out) writeFileSync(args.options.out, text, { mode: format === 'script' ? 0o755 : 0o644 });
  else io.out(text);
  for (const u of set.unplaced) io.error(`dm-race-lens: ${u.byDesign ? 'not probed' : 'not placed'}: ${u.vocabulary}: ${u.reason}`);
  for (const p of set.partial) io.error(`dm-race-lens: partial: ${p}`);
  return set.unplaced.some((u) => !u.byDesign) || set.partial.length ? 1 : 0;
}
