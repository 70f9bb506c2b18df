// What a register holds at an instruction, as a kprobe can fetch it. The
// registers are followed through the straight-line code before the probe
// point (its basic block): a `mov` copies a value, a load from `OFF(%reg)`
// makes a dereference, a `$0x0` with a data relocation is a symbol's address,
// and a call clobbers the caller-saved registers (the callee-saved ones, rbx
// rbp r12-r15, still hold what the caller kept there). A value is then
// fetched from whichever register holds it at the probe point, or rebuilt as
// `+OFF(%reg)`; anything else is unknown, never guessed.

import { symbolOf, type DisassembledFunction, type Disassembly, type Instruction } from './objdump';

export type Value =
  | { kind: 'entry'; reg: string }
  | { kind: 'imm'; value: bigint }
  | { kind: 'sym'; name: string }
  | { kind: 'deref'; offset: number; base: Value }
  | { kind: 'result'; address: number }
  /** Written by the instruction at `at` into `reg` in a way the kit does not follow. */
  | { kind: 'unknown'; at: number; reg: string };

export type Registers = Map<string, Value>;

const CALLER_SAVED = ['ax', 'cx', 'dx', 'si', 'di', 'r8', 'r9', 'r10', 'r11'];
/** The registers a call passes its arguments in, in order. */
export const ARGUMENT_REGISTERS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'];

/** `%rdi`, `%edi`, `%di`, `%dil` -> `di`; `%r8d` -> `r8`; undefined for anything that is not a general register. */
export function canonicalRegister(operand: string): string | undefined {
  const m = /^%([a-z0-9]+)$/.exec(operand);
  if (!m) return undefined;
  const r = m[1];
  const numbered = /^r(8|9|1[0-5])[dwb]?$/.exec(r);
  if (numbered) return 'r' + numbered[1];
  const legacy = /^[re]?(ax|bx|cx|dx|si|di|bp|sp)$/.exec(r) ?? /^(a|b|c|d)[lh]$/.exec(r) ?? /^(si|di|bp|sp)l$/.exec(r);
  if (!legacy) return undefined;
  const base = legacy[1];
  return base.length === 1 ? base + 'x' : base;
}

/** Addresses that some jump lands on, per section: a block never runs on across one. */
export function branchTargets(d: Disassembly): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const add = (section: string, address: number) => {
    let s = out.get(section);
    if (!s) out.set(section, (s = new Set()));
    s.add(address);
  };
  for (const fn of d.functions.values()) {
    for (const insn of fn.instructions) {
      if (!insn.mnemonic.startsWith('j')) continue;
      const pcRelative = insn.relocations.find((r) => r.type === 'R_X86_64_PC32' && r.target.startsWith('.'));
      // a jump between hot and cold parts is a PC-relative relocation to the other section (target = addend + 4)
      if (pcRelative) add(pcRelative.target, pcRelative.addend + 4);
      else if (insn.target !== undefined && insn.relocations.length === 0) add(fn.section, insn.target);
    }
  }
  return out;
}

/** Does the instruction end a block (control never falls through it)? */
function endsBlock(insn: Instruction): boolean {
  return /^(jmp|ret|ud2|int3)/.test(insn.mnemonic);
}

/** The index of the first instruction of the block that holds instruction `index`. */
export function blockStart(fn: DisassembledFunction, index: number, targets: Map<string, Set<number>>): number {
  const landing = targets.get(fn.section);
  let k = index;
  while (k > 0 && !landing?.has(fn.instructions[k].address) && !endsBlock(fn.instructions[k - 1])) k--;
  return k;
}

/** Is instruction `index` reached only by falling through from the instruction before it? */
export function fallsThroughOnly(fn: DisassembledFunction, index: number, targets: Map<string, Set<number>>): boolean {
  return index > 0 && !targets.get(fn.section)?.has(fn.instructions[index].address) && !endsBlock(fn.instructions[index - 1]);
}

/** The registers just before instruction `index` runs, in terms of the registers at its block's start. */
export function registersBefore(d: Disassembly, fn: DisassembledFunction, index: number, targets: Map<string, Set<number>>): Registers {
  const regs: Registers = new Map();
  const start = blockStart(fn, index, targets);
  for (const r of [...CALLER_SAVED, 'bx', 'bp', 'r12', 'r13', 'r14', 'r15']) regs.set(r, { kind: 'entry', reg: r });
  for (let k = start; k < index; k++) step(d, fn.instructions[k], regs);
  return regs;
}

/** A value the kit cannot name; identified by where it was written, so copies of it are still followed. */
function unknown(at: number, reg: string): Value {
  return { kind: 'unknown', at, reg };
}
const NO_WRITE = /^(lock )?(test|cmp|bt|push|nop|j|ud2|ret|int3|endbr|prefetch|clflush|lfence|mfence|sfence|pause)/;
const IMPLICIT_WRITERS = /^(cmpxchg|lock cmpxchg|cltq|cqto|cltd|cwtl|mul|div|idiv|rdtsc|rdmsr|cpuid|rep|xchg|lock xadd|xadd|syscall)/;

