// The probe set as each recorder wants it: tracefs kprobe_events lines, a
// self-contained sh script (busybox is enough) that records a command,
// `perf probe` command lines, a bpftrace program. Every form starts with the
// header block (`# !owner`, `# !lock`, `# !alias`) that makes the recording
// analysable with no hand edits, and lists what could not be placed.

import type { Kallsyms } from './kallsyms';
import { location, type HeaderLine, type KernelSymbol, type ProbeArg, type ProbeDefinition, type ProbeFilter, type ProbeSet } from './model';

/** Stands for a symbol's address until the target resolves it: `@__this_module[dm_mod]`. */
export function placeholder(sym: KernelSymbol): string {
  return `@${sym.name}[${sym.module ?? ''}]`;
}

function resolve(sym: KernelSymbol, kallsyms: Kallsyms | undefined): string {
  return kallsyms?.address(sym) ?? placeholder(sym);
}

/** The symbols whose addresses the set needs at apply time. */
export function neededSymbols(set: ProbeSet): KernelSymbol[] {
  const out = new Map<string, KernelSymbol>();
  for (const p of set.probes) if (p.filter && typeof p.filter.value !== 'number') out.set(placeholder(p.filter.value), p.filter.value);
  for (const h of set.header) if ('alias' in h) out.set(placeholder(h.alias), h.alias);
  return [...out.values()];
}

export function headerLines(set: ProbeSet, kallsyms?: Kallsyms): string[] {
  return set.header.map((h: HeaderLine) => ('alias' in h ? `# !alias ${resolve(h.alias, kallsyms)}=${h.name}` : `# ${h.text}`));
}

export function kprobeLine(set: ProbeSet, p: ProbeDefinition): string {
  const args = p.args.map((a) => `${a.name}=${a.fetch}:${a.type}`).join(' ');
  return `${p.kind}:${set.group}/${p.event} ${location(p)}${args ? ' ' + args : ''}`;
}

export function filterText(f: ProbeFilter, kallsyms?: Kallsyms): string {
  return `${f.arg} ${f.op} ${typeof f.value === 'number' ? f.value : resolve(f.value, kallsyms)}`;
}

function commentBlock(set: ProbeSet): string[] {
  const out = ['# dm-race-lens probe kit: probes for dm-mod, group ' + set.group];
  for (const d of set.derived) out.push(`# derived: ${d}`);
  for (const u of set.unplaced) out.push(`# ${u.byDesign ? 'not probed' : 'unplaced'}: ${u.vocabulary}: ${u.reason}`);
  for (const p of set.partial) out.push(`# partial: ${p}`);
  return out;
}

/**
 * kprobe_events lines (write them with `>>`), then `# filter EVENT EXPR` and
 * `# enable SYSTEM/EVENT [EXPR]` lines for the tracepoints; tracefs ignores
 * everything after a `#`, so the whole text can be written as it is.
 */
export function renderTracefs(set: ProbeSet, kallsyms?: Kallsyms): string {
  const out = [...commentBlock(set), '# header of the recorded trace:', ...headerLines(set, kallsyms)];
  for (const p of set.probes) out.push(`# site ${p.event}: ${p.site}`, kprobeLine(set, p));
  for (const p of set.probes) if (p.filter) out.push(`# filter ${set.group}/${p.event} ${filterText(p.filter, kallsyms)}`);
  for (const t of set.tracepoints) out.push(`# enable ${t.system}/${t.event}${t.filter ? ' ' + t.filter : ''}`);
  return out.join('\n') + '\n';
}

/** Single-quote a string for sh. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A POSIX sh script: `sh SCRIPT OUT -- COMMAND [ARGS...]` applies the
 * definitions (addresses from /proc/kallsyms), enables them, runs COMMAND,
 * writes OUT (header + trace) and removes the probes. Exit status: the
 * command's, or 125 when the probes could not be applied.
 */
