// A synthetic `objdump -drt` of an invented dm-mod build: the same layout as
// objdump's (symbol table, sections, functions, instruction and relocation
// lines), with function bodies written for the tests. Its struct offsets
// differ on purpose from any real build (holders at 0x48, bd_disk at 0x120,
// private_data at 0x30), so a probe that carries them was derived, not assumed.

import { strict as assert } from 'node:assert';
import type { ProbeSet } from '../../../extension/core/probes';
import { kprobeLine } from '../../../extension/core/probes/render';

/**
 * One instruction: its length in bytes, the assembly, and an optional relocation `TYPE\tTARGET` at offset 1.
 * `[0, 'NAME:']` marks a label; `@NAME` in an operand is that label's address, `@next` the next instruction's.
 */
export type Insn = [number, string, string?];

export interface FixtureFunction {
  name: string;
  section?: string;
  body: Insn[];
}

function hex(n: number, width = 0): string {
  return n.toString(16).padStart(width, '0');
}

/** objdump's text for these functions (laid out one after the other from address 0 in each section). */
export function objdumpText(functions: FixtureFunction[], symbols: string[] = DEFAULT_SYMBOLS): string {
  const out = ['', 'dm-mod.ko:     file format elf64-x86-64', '', 'SYMBOL TABLE:', ...symbols, '', ''];
  const bySection = new Map<string, FixtureFunction[]>();
  for (const f of functions) {
    const s = f.section ?? '.text';
    bySection.set(s, [...(bySection.get(s) ?? []), f]);
  }
  for (const [section, fns] of bySection) {
    out.push(`Disassembly of section ${section}:`, '');
    let addr = 0;
    for (const f of fns) {
      out.push(`${hex(addr, 16)} <${f.name}>:`);
      const start = addr;
      const labels = new Map<string, number>();
      let at = addr;
      for (const [len, asm] of f.body) {
        if (len === 0) labels.set(asm.slice(0, -1), at);
        at += len;
      }
      for (const [len, asm, reloc] of f.body) {
        if (len === 0) continue;
        const bytes = Array.from({ length: Math.min(len, 7) }, () => '90').join(' ');
        // a branch or call names its target as objdump does: `jne 2a <f+0x2a>`
        const text = asm.replace(/@(\w+)/, (_, label: string) => {
          const target = label === 'next' ? addr + len : labels.get(label)!;
          return `${hex(target)} <${f.name}+0x${hex(target - start)}>`;
        });
        out.push(`${hex(addr, 8).replace(/^0+(?=.)/, '').padStart(8)}:\t${bytes.padEnd(21)}\t${text}`);
        if (len > 7) out.push(`${hex(addr + 7, 8).replace(/^0+(?=.)/, '').padStart(8)}:\t${Array.from({ length: len - 7 }, () => '00').join(' ')} `);
        if (reloc) out.push(`\t\t\t${hex(addr + 1)}: ${reloc}`);
        addr += len;
      }
      out.push('');
      addr = (addr + 15) & ~15;
    }
  }
  return out.join('\n');
}

export const DEFAULT_SYMBOLS = [
  '0000000000000000 l    d  .text\t0000000000000000 .text',
  '0000000000000010 l     O .bss\t0000000000000004 _minor_lock',
  '0000000000000040 l     O .data\t0000000000000018 _minor_idr',
  '0000000000000080 l     O .data\t0000000000000028 _hash_lock',
  '0000000000000000 g     O .gnu.linkonce.this_module\t0000000000000380 __this_module',
];

export const FENTRY: Insn = [5, 'call   @next', 'R_X86_64_PLT32\t__fentry__-0x4'];
export const RET: Insn = [5, 'jmp    @next', 'R_X86_64_PLT32\t__x86_return_thunk-0x4'];
export const call = (fn: string): Insn => [5, 'call   @next', `R_X86_64_PLT32\t${fn}-0x4`];
export const data = (reg: string, target: string): Insn => [7, `mov    $0x0,${reg}`, `R_X86_64_32S\t${target}`];

