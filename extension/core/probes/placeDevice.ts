// The events of the md's users: dm_get/dm_put at the atomic update of
// mapped_device->holders, the opens and closes of its disk, and add_disk.

import { ARGUMENT_REGISTERS, fallsThroughOnly, fetchFor, writtenRegister } from './dataflow';
import type { Layout } from './layout';
import type { DisassembledFunction } from './objdump';
import { memoryOperand, type Sites } from './sites';

/** The calls that register the gendisk, and which argument is the disk. */
export const ADD_DISK_CALLS = [['device_add_disk', 1], ['add_disk', 0]] as const;

/** dm_get/dm_put (their own bodies and the copies inlined elsewhere): the instruction after the atomic update of mapped_device->holders. */
export function placeReferences(s: Sites, layout: Layout): void {
  if (layout.holders === undefined) {
    s.set.unplaced.push({ vocabulary: 'dm_get', reason: "dm_get has no `lock incl OFF(%rdi)`: mapped_device->holders's offset is unknown" });
    s.set.unplaced.push({ vocabulary: 'dm_put', reason: 'mapped_device->holders offset unknown (see dm_get)' });
    return;
  }
  const placed = { dm_get: 0, dm_put: 0 };
  for (const fn of s.d.functions.values()) {
    fn.instructions.forEach((insn, index) => {
      const m = /^lock (inc|dec|add|sub)l$/.exec(insn.mnemonic);
      if (!m) return;
      const mem = memoryOperand(insn.operands[insn.operands.length - 1]);
      if (!mem || mem.offset !== layout.holders) return;
      if ((m[1] === 'add' || m[1] === 'sub') && insn.operands[0] !== '$0x1') return;
      const event = m[1] === 'inc' || m[1] === 'add' ? 'dm_get' : 'dm_put';
      const own = fn.name === event;
      const regs = s.registers(fn, index);
      const base = regs.get(mem.reg)!;
      // an inlined copy counts when its md came from disk->private_data (dm_blk_close's put)
      const fromDisk = (base.kind === 'deref' && base.offset === layout.privateData) || lastWriteLoads(fn, index, mem.reg, layout.privateData);
      if (!own && !fromDisk) return;
      if (index + 1 >= fn.instructions.length || !fallsThroughOnly(fn, index + 1, s.targets)) return;
      const after = s.registers(fn, index + 1);
      const md = fetchFor(base, after);
      if (!md) return;
      const site = `after the atomic ${m[1]} of mapped_device->holders in ${fn.name}+0x${(insn.address - fn.address).toString(16)}${own ? '' : ` (${event} inlined)`}`;
      s.add(event, event, fn, index + 1, [
        { name: 'md', fetch: md, type: 'x64' },
        { name: 'holders', fetch: `+0x${layout.holders!.toString(16)}(${md})`, type: 's32' },
      ], site);
      placed[event]++;
    });
  }
  if (!placed.dm_get) s.set.unplaced.push({ vocabulary: 'dm_get', reason: 'no atomic increment of mapped_device->holders at a probeable instruction' });
  if (!placed.dm_put) s.set.unplaced.push({ vocabulary: 'dm_put', reason: 'no atomic decrement of mapped_device->holders at a probeable instruction' });
}

/** Is the last write to `reg` before instruction `index` (in address order) a load from offset `offset`? */
function lastWriteLoads(fn: DisassembledFunction, index: number, reg: string, offset: number | undefined): boolean {
  if (offset === undefined) return false;
  for (let k = index - 1; k >= 0; k--) {
    const insn = fn.instructions[k];
    if (writtenRegister(insn) !== reg) continue;
    const src = memoryOperand(insn.operands[0]);
    return /^mov[q]?$/.test(insn.mnemonic) && src?.offset === offset;
  }
  return false;
}

/** dm_blk_open and dm_blk_close at their entry, the md read through the offsets of the layout. */
export function placeOpens(s: Sites, layout: Layout): void {
  const pd = layout.privateData;
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (s.d.functions.has('dm_blk_open') && pd !== undefined && layout.bdDisk !== undefined) {
    const disk = `+${hex(layout.bdDisk)}(%di)`;
    s.entry('dm_blk_open', 'dm_blk_open', [
      { name: 'md', fetch: `+${hex(pd)}(${disk})`, type: 'x64' },
      { name: 'disk', fetch: disk, type: 'x64' },
    ], 'entry of dm_blk_open (md = bdev->bd_disk->private_data)');
  } else s.set.unplaced.push({ vocabulary: 'dm_blk_open', reason: 'dm_blk_open not found, or its loads of bd_disk/private_data not recognised' });
  if (s.d.functions.has('dm_blk_close') && pd !== undefined) {
    s.entry('dm_blk_close', 'dm_blk_close', [
      { name: 'md', fetch: `+${hex(pd)}(%di)`, type: 'x64' },
      { name: 'disk', fetch: '%di', type: 'x64' },
    ], 'entry of dm_blk_close (md = disk->private_data)');
  } else s.set.unplaced.push({ vocabulary: 'dm_blk_close', reason: 'dm_blk_close not found, or its load of private_data not recognised' });
}

/** add_disk at each call that registers the gendisk; the md from the load of md->disk just before, else disk->private_data. */
export function placeAddDisk(s: Sites, layout: Layout): void {
  let placed = false;
  for (const [callee, diskArg] of ADD_DISK_CALLS) {
    for (const site of s.callSites(callee)) {
      const regs = s.registers(site.fn, site.index);
      const disk = s.argument(site, diskArg);
      const diskFetch = fetchFor(disk, regs) ?? `%${ARGUMENT_REGISTERS[diskArg]}`;
      // md->disk loaded just before: the md is the base of that load; else disk->private_data
      let md = disk.kind === 'deref' ? fetchFor(disk.base, regs) : undefined;
      if (md && disk.kind === 'deref' && s.set.offsets['mapped_device->disk'] === undefined) s.offset('mapped_device->disk', disk.offset, `the load before ${callee}`);
      if (!md && layout.privateData !== undefined) md = `+0x${layout.privateData.toString(16)}(${diskFetch})`;
      if (!md) continue;
      s.add('add_disk', 'add_disk', site.fn, site.index, [
        { name: 'md', fetch: md, type: 'x64' },
        { name: 'disk', fetch: diskFetch, type: 'x64' },
      ], `at the call of ${callee} at ${s.where(site)}`);
      placed = true;
    }
  }
  if (!placed) s.set.unplaced.push({ vocabulary: 'add_disk', reason: 'no call of device_add_disk/add_disk in dm-mod' });
}
