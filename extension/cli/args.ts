// Minimal argument parsing shared by the subcommands: `--key value`,
// `--key=value`, repeatable options, positionals.

export interface CliIO {
  out(text: string): void;
  /** Writes a report piece by piece in chunks, waiting whenever the output is full (a report may be gigabytes). */
  write(pieces: Iterable<string>): Promise<void>;
  error(text: string): void;
  /** Prints the message and the usage, returns exit status 2. */
  usage(message: string): number;
}

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | undefined>;
  many: Record<string, string[] | undefined>;
  flags: Set<string>;
}

/** `spec`: option name -> 'one' (takes a value), 'many' (repeatable value) or 'flag' (no value). */
export function parseArgs(argv: string[], spec: Record<string, 'one' | 'many' | 'flag'>): ParsedArgs {
  const out: ParsedArgs = { positional: [], options: {}, many: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      out.flags.add(name);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'one') out.options[name] = value;
    else (out.many[name] ??= []).push(value);
  }
  return out;
}

export class UsageError extends Error {}
