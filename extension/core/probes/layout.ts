// The struct offsets the probes need (mapped_device->holders, bdev->bd_disk,
// disk->private_data), read from the instructions that use them, never assumed.

import { blockStart, registersBefore, type Value } from './dataflow';
import { memoryOperand, type Sites } from './sites';

export interface Layout {
  holders?: number;
  bdDisk?: number;
  privateData?: number;
}

/** mapped_device->holders from dm_get's atomic increment; bd_disk and private_data from dm_blk_open's and dm_blk_close's loads. */
export function readLayout(s: Sites): Layout {
  const out: Layout = {};
  const get = s.d.functions.get('dm_get');
  const inc = get?.instructions.find((i) => /^lock (inc|add)l$/.test(i.mnemonic) && memoryOperand(i.operands[i.operands.length - 1])?.reg === 'di');
  if (inc) out.holders = memoryOperand(inc.operands[inc.operands.length - 1])!.offset;
  const open = firstLoadChain(s, 'dm_blk_open', 2);
  if (open) [out.bdDisk, out.privateData] = open;
  const close = firstLoadChain(s, 'dm_blk_close', 1);
  if (close) {
    if (out.privateData !== undefined && out.privateData !== close[0]) {
      s.set.partial.push(`dm_blk_open reads private_data at 0x${out.privateData.toString(16)}, dm_blk_close at 0x${close[0].toString(16)}: using dm_blk_close's`);
    }
    out.privateData = close[0];
  }
  s.offset('mapped_device->holders', out.holders, "dm_get's atomic increment");
  s.offset('block_device->bd_disk', out.bdDisk, 'dm_blk_open');
  s.offset('gendisk->private_data', out.privateData, 'dm_blk_close');
  return out;
}

/** The offsets of the first chain of `depth` loads from the function's first argument (`+0x58(+0x358(%di))` -> [0x358, 0x58]). */
function firstLoadChain(s: Sites, name: string, depth: number): number[] | undefined {
  const fn = s.d.functions.get(name);
  if (!fn) return undefined;
  for (let k = 1; k <= fn.instructions.length; k++) {
    if (blockStart(fn, k - 1, s.targets) !== 0) return undefined;
    const regs = registersBefore(s.d, fn, k, s.targets);
    for (const v of regs.values()) {
      const chain = loadChain(v);
      if (chain && chain.length === depth) return chain;
    }
    if (k < fn.instructions.length && /^(jmp|ret)/.test(fn.instructions[k].mnemonic)) return undefined;
  }
  return undefined;
}

/** A chain of loads from the entry value of %rdi: `deref(0x58, deref(0x358, di))` -> [0x358, 0x58]. */
function loadChain(v: Value): number[] | undefined {
  if (v.kind === 'entry') return v.reg === 'di' ? [] : undefined;
  if (v.kind !== 'deref') return undefined;
  const inner = loadChain(v.base);
  return inner ? [...inner, v.offset] : undefined;
}
