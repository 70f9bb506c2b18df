// The probe definitions the kit derives, independent of the recorder that
// will use them (tracefs, perf probe, bpftrace, the sh script).

/** A kernel symbol whose address is only known on the target (`__this_module [dm_mod]`). */
export interface KernelSymbol {
  name: string;
  module?: string;
}

export type ArgType = 'x64' | 'x32' | 's32' | 'string' | 'ustring';

export interface ProbeArg {
  name: string;
  /** The fetch argument without its type: `%ax`, `+0x90(%di)`, `\"_minor_lock"`, `$retval`. */
  fetch: string;
  type: ArgType;
}

export interface ProbeFilter {
  arg: string;
  op: '==' | '!=' | '>' | '>=';
  /** A number, or a symbol whose address the target resolves. */
  value: number | KernelSymbol;
}

export interface ProbeDefinition {
  /** Event name in group `dmrl`; it reduces to the vocabulary name (`idr_alloc_0` -> idr_get_new). */
  event: string;
  /** The vocabulary event it records. */
  vocabulary: string;
  kind: 'p' | 'r';
  /** The module that holds `symbol`, or undefined for a kernel symbol. */
  module?: string;
  symbol: string;
  offset: number;
  args: ProbeArg[];
  filter?: ProbeFilter;
  /** Where and why, for a human: `after the call of idr_alloc in dm_create`. */
  site: string;
}

export interface Tracepoint {
  system: string;
  event: string;
  vocabulary: string;
  filter?: string;
}

/** A `# !directive` line of the recording's header; `alias` needs the target's address of `symbol`. */
export type HeaderLine = { text: string } | { alias: KernelSymbol; name: string };

export interface Unplaced {
  vocabulary: string;
  reason: string;
  /** Not probed on purpose (no call to probe, or another event carries it), as opposed to not found on this build. */
  byDesign?: boolean;
}

export interface ProbeSet {
  group: string;
  probes: ProbeDefinition[];
  tracepoints: Tracepoint[];
  header: HeaderLine[];
  /** Vocabulary events with no probe on this build, and why. */
  unplaced: Unplaced[];
  /** Placed with less than the vocabulary wants (an argument not recoverable at the site). */
  partial: string[];
  /** Layout facts read from the disassembly (`md->holders at 0x90`), for a human. */
  derived: string[];
  /** The same facts as data: `{ 'md->holders': 0x90, 'block_device->bd_disk': 0x358, ... }`. */
  offsets: Record<string, number>;
  /** Problems of the input (line, column). */
  diagnostics: { line: number; column: number; message: string }[];
}

export const GROUP = 'dmrl';

/** `MOD:SYM+0xOFF` (tracefs), the form every renderer prints. */
export function location(p: ProbeDefinition): string {
  const sym = p.module ? `${p.module}:${p.symbol}` : p.symbol;
  return p.offset ? `${sym}+0x${p.offset.toString(16)}` : sym;
}
