// The md's lifetime: md_alloc after the allocator call in the function that
// creates the md (the one with the idr_alloc), md_init_done where its
// initialisation ends (which depends on the build), free_dev at the frees that
// follow an idr_remove (free_dev is inlined into its callers).

import { canonicalRegister, fallsThroughOnly, fetchFor, writtenRegister } from './dataflow';
import type { DisassembledFunction } from './objdump';
import { ADD_DISK_CALLS } from './placeDevice';
import { memoryOperand, type CallSite, type Sites } from './sites';

const ALLOCATORS = /^(kzalloc|kvzalloc|kvmalloc|kmalloc|__kmalloc|__kvmalloc|kmem_cache_alloc|kmalloc_trace)(_node)?(_trace)?$/;
const FREES = /^(kfree|kvfree|kmem_cache_free)$/;
/** Calls that initialise a field of a structure in place (`init_waitqueue_head(&md->wait)`, `mutex_init`, `init_rwsem`). */
const INITIALISERS = /^(__init_waitqueue_head|__mutex_init|__init_rwsem)$/;
/** The registers a call leaves as they were (the System V x86-64 ABI). */
const CALLEE_SAVED = ['bx', 'bp', 'r12', 'r13', 'r14', 'r15'];

/** md_alloc, md_init_done (in the function that creates the md: the one with the idr_alloc), free_dev. */
export function placeMdLifetime(s: Sites): void {
  const firstAlloc = s.callSites('idr_alloc')[0] ?? s.callSites('idr_alloc_u32')[0];
  const create = firstAlloc?.fn;
  if (!create || !firstAlloc) {
    s.set.unplaced.push({ vocabulary: 'md_alloc', reason: 'no call of idr_alloc in this dm-mod: the function that creates the md is not found' });
    s.set.unplaced.push({ vocabulary: 'md_init_done', reason: 'no function that creates the md' });
  } else {
    const allocIndex = create.instructions.findIndex((insn, k) => k < firstAlloc.index && insn.mnemonic === 'call' && insn.relocations.some((r) => ALLOCATORS.test(r.target)));
    const allocator = allocIndex >= 0 ? create.instructions[allocIndex].relocations.find((r) => ALLOCATORS.test(r.target))!.target : undefined;
    const site: CallSite | undefined = allocIndex >= 0 ? { fn: create, index: allocIndex, tail: false } : undefined;
    if (site && s.afterCallOk(site)) {
      s.add('md_alloc', 'md_alloc', create, allocIndex + 1, [{ name: 'md', fetch: '%ax', type: 'x64' }], `after the call of ${allocator} in ${create.name} (the md's allocation)`, { arg: 'md', op: '!=', value: 0 });
    } else {
      s.set.unplaced.push({ vocabulary: 'md_alloc', reason: `no allocator call (kzalloc/kvmalloc/kmalloc...) before idr_alloc in ${create.name}, or its result is not at a probeable instruction` });
    }
    // init-done: where the last initialisation step ends; in stock 6.1 just before the idr_replace of
    // the md itself (not of MINOR_ALLOCED) in the creating function
    let initDone = initDoneAfterAddDisk(s);
    if (!initDone) for (const r of s.callSites('idr_replace').filter((c) => c.fn === create)) {
      const ptr = s.argument(r, 1);
      if (ptr.kind === 'imm' || ptr.kind === 'unknown' || !fallsThroughOnly(create, r.index, s.targets)) continue;
      const regs = s.registers(create, r.index - 1);
      const missing: string[] = [];
      const md = s.arg('md', ptr, regs, 'x64', missing);
      if (!md) continue;
      s.add('md_init_done', 'md_init_done', create, r.index - 1, [md], `just before the idr_replace that publishes the md at ${s.where(r)}`);
      initDone = true;
    }
    if (!initDone) initDone = initDoneAtHandOver(s, create, allocIndex);
    if (!initDone) s.set.unplaced.push({ vocabulary: 'md_init_done', reason: `no idr_replace of the md (a register, not MINOR_ALLOCED) in ${create.name}, and no store of the allocated md on its way out` });
  }
  // free_dev: the frees that follow an idr_remove in the same function (free_dev is inlined into its callers)
  let freed = false;
  const removers = new Map<DisassembledFunction, number>();
  for (const remove of s.callSites('idr_remove')) if (!removers.has(remove.fn)) removers.set(remove.fn, remove.index);
  for (const [fn, first] of removers) {
    fn.instructions.forEach((insn, index) => {
      // a tail call (`jmp kvfree`) frees too
      if (index <= first || (insn.mnemonic !== 'call' && insn.mnemonic !== 'jmp')) return;
      const callee = insn.relocations.find((r) => FREES.test(r.target))?.target;
      if (!callee) return;
      const site = { fn, index, tail: false };
      s.add('free_dev', 'free_dev', fn, index, [{ name: 'md', fetch: '%di', type: 'x64' }], `at the call of ${callee} after idr_remove at ${s.where(site)} (free_dev inlined)`);
      freed = true;
    });
  }
  if (!freed) s.set.unplaced.push({ vocabulary: 'free_dev', reason: 'no kfree/kvfree after an idr_remove in dm-mod' });
}

/**
 * md_init_done in a build that never publishes the md with idr_replace (the minor reserved with
 * the md itself): the point where the creating function hands its complete md to its caller, i.e.
 * the store (`*result = md`) of the callee-saved register that kept the allocator's result, in the
 * block that returns. The register must hold the md all the way there (no other write to it).
 */
function initDoneAtHandOver(s: Sites, create: DisassembledFunction, allocIndex: number): boolean {
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
    if (store && returnsStraight(s, create, k + 1)) {
      const site = { fn: create, index: k, tail: false };
      s.add('md_init_done', 'md_init_done', create, k, [{ name: 'md', fetch: '%' + kept, type: 'x64' }], `at the store of the md to the caller at ${s.where(site)} (no idr_replace publishes it: the end of the inlined alloc_dev)`);
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
function initDoneAfterAddDisk(s: Sites): boolean {
  for (const [callee, diskArg] of ADD_DISK_CALLS) {
    for (const site of s.callSites(callee)) {
      const disk = s.argument(site, diskArg);
      const md = disk.kind === 'deref' ? fetchFor(disk.base, s.registers(site.fn, site.index)) : undefined;
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
      if (last < 0 || !s.afterCallOk(after)) continue;
      const field = insns[last].relocations.find((r) => INITIALISERS.test(r.target))!.target;
      s.add('md_init_done', 'md_init_done', site.fn, last + 1, [{ name: 'md', fetch: md!, type: 'x64' }], `after the last initialisation of a field of the md (${field} at ${s.where(after)}), which this build does after ${callee} at ${s.where(site)}`);
      return true;
    }
  }
  return false;
}

/** Does the code from `index` run straight (no call, no branch, no landing) to the function's return? */
function returnsStraight(s: Sites, fn: DisassembledFunction, index: number): boolean {
  for (let k = index; k < fn.instructions.length; k++) {
    const insn = fn.instructions[k];
    if (k > index && !fallsThroughOnly(fn, k, s.targets)) return false;
    if (insn.mnemonic.startsWith('ret') || (insn.mnemonic === 'jmp' && insn.relocations.some((r) => r.target === '__x86_return_thunk'))) return true;
    if (insn.mnemonic === 'call' || insn.mnemonic.startsWith('j')) return false;
  }
  return false;
}