export function renderScript(set: ProbeSet, kallsyms?: Kallsyms): string {
  const syms = neededSymbols(set);
  const varOf = new Map(syms.map((s, i) => [placeholder(s), `A${i}`]));
  const sub = (text: string) => {
    let t = text;
    for (const [ph, v] of varOf) t = t.split(ph).join('${' + v + '}');
    return t;
  };
  const g = set.group;
  const lines: string[] = [
    '#!/bin/sh',
    ...commentBlock(set),
    '# usage: sh THIS_SCRIPT OUT_TRACE -- COMMAND [ARGS...]   (root; dm_mod loaded or loadable)',
    '#    or: sh THIS_SCRIPT OUT_TRACE --dump   (while a recording runs: stops it and writes what it holds,',
    '#        from trace_pipe, which never waits for an RCU grace period: a kernel oops left the command stuck)',
    'set -u',
    'OUT=${1:?usage: $0 OUT_TRACE -- COMMAND [ARGS...]}; shift',
    '[ "${1:-}" = "--" ] && shift',
    '[ $# -gt 0 ] || { echo "usage: $0 OUT_TRACE -- COMMAND [ARGS...]" >&2; exit 125; }',
    '# DMRL_TRACEFS and DMRL_PROC replace /sys/kernel/tracing and /proc (tests)',
    'T=${DMRL_TRACEFS:-/sys/kernel/tracing}',
    'P=${DMRL_PROC:-/proc}',
    'if [ ! -e $T/kprobe_events ] && [ -z "${DMRL_TRACEFS:-}" ]; then',
    '  mount -t tracefs nodev $T 2>/dev/null',
    '  [ -e $T/kprobe_events ] || T=/sys/kernel/debug/tracing',
    'fi',
    '[ -e $T/kprobe_events ] || { echo "dm-race-lens: no tracefs with kprobe_events" >&2; exit 125; }',
    'grep -q "^dm_mod " $P/modules || modprobe dm_mod 2>/dev/null || { echo "dm-race-lens: dm_mod is not loaded" >&2; exit 125; }',
    'ksym() { awk -v s="$1" -v m="[$2]" \'$3 == s && $4 == m { print "0x" $1; exit }\' $P/kallsyms; }',
  ];
  for (const s of syms) {
    const v = varOf.get(placeholder(s))!;
    const known = kallsyms?.address(s);
    lines.push(known ? `${v}=${known}` : `${v}=$(ksym ${s.name} ${s.module ?? ''})`);
    lines.push(`case "$${v}" in ""|0x0|0x0000000000000000) echo "dm-race-lens: no address for ${s.name} [${s.module ?? ''}] in /proc/kallsyms (not root?)" >&2; exit 125;; esac`);
  }
  lines.push(
    'dump() {',
    '  {',
    ...headerLines(set).map((h) => `    echo "${sub(h)}"`),
    '    if [ "$1" = pipe ]; then timeout 10 cat $T/trace_pipe; else cat $T/trace; fi',
    '  } > "$OUT"',
    '}',
    'if [ "$1" = "--dump" ]; then echo 0 > $T/tracing_on; dump pipe; exit 0; fi',
    'cleanup() {',
    `  [ -d $T/events/${g} ] && echo 0 > $T/events/${g}/enable 2>/dev/null`,
    ...[...new Set(set.tracepoints.map((t) => `  echo 0 > $T/events/${t.system}/${t.event}/enable 2>/dev/null`))],
    `  for e in $(sed -n 's/^[pr]:${g}\\/\\([^ ]*\\) .*/\\1/p' $T/kprobe_events); do echo "-:${g}/$e" >> $T/kprobe_events; done`,
    '}',
    '# printf, not echo: some shells\' echo reads the backslashes of `\\"str"` and `\\0x..` as escapes',
    'fail() { printf "dm-race-lens: %s\\n" "$1" >&2; echo "--- $T/error_log:" >&2; cat $T/error_log >&2 2>/dev/null; cleanup; exit 125; }',
    'echo 0 > $T/tracing_on',
    'cleanup',
    ': > $T/error_log 2>/dev/null',
    ': > $T/trace',
    'echo global > $T/trace_clock',
    'echo 16384 > $T/buffer_size_kb 2>/dev/null',
    'def() { printf "%s\\n" "$1" >> $T/kprobe_events || fail "probe refused: $1"; }',
  );
  for (const p of set.probes) lines.push(`def ${q(kprobeLine(set, p))}`);
  for (const p of set.probes) {
    if (p.filter) lines.push(`echo "${sub(filterText(p.filter))}" > $T/events/${g}/${p.event}/filter || fail "filter refused: ${p.event}"`);
  }
  for (const t of set.tracepoints) {
    const dir = `$T/events/${t.system}/${t.event}`;
    if (t.filter) lines.push(`echo ${q(t.filter)} > ${dir}/filter 2>/dev/null`);
    lines.push(`echo 1 > ${dir}/enable 2>/dev/null || echo "dm-race-lens: tracepoint ${t.system}/${t.event} not available: ${t.vocabulary} is not recorded" >&2`);
  }
  lines.push(
    `echo 1 > $T/events/${g}/enable || fail "cannot enable the ${g} events"`,
    'echo 1 > $T/tracing_on',
    '"$@"',
    'STATUS=$?',
    'echo 0 > $T/tracing_on',
    'dump file',
    'cleanup',
    'exit $STATUS',
  );
  return lines.join('\n') + '\n';
}

