// The command line: `dm-race-lens <command> ...`. Each command is a module
// in cli/ that returns the exit status.

import { analyzeCommand } from './cli/analyze';
import { chunked } from './core/report/jsonText';
import { UsageError, type CliIO } from './cli/args';
import { probesCommand } from './cli/probes';
import { recordCommand } from './cli/record';
import { simulateCommand } from './cli/simulate';

type Command = (argv: string[], io: CliIO) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  analyze: analyzeCommand,
  simulate: (argv, io) => simulateCommand(argv, io.out),
  probes: probesCommand,
  record: recordCommand,
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
  const command = COMMANDS[name];
  if (!command) return io.usage(name ? `unknown command ${name}` : 'missing command');
  try {
    return await command(rest, io);
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
