// The probe kit: pure functions from dm-mod's disassembly (and optionally the
// target's /proc/kallsyms) to probe definitions for every recorder.

export { deriveProbes } from './derive';
export { parseKallsyms, type Kallsyms } from './kallsyms';
export type { ProbeDefinition, ProbeSet, Unplaced } from './model';
export { renderBpftrace, renderJson, renderPerf, renderScript, renderTracefs } from './render';