/** perf and bpftrace cannot name the compiler's split-off parts (`__dev_status.cold`): those sites need tracefs. */
function namedByTools(p: ProbeDefinition): boolean {
  return !p.symbol.includes('.');
}

/**
 * `perf probe` command lines (module probes by `-m dm_mod`), then the `perf record` that records them.
 * A site in a `.cold` part, which perf cannot name, is defined through tracefs instead; perf records it all the same.
 */
export function renderPerf(set: ProbeSet, kallsyms?: Kallsyms): string {
  const out = [...commentBlock(set), '# header of the recorded trace (put it above the perf script output):', ...headerLines(set, kallsyms).map((h) => '#' + h)];
  const events: string[] = [];
  for (const p of set.probes) {
    events.push(`-e ${set.group}:${p.event}` + (p.filter ? ` --filter ${q(filterText(p.filter, kallsyms))}` : ''));
    if (!namedByTools(p)) {
      out.push(`printf '%s\\n' ${q(kprobeLine(set, p))} >> /sys/kernel/tracing/kprobe_events`);
      continue;
    }
    const at = p.offset ? `${p.symbol}+${p.offset}` : p.symbol;
    const spec = `${set.group}:${p.event}=${at}${p.kind === 'r' ? '%return' : ''} ${p.args.map((a) => `${a.name}=${a.fetch}:${a.type}`).join(' ')}`.trim();
    out.push(`perf probe -q ${p.module ? `-m ${p.module} ` : ''}-a ${q(spec)}`);
  }
  for (const t of set.tracepoints) events.push(`-e ${t.system}:${t.event}` + (t.filter ? ` --filter ${q(t.filter)}` : ''));
  out.push(`perf record -a -k CLOCK_MONOTONIC ${events.join(' ')} -- "$@"`, 'perf script -F comm,tid,cpu,time,event,trace');
  return out.join('\n') + '\n';
}

