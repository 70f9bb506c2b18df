// Reads the text of `objdump -drt MODULE.ko` (x86-64, AT&T syntax): the symbol
// table, and each function's instructions with the relocations that name what
// they refer to (the callee of a `call`, the variable behind a `$0x0`). The
// kit works on this text only, so it runs on any machine with binutils and the
// tests can feed it a disassembly they wrote themselves.

export interface Relocation {
  /** `R_X86_64_PLT32`, `R_X86_64_32S`, ... */
  type: string;
  /** The symbol or section the relocation names (`idr_alloc`, `.data`). */
  target: string;
  /** The addend as printed (`-0x4` -> -4, `+0x180` -> 384). */
  addend: number;
}

export interface Instruction {
  /** Address inside the section. */
  address: number;
  /** Length in bytes (from the byte columns, continuation lines included). */
  length: number;
  mnemonic: string;
  /** Operands as printed, split at top-level commas; the `# comment` and `<sym+off>` annotations dropped. */
  operands: string[];
  /** The branch or call target address objdump printed (`call 3f30 <cleanup_mapped_device>`), if any. */
  target?: number;
  /** The function that annotation names when it is a function start (`<cleanup_mapped_device>`). */
  targetSymbol?: string;
  relocations: Relocation[];
  /** 1-based line of the disassembly text (for diagnostics). */
  line: number;
}

export interface DisassembledFunction {
  name: string;
  section: string;
  address: number;
  instructions: Instruction[];
}

export interface SymbolEntry {
  name: string;
  section: string;
  value: number;
  /** `l` local, `g` global, ... as printed. */
  binding: string;
}

export interface Disassembly {
  functions: Map<string, DisassembledFunction>;
  symbols: SymbolEntry[];
  diagnostics: { line: number; column: number; message: string }[];
}

const FUNCTION_HEADER = /^([0-9a-f]+) <([^>]+)>:\s*$/;
const INSTRUCTION = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*(?:\t(.*))?$/;
const RELOCATION = /^\s*([0-9a-f]+): (R_[A-Z0-9_]+)\t(.+?)\s*$/;
const SYMBOL_LINE = /^([0-9a-f]{8,16}) (.)(.{6}) (\S+)\t([0-9a-f]+)\s+(?:\.hidden\s+)?(\S+)\s*$/;
const SECTION_HEADER = /^Disassembly of section (\S+):\s*$/;

export function parseObjdump(text: string): Disassembly {
  const out: Disassembly = { functions: new Map(), symbols: [], diagnostics: [] };
  const lines = text.split(/\r?\n/);
  let section = '';
  let inSymbols = false;
  let fn: DisassembledFunction | undefined;
  let last: Instruction | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const lineNo = i + 1;
    if (line.trim() === '') {
      inSymbols = false;
      continue;
    }
    if (line.startsWith('SYMBOL TABLE:')) {
      inSymbols = true;
      continue;
    }
    if (inSymbols) {
      const m = SYMBOL_LINE.exec(line);
      if (m) out.symbols.push({ name: m[6], section: m[4], value: parseInt(m[1], 16), binding: m[2].trim() });
      continue;
    }
    let m = SECTION_HEADER.exec(line);
    if (m) {
      section = m[1];
      fn = undefined;
      last = undefined;
      continue;
    }
    m = FUNCTION_HEADER.exec(line);
    if (m) {
      fn = { name: m[2], section, address: parseInt(m[1], 16), instructions: [] };
      // a name seen twice (two sections) keeps its first body: kprobes name the first one too
      if (!out.functions.has(fn.name)) out.functions.set(fn.name, fn);
      last = undefined;
      continue;
    }
    m = RELOCATION.exec(line);
    if (m) {
      if (!last) {
        out.diagnostics.push({ line: lineNo, column: 1, message: 'relocation outside an instruction' });
        continue;
      }
      last.relocations.push(parseRelocation(m[2], m[3]));
      continue;
    }
    m = INSTRUCTION.exec(line);
    if (m) {
      const bytes = m[2].trim().split(' ').length;
      const address = parseInt(m[1], 16);
      if (m[3] === undefined || m[3].trim() === '') {
        // a continuation of the previous instruction's bytes
        if (last && address === last.address + last.length) last.length += bytes;
        continue;
      }
      if (!fn) {
        out.diagnostics.push({ line: lineNo, column: 1, message: 'instruction before any function header' });
        continue;
      }
      last = { address, length: bytes, line: lineNo, relocations: [], ...parseAssembly(m[3]) };
      fn.instructions.push(last);
      continue;
    }
    if (/^\s*[0-9a-f]+:/.test(line)) out.diagnostics.push({ line: lineNo, column: 1, message: `unrecognised disassembly line: ${line.trim().slice(0, 60)}` });
  }
  return out;
}

function parseRelocation(type: string, text: string): Relocation {
  const m = /^(.*?)([+-]0x[0-9a-f]+)?$/.exec(text)!;
  return { type, target: m[1], addend: m[2] ? parseInt(m[2], 16) : 0 };
}

function parseAssembly(text: string): { mnemonic: string; operands: string[]; target?: number; targetSymbol?: string } {
  let s = text.replace(/\s+#.*$/, '').trim();
  let target: number | undefined;
  let targetSymbol: string | undefined;
  const annotation = /\s*<([^>]*)>\s*$/.exec(s);
  if (annotation) {
    s = s.slice(0, annotation.index).trim();
    if (!/[+-]0x[0-9a-f]+$/.test(annotation[1])) targetSymbol = annotation[1];
  }
  // prefixes stay in the mnemonic: `lock incl`, `rep stos`
  const parts = s.split(/\s+/);
  let k = 0;
  const prefixes: string[] = [];
  while (k < parts.length - 1 && /^(lock|rep|repz|repnz|repe|repne|notrack|bnd|cs|ds|data16|addr32)$/.test(parts[k])) prefixes.push(parts[k++]);
  const mnemonic = [...prefixes, parts[k] ?? ''].join(' ');
  const operandText = parts.slice(k + 1).join(' ');
  const operands = splitOperands(operandText);
  if (/^(call|jmp|j[a-z]+)$/.test(parts[k] ?? '') && operands.length === 1 && /^[0-9a-f]+$/.test(operands[0])) target = parseInt(operands[0], 16);
  return { mnemonic, operands, target, targetSymbol };
}

function splitOperands(text: string): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** The symbol a data relocation names: `.bss+0x50` -> `_minor_lock` through the symbol table, a named symbol as it is. */
export function symbolOf(d: Disassembly, r: Relocation): string | undefined {
  if (!r.target.startsWith('.')) return r.addend === 0 ? r.target : undefined;
  const hit = d.symbols.find((s) => s.section === r.target && s.value === r.addend && !s.name.startsWith('.'));
  return hit?.name;
}
