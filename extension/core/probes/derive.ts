// From dm-mod's disassembly to the probe definitions of the whole vocabulary.
//
// lib/idr.c is notrace in distribution kernels and several dm functions are
// inlined, so most events are recorded at call sites inside dm-mod, found
// from the relocation that names the callee: arguments are read at the call
// (registers di si dx cx r8 r9), results at the instruction after it (ax),
// where the callee-saved registers still hold what the caller kept. Struct
// offsets (mapped_device->holders, bdev->bd_disk, disk->private_data) are read from the
// instructions that use them, never assumed.

import {
  ARGUMENT_REGISTERS,
  blockStart,
  branchTargets,
  canonicalRegister,
  fallsThroughOnly,
  fetchFor,
  registersBefore,
  writtenRegister,
  type Registers,
  type Value,
} from './dataflow';
import { GROUP, type ArgType, type ProbeArg, type ProbeFilter, type ProbeSet } from './model';
import { parseObjdump, type DisassembledFunction, type Disassembly } from './objdump';

const MODULE = 'dm_mod';
/** The locks of the dm races, by the name of their variable, and the acquire/release functions that take them. */
const LOCKS = ['_minor_lock', '_hash_lock'];
const LOCK_FUNCTIONS: Record<string, { event: string; acquire: boolean }> = {
  _raw_spin_lock: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_irq: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_irqsave: { event: 'spin_lock', acquire: true },
  _raw_spin_lock_bh: { event: 'spin_lock', acquire: true },
  _raw_spin_unlock: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_irq: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_irqrestore: { event: 'spin_unlock', acquire: false },
  _raw_spin_unlock_bh: { event: 'spin_unlock', acquire: false },
  mutex_lock: { event: 'mutex_lock', acquire: true },
  mutex_unlock: { event: 'mutex_unlock', acquire: false },
  down_read: { event: 'down_read', acquire: true },
  down_write: { event: 'down_write', acquire: true },
  up_read: { event: 'up_read', acquire: false },
  up_write: { event: 'up_write', acquire: false },
};
const ALLOCATORS = /^(kzalloc|kvzalloc|kvmalloc|kmalloc|__kmalloc|__kvmalloc|kmem_cache_alloc|kmalloc_trace)(_node)?(_trace)?$/;
const FREES = /^(kfree|kvfree|kmem_cache_free)$/;
/** Calls that initialise a field of a structure in place (`init_waitqueue_head(&md->wait)`, `mutex_init`, `init_rwsem`). */
const INITIALISERS = /^(__init_waitqueue_head|__mutex_init|__init_rwsem)$/;
/** The calls that register the gendisk, and which argument is the disk. */
const ADD_DISK_CALLS = [['device_add_disk', 1], ['add_disk', 0]] as const;
/** The registers a call leaves as they were (the System V x86-64 ABI). */
const CALLEE_SAVED = ['bx', 'bp', 'r12', 'r13', 'r14', 'r15'];

interface CallSite {
  fn: DisassembledFunction;
  index: number;
  /** A `jmp` to the callee: nothing of the caller runs after it. */
  tail: boolean;
}

export function deriveProbes(disassemblyText: string): ProbeSet {
  const d = parseObjdump(disassemblyText);
  return new Deriver(d).run();
}

class Deriver {
  private readonly targets: Map<string, Set<number>>;
  private readonly set: ProbeSet;
  private readonly counters = new Map<string, number>();

  constructor(private readonly d: Disassembly) {
    this.targets = branchTargets(d);
    this.set = { group: GROUP, probes: [], tracepoints: [], header: [], unplaced: [], partial: [], derived: [], offsets: {}, diagnostics: [...d.diagnostics] };
  }

  run(): ProbeSet {
    if (this.d.functions.size === 0) {
      this.set.diagnostics.push({ line: 1, column: 1, message: 'no disassembled function: expected the output of `objdump -drt dm-mod.ko`' });
      return this.set;
    }
    const layout = this.layout();
    this.locks();
    this.idr();
    this.mdLifetime();
    this.references(layout);
    this.opens(layout);
    this.addDisk(layout);
    this.moduleEvents();
    this.tasks();
    this.notPlaced();
    return this.set;
  }