/** A bpftrace program printing `nsecs cpu tid comm event key=val ...` (the layout docs/formats.md describes). */
export function renderBpftrace(set: ProbeSet, kallsyms?: Kallsyms): string {
  // `#` starts a preprocessor line in bpftrace: comments are `//`
  const out = [...commentBlock(set), '# header of the recorded trace (printed first):'].map((c) => '//' + c.slice(1));
  const unnamed = set.probes.filter((p) => !namedByTools(p));
  if (unnamed.length) {
    out.push(`// bpftrace cannot name a .cold part: ${unnamed.map((p) => `${p.event} (${location(p)})`).join(', ')} are left out;`);
    out.push('// a lock released there stays held in the recording: prefer the tracefs or script format when they matter');
  }
  out.push('BEGIN {', ...headerLines(set, kallsyms).map((h) => `  printf("%s\\n", ${JSON.stringify(h)});`), '}');
  for (const p of set.probes) {
    if (!namedByTools(p)) continue;
    if (p.event.startsWith('delete_module')) continue; // the syscall tracepoints below are simpler in bpftrace
    const attach = p.kind === 'r' ? `kretprobe:${p.symbol}` : `kprobe:${p.symbol}${p.offset ? '+' + p.offset : ''}`;
    const fmt: string[] = [];
    const vals: string[] = [];
    for (const a of p.args) {
      const [f, v] = bpfArg(a);
      fmt.push(`${a.name}=${f}`);
      if (v) vals.push(v);
    }
    const filter = p.filter ? ` /${bpfFilter(p, p.filter, kallsyms)}/` : '';
    out.push(`${attach}${filter} { printf("%llu %d %d %s ${p.event} ${fmt.join(' ')}\\n", nsecs, cpu, tid, comm${vals.map((v) => ', ' + v).join('')}); }`);
  }
  out.push(
    'tracepoint:syscalls:sys_enter_delete_module { printf("%llu %d %d %s delete_module mod=%s\\n", nsecs, cpu, tid, comm, str(args->name_user)); }',
    // `__exit` marks the result as the return of the same call: the analyser merges it into the entry's event
    'tracepoint:syscalls:sys_exit_delete_module { printf("%llu %d %d %s delete_module__exit ret=%d\\n", nsecs, cpu, tid, comm, args->ret); }',
    'tracepoint:sched:sched_process_fork { printf("%llu %d %d %s task_fork child=%d\\n", nsecs, cpu, tid, comm, args->child_pid); }',
    'tracepoint:sched:sched_process_exit { printf("%llu %d %d %s task_exit\\n", nsecs, cpu, tid, comm); }',
    'tracepoint:syscalls:sys_exit_wait4 /args->ret > 0/ { printf("%llu %d %d %s task_wait ret=%d\\n", nsecs, cpu, tid, comm, args->ret); }',
  );
  return out.join('\n') + '\n';
}

/** A fetch argument as a bpftrace expression. */
function bpfExpr(fetch: string): string {
  if (fetch === '$retval') return 'retval';
  const reg = /^%([a-z0-9]+)$/.exec(fetch);
  if (reg) return `reg("${reg[1]}")`;
  const deref = /^([+-]0x[0-9a-f]+|[+-]\d+)\((.*)\)$/.exec(fetch);
  if (deref) return `*(uint64 *)(${bpfExpr(deref[2])} ${deref[1][0]} ${deref[1].slice(1)})`;
  const imm = /^\\(0x[0-9a-f]+|\d+)$/.exec(fetch);
  if (imm) return imm[1];
  return '0';
}

function bpfArg(a: ProbeArg): [string, string | undefined] {
  const str = /^\\"(.*)"$/.exec(a.fetch);
  if (str) return [str[1], undefined];
  const e = bpfExpr(a.fetch);
  if (a.type === 's32') return ['%d', `(int32)${e.startsWith('*(uint64 *)') ? e.replace('*(uint64 *)', '*(int32 *)') : e}`];
  if (a.type === 'string' || a.type === 'ustring') return ['%s', `str(${e})`];
  return ['0x%lx', e];
}

function bpfFilter(p: ProbeDefinition, f: ProbeFilter, kallsyms?: Kallsyms): string {
  const arg = p.args.find((a) => a.name === f.arg);
  const lhs = arg ? bpfArg(arg)[1] ?? '0' : '0';
  return `${lhs} ${f.op} ${typeof f.value === 'number' ? f.value : resolve(f.value, kallsyms)}`;
}

export function renderJson(set: ProbeSet, kallsyms?: Kallsyms): string {
  return JSON.stringify({ ...set, header: headerLines(set, kallsyms), kprobeEvents: set.probes.map((p) => kprobeLine(set, p)) }, null, 2) + '\n';
}
