// From dm-mod's disassembly to the probe definitions of the whole vocabulary.
//
// lib/idr.c is notrace in distribution kernels and several dm functions are
// inlined, so most events are recorded at call sites inside dm-mod (sites.ts),
// with the struct offsets read from the code that uses them (layout.ts). Each
// place*.ts places one family of vocabulary events; the order below is the
// order of the probes in the output.

import { readLayout } from './layout';
import type { ProbeSet } from './model';
import { parseObjdump } from './objdump';
import { placeIdr, placeLocks } from './placeCalls';
import { placeAddDisk, placeOpens, placeReferences } from './placeDevice';
import { placeMdLifetime } from './placeLifetime';
import { listNotPlaced, placeModuleEvents, placeTasks } from './placeModule';
import { Sites } from './sites';

export function deriveProbes(disassemblyText: string): ProbeSet {
  const s = new Sites(parseObjdump(disassemblyText));
  if (s.d.functions.size === 0) {
    s.set.diagnostics.push({ line: 1, column: 1, message: 'no disassembled function: expected the output of `objdump -drt dm-mod.ko`' });
    return s.set;
  }
  const layout = readLayout(s);
  placeLocks(s);
  placeIdr(s);
  placeMdLifetime(s);
  placeReferences(s, layout);
  placeOpens(s, layout);
  placeAddDisk(s, layout);
  placeModuleEvents(s);
  placeTasks(s);
  listNotPlaced(s);
  return s.set;
}