  // ---- layout ---------------------------------------------------------------

  /** mapped_device->holders from dm_get's atomic increment; bd_disk and private_data from dm_blk_open's and dm_blk_close's loads. */
  private layout(): { holders?: number; bdDisk?: number; privateData?: number } {
    const out: { holders?: number; bdDisk?: number; privateData?: number } = {};
    const get = this.d.functions.get('dm_get');
    const inc = get?.instructions.find((i) => /^lock (inc|add)l$/.test(i.mnemonic) && memoryOperand(i.operands[i.operands.length - 1])?.reg === 'di');
    if (inc) out.holders = memoryOperand(inc.operands[inc.operands.length - 1])!.offset;
    const open = this.firstLoadChain('dm_blk_open', 2);
    if (open) [out.bdDisk, out.privateData] = open;
    const close = this.firstLoadChain('dm_blk_close', 1);
    if (close) {
      if (out.privateData !== undefined && out.privateData !== close[0]) {
        this.set.partial.push(`dm_blk_open reads private_data at 0x${out.privateData.toString(16)}, dm_blk_close at 0x${close[0].toString(16)}: using dm_blk_close's`);
      }
      out.privateData = close[0];
    }
    this.offset('mapped_device->holders', out.holders, "dm_get's atomic increment");
    this.offset('block_device->bd_disk', out.bdDisk, 'dm_blk_open');
    this.offset('gendisk->private_data', out.privateData, 'dm_blk_close');
    return out;
  }

  private offset(field: string, value: number | undefined, source: string): void {
    if (value === undefined) return;
    this.set.offsets[field] = value;
    this.set.derived.push(`${field} at 0x${value.toString(16)} (${source})`);
  }

  /** The offsets of the first chain of `depth` loads from the function's first argument (`+0x58(+0x358(%di))` -> [0x358, 0x58]). */
  private firstLoadChain(name: string, depth: number): number[] | undefined {
    const fn = this.d.functions.get(name);
    if (!fn) return undefined;
    for (let k = 1; k <= fn.instructions.length; k++) {
      if (blockStart(fn, k - 1, this.targets) !== 0) return undefined;
      const regs = registersBefore(this.d, fn, k, this.targets);
      for (const v of regs.values()) {
        const chain = loadChain(v);
        if (chain && chain.length === depth) return chain;
      }
      if (k < fn.instructions.length && /^(jmp|ret)/.test(fn.instructions[k].mnemonic)) return undefined;
    }
    return undefined;
  }

  // ---- sites ----------------------------------------------------------------

