#!/usr/bin/env node
// Hand-made probe definitions for the harness, derived from the disassembly of
// the dm-mod.ko that will run (`objdump -dr`): every offset, register and lock
// name is read from that module, none is written down here. The project's probe
// kit (`dm-race-lens probes`) replaces this when it is available; this file keeps
// the harness usable without it.
//
// usage: node handmade-probes.mjs DM_MOD_KO OUT_DIR
// writes OUT_DIR/kprobe_events (tracefs syntax, group dmrl) and OUT_DIR/dmrl.bt (bpftrace).

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [ko, outDir] = process.argv.slice(2);
if (!ko || !outDir) {
  console.error('usage: handmade-probes.mjs DM_MOD_KO OUT_DIR');
  process.exit(2);
}

const MODULE = execFileSync('modinfo', ['-F', 'name', ko], { encoding: 'utf8' }).trim() || 'dm_mod';
const CALLEE_SAVED = ['bx', 'bp', 'r12', 'r13', 'r14', 'r15'];

// ---- symbols: section+offset -> name (relocations name static data by section)
const symtab = new Map();
for (const line of execFileSync('objdump', ['-t', ko], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')) {
  const m = /^([0-9a-f]+)\s.{7}\s(\S+)\s+[0-9a-f]+\s+(\S+)$/.exec(line);
  if (m) symtab.set(`${m[2]}+${BigInt('0x' + m[1])}`, m[3]);
}
function relocTarget(text) {
  // `.bss+0x50` -> _minor_lock; `__this_module` -> __this_module
  const m = /^(\S+?)(?:([+-])0x([0-9a-f]+))?$/.exec(text);
  if (!m) return text;
  const off = m[3] ? BigInt('0x' + m[3]) * (m[2] === '-' ? -1n : 1n) : 0n;
  return symtab.get(`${m[1]}+${off}`) ?? (off === 0n ? m[1] : text);
}

// ---- disassembly: functions -> instructions {addr, mnem, ops, reloc}
const funcs = new Map();
let cur = null;
for (const line of execFileSync('objdump', ['-dr', '--no-show-raw-insn', ko], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')) {
  let m = /^([0-9a-f]+) <(.+)>:$/.exec(line);
  if (m) {
    cur = { name: m[2], start: parseInt(m[1], 16), insns: [] };
    funcs.set(cur.name, cur);
    continue;
  }
  if (!cur) continue;
  m = /^\s+([0-9a-f]+):\s+(R_X86_64_\S+)\s+(\S+)$/.exec(line);
  if (m) {
    const last = cur.insns[cur.insns.length - 1];
    if (last) last.relocs.push({ type: m[2], target: m[3] });
    continue;
  }
  m = /^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$/.exec(line);
  if (m) cur.insns.push({ addr: parseInt(m[1], 16), mnem: m[2], ops: m[3].replace(/\s+#.*$/, '').trim(), relocs: [] });
}
function fn(name) {
  const f = funcs.get(name);
  if (!f) throw new Error(`${name} not found in ${ko}`);
  return f;
}
const off = (f, i) => `0x${(f.insns[i].addr - f.start).toString(16)}`;
const callee = (ins) => {
  if (ins.mnem !== 'call' && ins.mnem !== 'jmp') return undefined;
  const r = ins.relocs.find((x) => x.type === 'R_X86_64_PLT32');
  return r ? r.target.replace(/-0x4$/, '') : undefined;
};
const regOf = (op) => {
  // %rdi %edi %di -> di; %r12 %r12d -> r12
  const m = /^%(?:[re]?([a-d]x|[sd]i|[sb]p)|(r\d+)[dwb]?|([a-d])l|([sd]i|[sb]p)l)$/.exec(op);
  if (!m) return undefined;
  if (m[1]) return m[1];
  if (m[2]) return m[2];
  if (m[3]) return m[3] + 'x';
  return m[4];
};
const dest = (ins) => {
  const parts = ins.ops.split(',');
  return parts.length ? regOf(parts[parts.length - 1]) : undefined;
};
/** What was last written to `reg` before instruction i: {sym} (a relocated immediate), {imm}, {reg} (a copy) or undefined. */
function sourceOf(f, i, reg) {
  for (let j = i - 1; j >= 0; j--) {
    const ins = f.insns[j];
    if (ins.mnem === 'call') return undefined;
    if (dest(ins) !== reg) continue;
    const src = ins.ops.split(',')[0];
    if (/^mov/.test(ins.mnem)) {
      const r = ins.relocs.find((x) => x.type === 'R_X86_64_32S' || x.type === 'R_X86_64_32');
      if (r && src === '$0x0') return { sym: relocTarget(r.target) };
      if (/^\$/.test(src)) return { imm: src.slice(1) };
      const s = regOf(src);
      if (s) return { reg: s, at: j };
    }
    if (/^xor/.test(ins.mnem) && regOf(src) === reg) return { imm: '0x0' };
    return undefined;
  }
  return undefined;
}
/** `r` is not written by the instructions from..to-1. */
const unchanged = (f, r, from, to) => f.insns.slice(from, to).every((x) => dest(x) !== r);
/** The callee-saved register the function copied its entry `reg` into, unchanged up to instruction k. */
function entryCopy(f, reg, k) {
  const j = f.insns.findIndex((x) => x.mnem === 'mov' && regOf(x.ops.split(',')[0]) === reg && CALLEE_SAVED.includes(dest(x)));
  return j >= 0 && unchanged(f, dest(f.insns[j]), j + 1, k) ? dest(f.insns[j]) : undefined;
}
/** A callee-saved register that holds what `reg` held at instruction i, still unchanged at instruction k. */
function savedCopy(f, i, reg, k) {
  const s = sourceOf(f, i, reg);
  if (!s || !s.reg || !CALLEE_SAVED.includes(s.reg)) return undefined;
  for (let j = s.at + 1; j < k; j++) if (dest(f.insns[j]) === s.reg) return undefined;
  return s.reg;
}

// ---- probes: {event, func, off, args: [{key, reg|deref|imm|retval|type}]}
const probes = [];
const seen = new Map();
function add(event, f, i, args, where = 'at') {
  const idx = where === 'after' ? i + 1 : i;
  if (where === 'after' && f.insns[i].mnem !== 'call') return; // a tail call never returns here
  const n = seen.get(event) ?? 0;
  seen.set(event, n + 1);
  probes.push({ name: `${event}_${n}`, event, func: f.name, off: off(f, idx), args });
}
const reg = (key, r, type = 'x64') => ({ key, fetch: `%${r}`, type, bt: type === 's32' ? `(int32)reg("${r}")` : `reg("${r}")` });
const imm = (key, text) => ({ key, imm: text });
const deref = (key, chain, r, type = 'x64') => ({
  key,
  fetch: chain.reduce((inner, o) => `+0x${o.toString(16)}(${inner})`, `%${r}`),
  type,
  bt: chain.reduce((inner, o, idx) => `*(${idx === chain.length - 1 ? btType(type) : 'uint64'}*)(${inner}+0x${o.toString(16)})`, `reg("${r}")`),
});
const btType = (t) => ({ s32: 'int32', u32: 'uint32', x64: 'uint64', x32: 'uint32' })[t] ?? 'uint64';

const LOCKS = { _minor_lock: 'spin', _hash_lock: 'rwsem' };
const ACQUIRE = { _raw_spin_lock: 'spin_lock', down_read: 'down_read', down_write: 'down_write' };
const RELEASE = { _raw_spin_unlock: 'spin_unlock', up_read: 'up_read', up_write: 'up_write' };

// struct offsets, read from the instructions that use them
const HOLDERS = (() => {
  const ins = fn('dm_put').insns.find((x) => x.mnem === 'lock' && /^decl/.test(x.ops));
  const m = ins && /(0x[0-9a-f]+)\(%rdi\)/.exec(ins.ops);
  if (!m) throw new Error('dm_put: no `lock decl OFF(%rdi)` to read md->holders from');
  return parseInt(m[1], 16);
})();
// dm_blk_open: after taking _minor_lock it loads bdev->bd_disk then disk->private_data
const OPEN = (() => {
  const f = fn('dm_blk_open');
  const i = f.insns.findIndex((x) => callee(x) === '_raw_spin_lock');
  const a = /^(0x[0-9a-f]+)\(%(\w+)\),%(\w+)$/.exec(f.insns[i + 1].ops);
  const b = a && /^(0x[0-9a-f]+)\(%(\w+)\),%(\w+)$/.exec(f.insns[i + 2].ops);
  if (!a || !b || regOf('%' + a[3]) !== regOf('%' + b[2])) throw new Error('dm_blk_open: bd_disk/private_data loads not found');
  return { i, bdev: regOf('%' + a[2]), bdDisk: parseInt(a[1], 16), privateData: parseInt(b[1], 16) };
})();

for (const f of funcs.values()) {
  f.insns.forEach((ins, i) => {
    const c = callee(ins);
    if (!c) return;
    const rdi = () => sourceOf(f, i, 'di');
    if (ACQUIRE[c] || RELEASE[c]) {
      const s = rdi();
      if (!s?.sym || !LOCKS[s.sym]) return;
      if (ACQUIRE[c]) add(ACQUIRE[c], f, i, [imm('lock', s.sym)], 'after');
      else add(RELEASE[c], f, i, [imm('lock', s.sym)]);
      return;
    }
    const idr = () => rdi()?.sym;
    if (c === 'idr_preload') add('idr_pre_get', f, i, [reg('gfp', 'di', 'x32')]);
    if (c === 'idr_alloc' && idr() === '_minor_idr') {
      const p = sourceOf(f, i, 'si');
      const ptr = p?.imm ? [imm('ptr', p.imm)] : [];
      add('idr_get_new', f, i, [imm('idr', '_minor_idr'), reg('minor', 'ax', 's32'), ...ptr], 'after');
    }
    if (c === 'idr_replace' && idr() === '_minor_idr') {
      add('idr_replace', f, i, [imm('idr', '_minor_idr'), reg('minor', 'dx', 's32'), reg('ptr', 'si')]);
      // the publishing store (a real md, kept in a callee-saved register): md_init_done where the lock is taken for it
      const s = sourceOf(f, i, 'si');
      if (f.name === 'dm_create' && s?.reg && CALLEE_SAVED.includes(s.reg)) {
        let j = i - 1;
        while (j >= 0 && callee(f.insns[j]) !== '_raw_spin_lock') j--;
        if (j >= 0 && !unchanged(f, s.reg, j, s.at)) j = -1;
        if (j >= 0) add('md_init_done', f, j, [reg('md', s.reg)]);
      }
    }
    if (c === 'idr_find' && idr() === '_minor_idr') {
      const m = savedCopy(f, i, 'si', i + 1);
      add('idr_find', f, i, [imm('idr', '_minor_idr'), ...(m ? [reg('minor', m, 's32')] : []), reg('ret', 'ax')], 'after');
    }
    if (c === 'idr_remove' && idr() === '_minor_idr') add('idr_remove', f, i, [imm('idr', '_minor_idr'), reg('minor', 'si', 's32')]);
    if ((c === 'try_module_get' || c === 'module_put') && rdi()?.sym === '__this_module') {
      if (c === 'try_module_get') add('module_get', f, i, [imm('mod', MODULE)], 'after');
      else add('module_put', f, i, [imm('mod', MODULE)]);
    }
    if (c === 'kvmalloc_node' && f.name === 'dm_create') add('md_alloc', f, i, [reg('md', 'ax')], 'after');
    if (c === 'kvfree' && (f.name === 'dm_create' || f.name === '__dm_destroy')) add('free_dev', f, i, [reg('md', 'di')]);
    if (c === 'device_add_disk') add('add_disk', f, i, [deref('md', [OPEN.privateData], 'si')]);
  });
}

// dm_get / dm_put: after the reference count changed, with its new value
for (const [name, event] of [['dm_get', 'dm_get'], ['dm_put', 'dm_put'], ['dm_blk_close', 'dm_put']]) {
  const f = fn(name);
  f.insns.forEach((ins, i) => {
    const m = ins.mnem === 'lock' && new RegExp(`^(?:incl|decl)\\s+0x${HOLDERS.toString(16)}\\(%(\\w+)\\)$`).exec(ins.ops);
    if (m) add(event, f, i + 1, [reg('md', regOf('%' + m[1])), deref('holders', [HOLDERS], regOf('%' + m[1]), 's32')]);
  });
}
// dm_blk_open / dm_blk_close: one instruction after the lock is taken (the spin_lock event is on the
// instruction right after the call; two events on one address would fire in no documented order)
{
  const f = fn('dm_blk_open');
  if (dest(f.insns[OPEN.i + 1]) === OPEN.bdev) throw new Error('dm_blk_open: bdev register overwritten after the lock');
  add('dm_blk_open', f, OPEN.i + 2, [deref('md', [OPEN.bdDisk, OPEN.privateData], OPEN.bdev)]);
  const g = fn('dm_blk_close');
  const i = g.insns.findIndex((x) => callee(x) === '_raw_spin_lock');
  const disk = entryCopy(g, 'di', i + 1);
  const load = /^(0x[0-9a-f]+)\(%(\w+)\),%(\w+)$/.exec(g.insns[i + 1].ops);
  if (!disk || !load || regOf('%' + load[2]) !== disk || parseInt(load[1], 16) !== OPEN.privateData) throw new Error('dm_blk_close: private_data load not found');
  const md = regOf('%' + load[3]);
  add('dm_blk_close', g, i + 2, [reg('md', md)]);
}
{
  const at = new Map();
  for (const p of probes) {
    const k = `${p.func}+${p.off}`;
    if (at.has(k)) throw new Error(`two probes on ${k}: ${at.get(k)} and ${p.name}`);
    at.set(k, p.name);
  }
}

if (!probes.some((p) => p.event === 'dm_get')) throw new Error('no dm_get probe: disassembly not understood');

// ---- render
const kfetch = (a) => (a.imm !== undefined ? `${a.key}=\\"${a.imm}"` : `${a.key}=${a.fetch}:${a.type}`);
const lines = probes.map((p) => `p:dmrl/${p.name} ${MODULE}:${p.func}+${p.off} ${p.args.map(kfetch).join(' ')}`.trimEnd());
lines.push('p:dmrl/delete_module_0 __x64_sys_delete_module mod=+0(+0x70(%di)):ustring');
lines.push('r:dmrl/r_delete_module_0 __x64_sys_delete_module ret=$retval:s32');

const btFmt = (a) => (a.imm !== undefined ? `${a.key}=${a.imm}` : `${a.key}=${a.type === 's32' ? '%d' : a.type === 'u32' ? '%u' : '0x%lx'}`);
const HEAD = 'printf("%llu %d %d %s';
const bt = ['// generated from the disassembly of ' + ko.split('/').pop()];
// BEGIN runs once every probe is attached: the harness starts the workload after this line
bt.push('BEGIN { printf("# dmrl: probes attached\\n"); }');
for (const p of probes) {
  const vals = p.args.filter((a) => a.imm === undefined).map((a) => a.bt);
  bt.push(`kprobe:${p.func}+${p.off} { ${HEAD} ${p.event} ${p.args.map(btFmt).join(' ')}\\n", nsecs, cpu, tid, comm${vals.map((v) => ', ' + v).join('')}); }`);
}
// one delete_module event when the call returns: the module name kept from the entry, and the result
bt.push('tracepoint:syscalls:sys_enter_delete_module { @dmrl_mod[tid] = str(args->name_user); }');
bt.push(`tracepoint:syscalls:sys_exit_delete_module { ${HEAD} delete_module mod=%s ret=%d\\n", nsecs, cpu, tid, comm, @dmrl_mod[tid], args->ret); delete(@dmrl_mod[tid]); }`);
bt.push(`tracepoint:sched:sched_process_fork { ${HEAD} task_fork child=%d\\n", nsecs, cpu, tid, comm, args->child_pid); }`);
bt.push(`tracepoint:sched:sched_process_exit { ${HEAD} task_exit\\n", nsecs, cpu, tid, comm); }`);
bt.push(`tracepoint:syscalls:sys_exit_wait4 /args->ret > 0/ { ${HEAD} task_wait ret=%d\\n", nsecs, cpu, tid, comm, args->ret); }`);

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'kprobe_events'), lines.join('\n') + '\n');
writeFileSync(join(outDir, 'dmrl.bt'), bt.join('\n') + '\n');
const counts = {};
for (const p of probes) counts[p.event] = (counts[p.event] ?? 0) + 1;
console.log(`${probes.length + 2} probes from ${ko.split('/').pop()} (holders at +0x${HOLDERS.toString(16)}): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
