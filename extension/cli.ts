// The command line: `dm-race-lens <command> ...`. Each command is a module
// in cli/ that returns the exit status.

import { setFlagsFromString } from 'node:v8';
import { analyzeCommand } from './cli/analyze';
import { chunked } from './core/report/jsonText';
import { UsageError, type CliIO } from './cli/args';

// V8 doubles its young generation (up to 2 x 16 MB) while objects survive the analysis; an
// analysis's objects are few and short-lived, so the CLI keeps it at its first size: a 1M-event
// analysis peaked 5 MB lower (141 -> 137 MB RSS) with the same CPU time (9 alternating runs).
// The flag is read at each growth, so setting it here, before any analysis, takes effect.
setFlagsFromString('--semi-space-growth-factor=1');

type Command = (argv: string[], io: CliIO) => number | Promise<number>;

// The commands other than analyze are loaded when run: an analysis then neither initialises
// their modules nor loads child_process and os (a few ms of every run's CPU).
const COMMANDS: Record<string, () => Promise<Command>> = {
  analyze: async () => analyzeCommand,
  simulate: async () => {
    const { simulateCommand } = await import('./cli/simulate');
    return (argv, io) => simulateCommand(argv, io.out);
  },
  probes: async () => (await import('./cli/probes')).probesCommand,
  record: async () => (await import('./cli/record')).recordCommand,
};

const USAGE = `usage: dm-race-lens analyze FILE... [--format text|json|sarif|perfetto] [--input-format FORMAT] [--map probe=event]... [--gfp-direct-reclaim BIT]
       dm-race-lens simulate --matrix [--format text|json]
       dm-race-lens simulate --scenario NAME --patches LIST --out FILE
       dm-race-lens probes (--module dm-mod.ko | --disassembly FILE) [--kallsyms FILE] [--format tracefs|script|perf|bpftrace|json] [--out FILE]
       dm-race-lens record [--module dm-mod.ko | --disassembly FILE] [--kallsyms FILE] [--out TRACE] -- COMMAND [ARGS...]`;

async function main(argv: string[]): Promise<number> {
  const io: CliIO = {
    out: (text) => process.stdout.write(text),
    write: async (pieces) => {
      for (const chunk of chunked(pieces)) {
        if (stdoutGone) return;
        if (!process.stdout.write(chunk)) await drained();
      }
    },
    error: (text) => process.stderr.write(text + '\n'),
    usage: (message) => {
      process.stderr.write(`dm-race-lens: ${message}\n${USAGE}\n`);
      return 2;
    },
  };
  const [name, ...rest] = argv;
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) return io.usage(name ? `unknown command ${name}` : 'missing command');
  try {
    return await (await load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) return io.usage(e.message);
    throw e;
  }
}

/** The reader of stdout went away (`analyze ... | head`): the rest of the report is not written. */
let stdoutGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutGone = true;
});

/** Resolves when stdout has room again, or is gone. */
function drained(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('close', done);
    process.stdout.on('error', done);
  });
}

main(process.argv.slice(2)).then((status) => (process.exitCode = status));