  private callSites(callee: string): CallSite[] {
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

  private registers(fn: DisassembledFunction, index: number): Registers {
    return registersBefore(this.d, fn, index, this.targets);
  }

  /** The value of argument register `n` (0-based) at a call. */
  private argument(site: CallSite, n: number): Value {
    return this.registers(site.fn, site.index).get(ARGUMENT_REGISTERS[n])!;
  }

  /** Can a probe sit at the instruction after the call and see the caller's registers? */
  private afterCallOk(site: CallSite): boolean {
    return !site.tail && site.index + 1 < site.fn.instructions.length && fallsThroughOnly(site.fn, site.index + 1, this.targets);
  }

  private name(base: string): string {
    const n = this.counters.get(base) ?? 0;
    this.counters.set(base, n + 1);
    return `${base}_${n}`;
  }

  private add(base: string, vocabulary: string, fn: DisassembledFunction, index: number, args: ProbeArg[], site: string, filter?: ProbeFilter): void {
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
  private arg(name: string, value: Value, regs: Registers, type: ArgType, missing: string[]): ProbeArg | undefined {
    const fetch = fetchFor(value, regs);
    if (!fetch) {
      missing.push(name);
      return undefined;
    }
    return { name, fetch, type: fetch.startsWith('\\"') ? 'string' : type };
  }

  private where(site: CallSite): string {
    const insn = site.fn.instructions[site.index];
    return `${site.fn.name}+0x${(insn.address - site.fn.address).toString(16)}`;
  }

  // ---- locks ----------------------------------------------------------------

  private locks(): void {
    const kinds = new Map<string, string>();
    for (const [callee, what] of Object.entries(LOCK_FUNCTIONS)) {
      for (const site of this.callSites(callee)) {
        const lock = this.argument(site, 0);
        if (lock.kind !== 'sym' || !LOCKS.includes(lock.name)) continue;
        kinds.set(lock.name, what.event.startsWith('spin') ? 'spin' : what.event.startsWith('mutex') ? 'mutex' : 'rwsem');
        const arg: ProbeArg = { name: 'lock', fetch: `\\"${lock.name}"`, type: 'string' };
        if (!what.acquire) {
          this.add(what.event, what.event, site.fn, site.index, [arg], `${callee} of ${lock.name} at ${this.where(site)} (before the release)`);
        } else if (this.afterCallOk(site)) {
          this.add(what.event, what.event, site.fn, site.index + 1, [arg], `${callee} of ${lock.name} at ${this.where(site)} (once held: the instruction after the call)`);
        } else {
          this.set.partial.push(`${what.event} of ${lock.name} at ${this.where(site)} not placed: the instruction after the call is reached from elsewhere too (or it is a tail call)`);
        }
      }
    }
    for (const lock of LOCKS) {
      const kind = kinds.get(lock);
      if (kind === 'spin' || kind === 'mutex') this.set.header.push({ text: `!lock ${lock} ${kind}` });
    }
  }

  // ---- idr --------------------------------------------------------------------

  private idr(): void {
    for (const callee of ['idr_alloc', 'idr_alloc_u32', 'idr_alloc_cyclic']) {
      this.afterCall(callee, 'idr_alloc', 'idr_get_new', [['idr', 'x64'], ['ptr', 'x64']], ['minor', 's32'], { arg: 'minor', op: '>=', value: 0 });
    }
    this.afterCall('idr_find', 'idr_find', 'idr_find', [['idr', 'x64'], ['minor', 's32']], ['ret', 'x64']);
    this.atCall('idr_replace', 'idr_replace', [['idr', 'x64'], ['ptr', 'x64'], ['minor', 's32']]);
    this.atCall('idr_remove', 'idr_remove', [['idr', 'x64'], ['minor', 's32']]);
    this.atCall('idr_preload', 'idr_pre_get', [['gfp', 'x32']]);
  }

  /** One probe at each call of `callee`, the arguments read from the calling convention. */
  /**
   * A probe at the instruction after each call of `callee`: the arguments from where the caller kept
   * them (callee-saved registers), and the call's result (%ax) as `result`.
   */
  private afterCall(callee: string, base: string, vocabulary: string, params: [string, ArgType][], [result, resultType]: [string, ArgType], filter?: ProbeFilter): void {
    for (const site of this.callSites(callee)) {
      if (!this.afterCallOk(site)) {
        this.set.partial.push(`${callee} at ${this.where(site)}: the instruction after the call is reached from elsewhere too; not placed`);
        continue;
      }
      const regs = this.registers(site.fn, site.index + 1);
      const missing: string[] = [];
      const args = [
        ...params.map(([name, type], n) => this.arg(name, this.argument(site, n), regs, type, missing)),
        { name: result, fetch: '%ax', type: resultType },
      ].filter((a): a is ProbeArg => !!a);
      if (missing.length) this.set.partial.push(`${callee} at ${this.where(site)}: ${missing.join(', ')} not recoverable after the call`);
      this.add(base, vocabulary, site.fn, site.index + 1, args, `after the call of ${callee} at ${this.where(site)} (${result} = its result)`, filter);
    }
  }

  private atCall(callee: string, vocabulary: string, params: [string, ArgType][]): void {
    for (const site of this.callSites(callee)) {
      const regs = this.registers(site.fn, site.index);
      const missing: string[] = [];
      // at the call the argument registers hold the arguments; a constant is printed as itself
      const args = params.map(([name, type], n): ProbeArg => {
        const value = this.argument(site, n);
        return this.arg(name, value, regs, type, missing) ?? { name, fetch: '%' + ARGUMENT_REGISTERS[n], type };
      });
      this.add(callee, vocabulary, site.fn, site.index, args, `at the call of ${callee} at ${this.where(site)}`);
    }
  }

  // ---- md lifetime ---------------------------------------------------------------

  /**
   * md_init_done in a build that never publishes the md with idr_replace (the minor reserved with
   * the md itself): the point where the creating function hands its complete md to its caller, i.e.
   * the store (`*result = md`) of the callee-saved register that kept the allocator's result, in the
   * block that returns. The register must hold the md all the way there (no other write to it).
   */
  private initDoneAtHandOver(create: DisassembledFunction, allocIndex: number): boolean {
    if (allocIndex < 0) return false;
    const insns = create.instructions;
    let kept: string | undefined;
    for (let k = allocIndex + 1; k < insns.length && !kept; k++) {
      const insn = insns[k];
      if (insn.mnemonic === 'call' || insn.mnemonic.startsWith('j') || (writtenRegister(insn) === 'ax' && !insn.mnemonic.startsWith('mov'))) break;
      const dest = insn.operands.length === 2 ? canonicalRegister(insn.operands[1]) : undefined;
      if (/^movq?$/.test(insn.mnemonic) && canonicalRegister(insn.operands[0]) === 'ax' && dest && CALLEE_SAVED.includes(dest)) kept = dest;
    }
    if (!kept) return false;
    for (let k = insns.findIndex((i, n) => n > allocIndex && writtenRegister(i) === kept) + 1; k > 0 && k < insns.length; k++) {
      const insn = insns[k];
      if (writtenRegister(insn) === kept) return false;
      const store = /^movq?$/.test(insn.mnemonic) && insn.operands.length === 2 && canonicalRegister(insn.operands[0]) === kept && /\(%[a-z0-9]+\)$/.test(insn.operands[1]);
      if (store && this.returnsStraight(create, k + 1)) {
        const site = { fn: create, index: k, tail: false };
        this.add('md_init_done', 'md_init_done', create, k, [{ name: 'md', fetch: '%' + kept, type: 'x64' }], `at the store of the md to the caller at ${this.where(site)} (no idr_replace publishes it: the end of the inlined alloc_dev)`);
        return true;
      }
    }
    return false;
  }

  /**
   * md_init_done in a build that initialises part of the md only after registering its disk: the
   * function that calls add_disk initialises fields of the md after the call (`init_waitqueue_head(&md->FIELD)`
   * and the like: `lea FIELD(%REG),%rdi` with REG the callee-saved register the add_disk's md came from,
   * not written in between). Initialisation ends after the last of those calls, so md_init_done goes at
   * the instruction after it. Stock 6.1 initialises every field in alloc_dev: no such call, nothing placed.
   */
  private initDoneAfterAddDisk(): boolean {
    for (const [callee, diskArg] of ADD_DISK_CALLS) {
      for (const site of this.callSites(callee)) {
        const disk = this.argument(site, diskArg);
        const md = disk.kind === 'deref' ? fetchFor(disk.base, this.registers(site.fn, site.index)) : undefined;
        const reg = md?.startsWith('%') ? md.slice(1) : undefined;
        if (!reg || !CALLEE_SAVED.includes(reg)) continue;
        const insns = site.fn.instructions;
        let last = -1;
        for (let k = site.index + 1; k < insns.length; k++) {
          if (writtenRegister(insns[k]) === reg) break;
          if (insns[k].mnemonic !== 'call' || !insns[k].relocations.some((r) => INITIALISERS.test(r.target))) continue;
          const setsFirstArgument = insns.slice(site.index + 1, k).reverse().find((i) => writtenRegister(i) === 'di');
          if (setsFirstArgument?.mnemonic === 'lea' && memoryOperand(setsFirstArgument.operands[0])?.reg === reg) last = k;
        }
        const after: CallSite = { fn: site.fn, index: last, tail: false };
        if (last < 0 || !this.afterCallOk(after)) continue;
        const field = insns[last].relocations.find((r) => INITIALISERS.test(r.target))!.target;
        this.add('md_init_done', 'md_init_done', site.fn, last + 1, [{ name: 'md', fetch: md!, type: 'x64' }], `after the last initialisation of a field of the md (${field} at ${this.where(after)}), which this build does after ${callee} at ${this.where(site)}`);
        return true;
      }
    }
    return false;
  }

  /** Does the code from `index` run straight (no call, no branch, no landing) to the function's return? */
  private returnsStraight(fn: DisassembledFunction, index: number): boolean {
    for (let k = index; k < fn.instructions.length; k++) {
      const insn = fn.instructions[k];
      if (k > index && !fallsThroughOnly(fn, k, this.targets)) return false;
      if (insn.mnemonic.startsWith('ret') || (insn.mnemonic === 'jmp' && insn.relocations.some((r) => r.target === '__x86_return_thunk'))) return true;
      if (insn.mnemonic === 'call' || insn.mnemonic.startsWith('j')) return false;
    }
    return false;
  }

  /** md_alloc, md_init_done (in the function that creates the md: the one with the idr_alloc), free_dev. */
  private mdLifetime(): void {
    const firstAlloc = this.callSites('idr_alloc')[0] ?? this.callSites('idr_alloc_u32')[0];
    const create = firstAlloc?.fn;
    if (!create || !firstAlloc) {
      this.set.unplaced.push({ vocabulary: 'md_alloc', reason: 'no call of idr_alloc in this dm-mod: the function that creates the md is not found' });
      this.set.unplaced.push({ vocabulary: 'md_init_done', reason: 'no function that creates the md' });
    } else {
      const allocIndex = create.instructions.findIndex((insn, k) => k < firstAlloc.index && insn.mnemonic === 'call' && insn.relocations.some((r) => ALLOCATORS.test(r.target)));
      const allocator = allocIndex >= 0 ? create.instructions[allocIndex].relocations.find((r) => ALLOCATORS.test(r.target))!.target : undefined;
      const site: CallSite | undefined = allocIndex >= 0 ? { fn: create, index: allocIndex, tail: false } : undefined;
      if (site && this.afterCallOk(site)) {
        this.add('md_alloc', 'md_alloc', create, allocIndex + 1, [{ name: 'md', fetch: '%ax', type: 'x64' }], `after the call of ${allocator} in ${create.name} (the md's allocation)`, { arg: 'md', op: '!=', value: 0 });
      } else {
        this.set.unplaced.push({ vocabulary: 'md_alloc', reason: `no allocator call (kzalloc/kvmalloc/kmalloc...) before idr_alloc in ${create.name}, or its result is not at a probeable instruction` });
      }
      // init-done: where the last initialisation step ends; in stock 6.1 just before the idr_replace of
      // the md itself (not of MINOR_ALLOCED) in the creating function
      let initDone = this.initDoneAfterAddDisk();
      if (!initDone) for (const r of this.callSites('idr_replace').filter((s) => s.fn === create)) {
        const ptr = this.argument(r, 1);
        if (ptr.kind === 'imm' || ptr.kind === 'unknown' || !fallsThroughOnly(create, r.index, this.targets)) continue;
        const regs = this.registers(create, r.index - 1);
        const missing: string[] = [];
        const md = this.arg('md', ptr, regs, 'x64', missing);
        if (!md) continue;
        this.add('md_init_done', 'md_init_done', create, r.index - 1, [md], `just before the idr_replace that publishes the md at ${this.where(r)}`);
        initDone = true;
      }
      if (!initDone) initDone = this.initDoneAtHandOver(create, allocIndex);
      if (!initDone) this.set.unplaced.push({ vocabulary: 'md_init_done', reason: `no idr_replace of the md (a register, not MINOR_ALLOCED) in ${create.name}, and no store of the allocated md on its way out` });
    }
    // free_dev: the frees that follow an idr_remove in the same function (free_dev is inlined into its callers)
    let freed = false;
    const removers = new Map<DisassembledFunction, number>();
    for (const s of this.callSites('idr_remove')) if (!removers.has(s.fn)) removers.set(s.fn, s.index);
    for (const [fn, first] of removers) {
      fn.instructions.forEach((insn, index) => {
        // a tail call (`jmp kvfree`) frees too
        if (index <= first || (insn.mnemonic !== 'call' && insn.mnemonic !== 'jmp')) return;
        const callee = insn.relocations.find((r) => FREES.test(r.target))?.target;
        if (!callee) return;
        const site = { fn, index, tail: false };
        this.add('free_dev', 'free_dev', fn, index, [{ name: 'md', fetch: '%di', type: 'x64' }], `at the call of ${callee} after idr_remove at ${this.where(site)} (free_dev inlined)`);
        freed = true;
      });
    }
    if (!freed) this.set.unplaced.push({ vocabulary: 'free_dev', reason: 'no kfree/kvfree after an idr_remove in dm-mod' });
  }

  // ---- references ------------------------------------------------------------------

  /** dm_get/dm_put (their own bodies and the copies inlined elsewhere): the instruction after the atomic update of mapped_device->holders. */
  private references(layout: { holders?: number; privateData?: number }): void {
    if (layout.holders === undefined) {
      this.set.unplaced.push({ vocabulary: 'dm_get', reason: "dm_get has no `lock incl OFF(%rdi)`: mapped_device->holders's offset is unknown" });
      this.set.unplaced.push({ vocabulary: 'dm_put', reason: 'mapped_device->holders offset unknown (see dm_get)' });
      return;
    }
    const placed = { dm_get: 0, dm_put: 0 };
    for (const fn of this.d.functions.values()) {
      fn.instructions.forEach((insn, index) => {
        const m = /^lock (inc|dec|add|sub)l$/.exec(insn.mnemonic);
        if (!m) return;
        const mem = memoryOperand(insn.operands[insn.operands.length - 1]);
        if (!mem || mem.offset !== layout.holders) return;
        if ((m[1] === 'add' || m[1] === 'sub') && insn.operands[0] !== '$0x1') return;
        const event = m[1] === 'inc' || m[1] === 'add' ? 'dm_get' : 'dm_put';
        const own = fn.name === event;
        const regs = this.registers(fn, index);
        const base = regs.get(mem.reg)!;
        // an inlined copy counts when its md came from disk->private_data (dm_blk_close's put)
        const fromDisk = (base.kind === 'deref' && base.offset === layout.privateData) || this.lastWriteLoads(fn, index, mem.reg, layout.privateData);
        if (!own && !fromDisk) return;
        if (index + 1 >= fn.instructions.length || !fallsThroughOnly(fn, index + 1, this.targets)) return;
        const after = this.registers(fn, index + 1);
        const md = fetchFor(base, after);
        if (!md) return;
        const site = `after the atomic ${m[1]} of mapped_device->holders in ${fn.name}+0x${(insn.address - fn.address).toString(16)}${own ? '' : ` (${event} inlined)`}`;
        this.add(event, event, fn, index + 1, [
          { name: 'md', fetch: md, type: 'x64' },
          { name: 'holders', fetch: `+0x${layout.holders!.toString(16)}(${md})`, type: 's32' },
        ], site);
        placed[event]++;
      });
    }
    if (!placed.dm_get) this.set.unplaced.push({ vocabulary: 'dm_get', reason: 'no atomic increment of mapped_device->holders at a probeable instruction' });
    if (!placed.dm_put) this.set.unplaced.push({ vocabulary: 'dm_put', reason: 'no atomic decrement of mapped_device->holders at a probeable instruction' });
  }

  /** Is the last write to `reg` before instruction `index` (in address order) a load from offset `offset`? */
  private lastWriteLoads(fn: DisassembledFunction, index: number, reg: string, offset: number | undefined): boolean {
    if (offset === undefined) return false;
    for (let k = index - 1; k >= 0; k--) {
      const insn = fn.instructions[k];
      if (writtenRegister(insn) !== reg) continue;
      const src = memoryOperand(insn.operands[0]);
      return /^mov[q]?$/.test(insn.mnemonic) && src?.offset === offset;
    }
    return false;
  }

  // ---- opens -------------------------------------------------------------------------

  private opens(layout: { bdDisk?: number; privateData?: number }): void {
    const pd = layout.privateData;
    const hex = (n: number) => `0x${n.toString(16)}`;
    if (this.d.functions.has('dm_blk_open') && pd !== undefined && layout.bdDisk !== undefined) {
      const disk = `+${hex(layout.bdDisk)}(%di)`;
      this.entry('dm_blk_open', 'dm_blk_open', [
        { name: 'md', fetch: `+${hex(pd)}(${disk})`, type: 'x64' },
        { name: 'disk', fetch: disk, type: 'x64' },
      ], 'entry of dm_blk_open (md = bdev->bd_disk->private_data)');
    } else this.set.unplaced.push({ vocabulary: 'dm_blk_open', reason: 'dm_blk_open not found, or its loads of bd_disk/private_data not recognised' });
    if (this.d.functions.has('dm_blk_close') && pd !== undefined) {
      this.entry('dm_blk_close', 'dm_blk_close', [
        { name: 'md', fetch: `+${hex(pd)}(%di)`, type: 'x64' },
        { name: 'disk', fetch: '%di', type: 'x64' },
      ], 'entry of dm_blk_close (md = disk->private_data)');
    } else this.set.unplaced.push({ vocabulary: 'dm_blk_close', reason: 'dm_blk_close not found, or its load of private_data not recognised' });
  }

  private entry(fnName: string, vocabulary: string, args: ProbeArg[], site: string, kernel = false): void {
    this.set.probes.push({ event: this.name(vocabulary), vocabulary, kind: 'p', module: kernel ? undefined : MODULE, symbol: fnName, offset: 0, args, site });
  }

  private addDisk(layout: { privateData?: number }): void {
    let placed = false;
    for (const [callee, diskArg] of ADD_DISK_CALLS) {
      for (const site of this.callSites(callee)) {
        const regs = this.registers(site.fn, site.index);
        const disk = this.argument(site, diskArg);
        const diskFetch = fetchFor(disk, regs) ?? `%${ARGUMENT_REGISTERS[diskArg]}`;
        // md->disk loaded just before: the md is the base of that load; else disk->private_data
        let md = disk.kind === 'deref' ? fetchFor(disk.base, regs) : undefined;
        if (md && disk.kind === 'deref' && this.set.offsets['mapped_device->disk'] === undefined) this.offset('mapped_device->disk', disk.offset, `the load before ${callee}`);
        if (!md && layout.privateData !== undefined) md = `+0x${layout.privateData.toString(16)}(${diskFetch})`;
        if (!md) continue;
        this.add('add_disk', 'add_disk', site.fn, site.index, [
          { name: 'md', fetch: md, type: 'x64' },
          { name: 'disk', fetch: diskFetch, type: 'x64' },
        ], `at the call of ${callee} at ${this.where(site)}`);
        placed = true;
      }
    }
    if (!placed) this.set.unplaced.push({ vocabulary: 'add_disk', reason: 'no call of device_add_disk/add_disk in dm-mod' });
  }

  // ---- module and tasks ----------------------------------------------------------------

  private moduleEvents(): void {
    const self = { name: '__this_module', module: MODULE };
    for (const [fn, vocabulary] of [['try_module_get', 'module_get'], ['__module_get', 'module_get'], ['module_put', 'module_put']] as const) {
      this.set.probes.push({
        event: this.name(vocabulary),
        vocabulary,
        kind: 'p',
        symbol: fn,
        offset: 0,
        args: [{ name: 'mod', fetch: '%di', type: 'x64' }],
        filter: { arg: 'mod', op: '==', value: self },
        site: `entry of ${fn}, filtered on dm_mod's struct module`,
      });
    }
    this.set.header.push({ text: `!owner ${MODULE}` });
    this.set.header.push({ alias: self, name: MODULE });
    // the syscall's pt_regs: its first argument (the name) is regs->di, at 0x70 on x86-64
    this.set.probes.push({ event: this.name('delete_module'), vocabulary: 'delete_module', kind: 'p', symbol: '__x64_sys_delete_module', offset: 0, args: [{ name: 'mod', fetch: '+0(+0x70(%di))', type: 'ustring' }], site: 'entry of the delete_module syscall (the name)' });
    this.set.probes.push({ event: this.name('delete_module'), vocabulary: 'delete_module', kind: 'r', symbol: '__x64_sys_delete_module', offset: 0, args: [{ name: 'ret', fetch: '$retval', type: 's32' }], site: 'return of the delete_module syscall (the result)' });
    // dm_exit sits in .exit.text, which kprobes refuse; local_exit is the exit step in .text
    if (this.d.functions.get('local_exit')?.section === '.text') {
      this.entry('local_exit', 'module_exit', [{ name: 'mod', fetch: `\\"${MODULE}"`, type: 'string' }], 'entry of local_exit (dm_exit itself is in .exit.text, which kprobes refuse)');
    } else this.set.unplaced.push({ vocabulary: 'module_exit', reason: 'dm_exit is in .exit.text (kprobes refuse it) and no local_exit in .text; delete_module ret=0 marks the unload' });
  }

  private tasks(): void {
    this.set.tracepoints.push({ system: 'sched', event: 'sched_process_fork', vocabulary: 'task_fork' });
    this.set.tracepoints.push({ system: 'sched', event: 'sched_process_exit', vocabulary: 'task_exit' });
    this.set.tracepoints.push({ system: 'syscalls', event: 'sys_exit_wait4', vocabulary: 'task_wait', filter: 'ret > 0' });
  }

  private notPlaced(): void {
    const reasons: Record<string, string> = {
      atomic_dec_and_lock: 'this dm-mod never calls atomic_dec_and_lock: dm_put is a plain atomic decrement (dm_put events carry holders)',
      kmalloc: "not probed: the md's own allocation is recorded as md_alloc; other allocations are not part of the races",
      md_init: 'per-field initialisation is inline stores, no call to probe; md_init_done marks the end',
      md_access: 'uses of md fields are inline loads and stores, no call to probe',
      set_bit: 'md->flags bit operations are inline (lock or/and on md->flags), not probed',
      test_bit: 'md->flags tests are inline, not probed',
      uevent: 'not probed: add_disk carries the uevent edge',
      uevent_recv: 'a user-space receipt (udev), not a kernel probe',
    };
    const have = new Set(this.set.probes.map((p) => p.vocabulary));
    if (this.callSites('atomic_dec_and_lock').length || this.callSites('_atomic_dec_and_lock').length) delete reasons.atomic_dec_and_lock;
    for (const [vocabulary, reason] of Object.entries(reasons)) {
      if (!have.has(vocabulary) && !this.set.unplaced.some((u) => u.vocabulary === vocabulary)) this.set.unplaced.push({ vocabulary, reason, byDesign: true });
    }
    for (const v of ['spin_lock', 'spin_unlock', 'idr_get_new', 'idr_find', 'idr_replace', 'idr_remove', 'idr_pre_get']) {
      if (!have.has(v) && !this.set.unplaced.some((u) => u.vocabulary === v)) this.set.unplaced.push({ vocabulary: v, reason: `no call site in dm-mod that the kit could place` });
    }
  }
}

/** `0x90(%rdi)` -> {offset 0x90, reg di}; undefined for anything else. */
function memoryOperand(op: string | undefined): { offset: number; reg: string } | undefined {
  const m = op ? /^(-?0x[0-9a-f]+)?\((%[a-z0-9]+)\)$/.exec(op) : null;
  if (!m) return undefined;
  const reg = canonicalRegister(m[2]);
  if (!reg) return undefined;
  return { offset: m[1] ? parseInt(m[1], 16) * (m[1].startsWith('-') ? -1 : 1) : 0, reg };
}

/** A chain of loads from the entry value of %rdi: `deref(0x58, deref(0x358, di))` -> [0x358, 0x58]. */
function loadChain(v: Value): number[] | undefined {
  if (v.kind === 'entry') return v.reg === 'di' ? [] : undefined;
  if (v.kind !== 'deref') return undefined;
  const inner = loadChain(v.base);
  return inner ? [...inner, v.offset] : undefined;
}

