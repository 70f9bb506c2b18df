// What every placement pass shares: the disassembly with its branch targets,
// the probe set being filled, and how a probe is put at a call site: the
// callee found from the relocation that names it, arguments read at the call
// (registers di si dx cx r8 r9), results at the instruction after it (ax).

import { ARGUMENT_REGISTERS, branchTargets, canonicalRegister, fallsThroughOnly, fetchFor, registersBefore, type Registers, type Value } from './dataflow';
import { GROUP, type ArgType, type ProbeArg, type ProbeFilter, type ProbeSet } from './model';
import type { DisassembledFunction, Disassembly } from './objdump';

export const MODULE = 'dm_mod';

export interface CallSite {
  fn: DisassembledFunction;
  index: number;
  /** A `jmp` to the callee: nothing of the caller runs after it. */
  tail: boolean;
}

export class Sites {
  readonly targets: Map<string, Set<number>>;
  readonly set: ProbeSet;
  private readonly counters = new Map<string, number>();

  constructor(readonly d: Disassembly) {
    this.targets = branchTargets(d);
    this.set = { group: GROUP, probes: [], tracepoints: [], header: [], unplaced: [], partial: [], derived: [], offsets: {}, diagnostics: [...d.diagnostics] };
  }

  /** Records a struct offset read from the code, and where it was read. */
  offset(field: string, value: number | undefined, source: string): void {
    if (value === undefined) return;
    this.set.offsets[field] = value;
    this.set.derived.push(`${field} at 0x${value.toString(16)} (${source})`);
  }

  /** The calls and tail calls of `callee`, ordered by section, then address. */
  callSites(callee: string): CallSite[] {
    const out: CallSite[] = [];
    for (const fn of this.d.functions.values()) {
      fn.instructions.forEach((insn, index) => {
        if (insn.mnemonic !== 'call' && insn.mnemonic !== 'jmp') return;
        const named = insn.relocations.some((r) => (r.type === 'R_X86_64_PLT32' || r.type === 'R_X86_64_PC32') && r.target === callee) || insn.targetSymbol === callee;
        if (named) out.push({ fn, index, tail: insn.mnemonic === 'jmp' });
      });
    }
    return out.sort((a, b) => (a.fn.section === b.fn.section ? a.fn.instructions[a.index].address - b.fn.instructions[b.index].address : a.fn.section < b.fn.section ? -1 : 1));
  }

  registers(fn: DisassembledFunction, index: number): Registers {
    return registersBefore(this.d, fn, index, this.targets);
  }

  /** The value of argument register `n` (0-based) at a call. */
  argument(site: CallSite, n: number): Value {
    return this.registers(site.fn, site.index).get(ARGUMENT_REGISTERS[n])!;
  }

  /** Can a probe sit at the instruction after the call and see the caller's registers? */
  afterCallOk(site: CallSite): boolean {
    return !site.tail && site.index + 1 < site.fn.instructions.length && fallsThroughOnly(site.fn, site.index + 1, this.targets);
  }

  /** A unique event name: the base and how many probes already carry it. */
  name(base: string): string {
    const n = this.counters.get(base) ?? 0;
    this.counters.set(base, n + 1);
    return `${base}_${n}`;
  }

  /** A probe in dm-mod at instruction `index` of `fn`. */
  add(base: string, vocabulary: string, fn: DisassembledFunction, index: number, args: ProbeArg[], site: string, filter?: ProbeFilter): void {
    const insn = fn.instructions[index];
    this.set.probes.push({
      event: this.name(base),
      vocabulary,
      kind: 'p',
      module: MODULE,
      symbol: fn.name,
      offset: insn.address - fn.address,
      args,
      filter,
      site,
    });
  }

  /** `name=fetch:type` when the value is fetchable at the probe point; else records what is missing. */
  arg(name: string, value: Value, regs: Registers, type: ArgType, missing: string[]): ProbeArg | undefined {
    const fetch = fetchFor(value, regs);
    if (!fetch) {
      missing.push(name);
      return undefined;
    }
    return { name, fetch, type: fetch.startsWith('\\"') ? 'string' : type };
  }

  /** `function+0xOFF` of a call site, for the messages. */
  where(site: CallSite): string {
    const insn = site.fn.instructions[site.index];
    return `${site.fn.name}+0x${(insn.address - site.fn.address).toString(16)}`;
  }

  /** A probe at the entry of a function (dm-mod's unless `kernel`). */
  entry(fnName: string, vocabulary: string, args: ProbeArg[], site: string, kernel = false): void {
    this.set.probes.push({ event: this.name(vocabulary), vocabulary, kind: 'p', module: kernel ? undefined : MODULE, symbol: fnName, offset: 0, args, site });
  }
}

/** `0x90(%rdi)` -> {offset 0x90, reg di}; undefined for anything else. */
export function memoryOperand(op: string | undefined): { offset: number; reg: string } | undefined {
  const m = op ? /^(-?0x[0-9a-f]+)?\((%[a-z0-9]+)\)$/.exec(op) : null;
  if (!m) return undefined;
  const reg = canonicalRegister(m[2]);
  if (!reg) return undefined;
  return { offset: m[1] ? parseInt(m[1], 16) * (m[1].startsWith('-') ? -1 : 1) : 0, reg };
}
