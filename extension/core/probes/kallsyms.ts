// /proc/kallsyms: `ffffffffc0a1b2c0 d __this_module\t[dm_mod]`. Only the
// addresses the probes' filters and `!alias` lines need are looked up.

import type { KernelSymbol } from './model';

export interface Kallsyms {
  address(sym: KernelSymbol): string | undefined;
  diagnostics: { line: number; column: number; message: string }[];
}

export function parseKallsyms(text: string): Kallsyms {
  const table = new Map<string, string>();
  const diagnostics: Kallsyms['diagnostics'] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-fA-F]+) (\S) (\S+)(?:\s+\[(\S+)\])?\s*$/.exec(line);
    if (!m) {
      if (diagnostics.length < 20) diagnostics.push({ line: i + 1, column: 1, message: 'not a kallsyms line (ADDRESS TYPE NAME [MODULE])' });
      return;
    }
    const key = `${m[3]}\t${m[4] ?? ''}`;
    if (!table.has(key)) table.set(key, '0x' + m[1].toLowerCase().replace(/^0+(?=.)/, ''));
  });
  return {
    diagnostics,
    address: (sym) => {
      const a = table.get(`${sym.name}\t${sym.module ?? ''}`);
      // addresses read without root are zeroed: no better than none
      return a && a !== '0x0' ? a : undefined;
    },
  };
}