/** The invented module: create, lookup, destroy, open/close, get/put, ioctl lookups under _hash_lock. */
export function inventedModule(): FixtureFunction[] {
  return [
    {
      name: 'dm_get',
      body: [FENTRY, [7, 'lock incl 0x48(%rdi)'], [4, 'mov    0x20(%rdi),%rax'], RET],
    },
    {
      name: 'dm_put',
      body: [FENTRY, [7, 'lock decl 0x48(%rdi)'], RET],
    },
    {
      name: 'dm_create',
      body: [
        FENTRY,
        [2, 'push   %rbx'],
        [2, 'mov    %edi,%ebp'],
        [5, 'mov    $0x900,%edi'],
        [5, 'mov    $0xdc0,%esi'],
        call('kzalloc_node'), // +0x13
        [3, 'mov    %rax,%rbx'], // +0x18: md
        [5, 'mov    $0xcc0,%edi'],
        call('idr_preload'), // +0x20
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'), // +0x2c
        [7, 'mov    $0xffffffffffffffff,%rsi'],
        data('%rdi', '.data+0x40'),
        [2, 'mov    %ebp,%edx'],
        call('idr_alloc'), // +0x41
        [3, 'mov    %eax,%r12d'], // +0x46
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_unlock'), // +0x50
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'), // +0x5c
        [3, 'movslq %r12d,%rdx'], // +0x61
        data('%rdi', '.data+0x40'),
        [3, 'mov    %rbx,%rsi'], // +0x6b
        call('idr_replace'), // +0x6e
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_unlock'), // +0x7a
        [3, 'mov    %rbx,%rax'],
        [1, 'pop    %rbx'],
        RET,
      ],
    },
    {
      name: 'dm_lookup',
      body: [
        FENTRY,
        [2, 'push   %rbp'],
        [2, 'mov    %edi,%ebp'],
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'), // +0x10
        [2, 'mov    %ebp,%esi'], // +0x15
        data('%rdi', '.data+0x40'),
        call('idr_find'), // +0x1e
        [3, 'mov    %rax,%rbx'], // +0x23
        [3, 'test   %rax,%rax'],
        [2, 'je     @out'],
        [3, 'mov    %rax,%rdi'],
        call('dm_get'), // +0x2d
        [3, 'nop'],
        [0, 'out:'],
        data('%rdi', '.bss+0x10'), // a branch target
        [1, 'pop    %rbp'],
        [5, 'jmp    @next', 'R_X86_64_PLT32\t_raw_spin_unlock-0x4'], // tail call: release before it
      ],
    },
    {
      name: 'dm_destroy',
      body: [
        FENTRY,
        [3, 'mov    %rdi,%rbx'],
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'),
        [7, 'mov    0x28(%rbx),%rax'],
        [7, 'mov    $0xffffffffffffffff,%rsi'],
        data('%rdi', '.data+0x40'),
        [3, 'mov    0x4(%rax),%edx'],
        [6, 'and    $0xfffff,%edx'],
        call('idr_replace'),
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_unlock'),
        [3, 'movslq %ebp,%rsi'],
        data('%rdi', '.data+0x40'),
        call('idr_remove'),
        [3, 'mov    %rbx,%rdi'],
        [1, 'pop    %rbx'],
        [5, 'jmp    @next', 'R_X86_64_PLT32\tkfree-0x4'],
      ],
    },
    {
      name: 'dm_blk_open',
      body: [
        FENTRY,
        [3, 'mov    %rdi,%rbx'],
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'),
        [7, 'mov    0x120(%rbx),%rax'],
        [4, 'mov    0x30(%rax),%rbx'],
        [3, 'mov    %rbx,%rdi'],
        call('dm_get'),
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_unlock'),
        RET,
      ],
    },
    {
      name: 'dm_blk_close',
      body: [
        FENTRY,
        [3, 'mov    %rdi,%rbx'],
        data('%rdi', '.bss+0x10'),
        call('_raw_spin_lock'),
        [4, 'mov    0x30(%rbx),%rbx'],
        [3, 'test   %rbx,%rbx'],
        [2, 'je     @bug'],
        [7, 'lock decl 0x48(%rbx)'], // dm_put inlined
        data('%rdi', '.bss+0x10'),
        [1, 'pop    %rbx'],
        [5, 'jmp    @next', 'R_X86_64_PLT32\t_raw_spin_unlock-0x4'],
        [0, 'bug:'],
        [2, 'ud2'],
      ],
    },
    {
      name: 'dm_setup_queue',
      body: [FENTRY, [7, 'mov    0x28(%rbp),%rsi'], [2, 'xor    %edx,%edx'], [2, 'xor    %edi,%edi'], call('device_add_disk'), RET],
    },
    {
      name: 'dev_status',
      body: [
        FENTRY,
        data('%rdi', '.data+0x80'),
        call('down_read'),
        [3, 'mov    %rax,%rbx'],
        data('%rdi', '.data+0x80'),
        call('up_read'),
        RET,
      ],
    },
    { name: 'local_exit', body: [FENTRY, RET] },
  ];
}

export const KALLSYMS = [
  'ffffffffc0a00000 t dm_get\t[dm_mod]',
  'ffffffffc0a40100 d __this_module\t[dm_mod]',
  'ffffffff81000000 T _stext',
].join('\n');

/** The tracefs definition line of the derived probe named `event`. */
export function lineOf(set: ProbeSet, event: string): string {
  const p = set.probes.find((x) => x.event === event);
  assert.ok(p, `no probe ${event}: ${set.probes.map((x) => x.event).join(' ')}`);
  return kprobeLine(set, p);
}