function step(d: Disassembly, insn: Instruction, regs: Registers): void {
  const m = insn.mnemonic;
  if (m === 'call') {
    // the ftrace hook at a function's start saves and restores every register
    if (insn.relocations.some((r) => r.target === '__fentry__')) return;
    for (const r of CALLER_SAVED) regs.set(r, unknown(insn.address, r));
    regs.set('ax', { kind: 'result', address: insn.address });
    return;
  }
  if (IMPLICIT_WRITERS.test(m)) {
    for (const r of ['ax', 'dx', 'cx', 'si', 'di']) regs.set(r, unknown(insn.address, r));
  }
  const dest = writtenRegister(insn);
  if (!dest) return;
  regs.set(dest, valueWritten(d, insn, regs, dest));
}

/** The register an instruction writes explicitly (its last operand), if any. */
export function writtenRegister(insn: Instruction): string | undefined {
  if (NO_WRITE.test(insn.mnemonic) || insn.mnemonic === 'call') return undefined;
  const ops = insn.operands;
  return ops.length > 0 ? canonicalRegister(ops[ops.length - 1]) : undefined;
}

function valueWritten(d: Disassembly, insn: Instruction, regs: Registers, dest: string): Value {
  const unknown = () => ({ kind: 'unknown', at: insn.address, reg: dest }) as Value;
  const m = insn.mnemonic;
  const ops = insn.operands;
  if (ops.length === 2 && /^xor[lq]?$/.test(m) && canonicalRegister(ops[0]) === canonicalRegister(ops[1])) return { kind: 'imm', value: 0n };
  if (ops.length !== 2 || !/^(mov|movl|movq|movabs|movslq)$/.test(m)) return unknown();
  const src = ops[0];
  const srcReg = canonicalRegister(src);
  if (srcReg) return regs.get(srcReg) ?? unknown();
  if (src.startsWith('$')) {
    const data = insn.relocations.find((r) => r.type === 'R_X86_64_32S' || r.type === 'R_X86_64_32' || r.type === 'R_X86_64_64');
    if (data) {
      const name = symbolOf(d, data);
      return name ? { kind: 'sym', name } : unknown();
    }
    const imm = /^\$(-?0x[0-9a-f]+|-?\d+)$/.exec(src);
    if (!imm) return unknown();
    let v = BigInt(imm[1].replace('-', ''));
    if (imm[1].startsWith('-')) v = -v;
    // a 32-bit destination zero-extends; a 64-bit `mov $imm32` sign-extends (objdump prints the extended value)
    return { kind: 'imm', value: v };
  }
  const mem = /^(-?0x[0-9a-f]+)?\((%[a-z0-9]+)\)$/.exec(src);
  if (mem) {
    const base = canonicalRegister(mem[2]);
    if (!base) return unknown();
    const offset = mem[1] ? parseInt(mem[1], 16) * (mem[1].startsWith('-') ? -1 : 1) : 0;
    return { kind: 'deref', offset, base: regs.get(base) ?? unknown() };
  }
  return unknown();
}

/** The register that holds `value` in `regs`, preferring callee-saved ones (they survive a call). */
export function registerHolding(regs: Registers, value: Value): string | undefined {
  let found: string | undefined;
  for (const [r, v] of regs) {
    if (!sameValue(v, value)) continue;
    if (!CALLER_SAVED.includes(r)) return r;
    found ??= r;
  }
  return found;
}

function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'entry':
      return a.reg === (b as typeof a).reg;
    case 'imm':
      return a.value === (b as typeof a).value;
    case 'sym':
      return a.name === (b as typeof a).name;
    case 'result':
      return a.address === (b as typeof a).address;
    case 'unknown':
      return a.at === (b as typeof a).at && a.reg === (b as typeof a).reg;
    case 'deref':
      return a.offset === (b as typeof a).offset && sameValue(a.base, (b as typeof a).base);
  }
}

/**
 * A kprobe fetch argument for `value` at a point whose registers are `regs`:
 * `%bx`, `+0x58(%bx)`, `\0xffffffffffffffff`, `\"_minor_lock"`; undefined when no
 * register or dereference of one holds it there.
 */
export function fetchFor(value: Value, regs: Registers): string | undefined {
  // a constant is printed as what it is, whichever register holds it
  if (value.kind === 'imm') return '\\' + hex64(value.value);
  if (value.kind === 'sym') return `\\"${value.name}"`;
  const reg = registerHolding(regs, value);
  if (reg) return '%' + reg;
  switch (value.kind) {
    case 'deref': {
      const base = fetchFor(value.base, regs);
      if (!base || base.startsWith('\\')) return undefined;
      return `${value.offset < 0 ? '-' : '+'}0x${Math.abs(value.offset).toString(16)}(${base})`;
    }
    default:
      return undefined;
  }
}

function hex64(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return '0x' + u.toString(16);
}
