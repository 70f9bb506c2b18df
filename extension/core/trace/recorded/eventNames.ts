// Event-name reduction for recorded traces (docs/formats.md). A recorder names
// an event after its probe (`probe:dm_get`, `p_dm_get_0`, `kprobes/dm_get`) or
// after the kernel function it hooks (`_raw_spin_lock`, `idr_alloc`); the
// rules only know the vocabulary, so every recorded name is reduced here
// before lookup. User mappings (`# !map`, `--map`, the editor setting) win
// over everything else, so a user can always correct a guess.

import type { DirectiveReader } from '../directives';
import { isVocabulary } from '../vocabulary';

/** Kernel spellings of vocabulary events (the symbols a kprobe or the function tracer sees). */
export const KERNEL_SPELLINGS: Readonly<Record<string, string>> = {
  _raw_spin_lock: 'spin_lock',
  _spin_lock: 'spin_lock',
  raw_spin_lock: 'spin_lock',
  _raw_spin_lock_irq: 'spin_lock',
  _raw_spin_lock_irqsave: 'spin_lock',
  _raw_spin_lock_bh: 'spin_lock',
  _spin_lock_irq: 'spin_lock',
  _spin_lock_irqsave: 'spin_lock',
  _spin_lock_bh: 'spin_lock',
  spin_lock_irq: 'spin_lock',
  spin_lock_irqsave: 'spin_lock',
  spin_lock_bh: 'spin_lock',
  _raw_spin_unlock: 'spin_unlock',
  _spin_unlock: 'spin_unlock',
  raw_spin_unlock: 'spin_unlock',
  _raw_spin_unlock_irq: 'spin_unlock',
  _raw_spin_unlock_irqrestore: 'spin_unlock',
  _raw_spin_unlock_bh: 'spin_unlock',
  _spin_unlock_irq: 'spin_unlock',
  _spin_unlock_irqrestore: 'spin_unlock',
  _spin_unlock_bh: 'spin_unlock',
  spin_unlock_irq: 'spin_unlock',
  spin_unlock_irqrestore: 'spin_unlock',
  spin_unlock_bh: 'spin_unlock',
  down: 'mutex_lock',
  up: 'mutex_unlock',
  mutex_lock_nested: 'mutex_lock',
  idr_alloc: 'idr_get_new',
  idr_get_new_above: 'idr_get_new',
  idr_preload: 'idr_pre_get',
  device_add_disk: 'add_disk',
  try_module_get: 'module_get',
  __module_get: 'module_get',
  down_read_killable: 'down_read',
  down_read_interruptible: 'down_read',
  down_write_killable: 'down_write',
  // the scheduler's tracepoints (docs/formats.md); `sys_exit_wait4` becomes
  // `task_wait` only when it reaped a child (RecordedTrace)
  sched_process_fork: 'task_fork',
  sched_process_exit: 'task_exit',
};

const SPELLING_TARGETS: ReadonlySet<string> = new Set(Object.values(KERNEL_SPELLINGS));

/** `probe:dm_get` / `kprobes/dm_get` -> `dm_get`: the part after the last group separator. */
export function dropGroup(name: string): string {
  let cut = -1;
  for (let i = name.length - 1; i >= 0; i--) {
    const c = name.charCodeAt(i);
    if (c === 58 /* : */ || c === 47 /* / */) {
      cut = i;
      break;
    }
  }
  return cut >= 0 && cut < name.length - 1 ? name.slice(cut + 1) : name;
}

/**
 * `p_dm_get_0` -> `dm_get`; `r_idr_find_3` -> `idr_find`; an fprobe's
 * `dm_get__entry` / `idr_find__exit` and perf's `dm_get_md__return` -> the
 * function. Names without a generated form come back unchanged.
 */
export function dropKprobeDecoration(name: string): string {
  if (name.endsWith('__entry') && name.length > 7) return name.slice(0, -7);
  if (name.endsWith('__exit') && name.length > 6) return name.slice(0, -6);
  if (name.endsWith('__return') && name.length > 8) return name.slice(0, -8);
  let s = name;
  if ((s.startsWith('p_') || s.startsWith('r_')) && s.length > 2) s = s.slice(2);
  const u = s.lastIndexOf('_');
  if (u > 0 && u < s.length - 1 && /^\d+$/.test(s.slice(u + 1))) s = s.slice(0, u);
  return s;
}

/**
 * Does the name alone say "return probe"? For layouts that print no
 * `(site <- func)` location (bpftrace): bpftrace's `probe` builtin
 * (`kretprobe:dm_get_md`, `fexit:dm_mod:dm_get_md`), perf's `__return`, an
 * fprobe's `__exit`.
 */
export function isReturnName(raw: string): boolean {
  const colon = raw.indexOf(':');
  if (colon > 0 && RETURN_GROUPS.has(raw.slice(0, colon))) return true;
  return raw.endsWith('__return') || raw.endsWith('__exit');
}
const RETURN_GROUPS = new Set(['kretprobe', 'uretprobe', 'fexit', 'kretfunc', 'kr', 'ur']);

/** The call a name alone describes, for layouts without a location column (bpftrace): its kind, and the function it names. */
export function callOfName(name: string): { kind: 'entry' | 'return'; fn: string } {
  return { kind: isReturnName(name) ? 'return' : 'entry', fn: dropKprobeDecoration(dropGroup(name)) };
}

/** The name a recorded event gets: a vocabulary name when one fits, else the reduced name (kept, shown, ignored by the rules). */
export class EventNameResolver {
  /** raw name -> symbol ('' for none) -> resolved name. */
  private readonly cache = new Map<string, Map<string, string>>();
  private readonly bases = new Map<string, string>();

  constructor(private readonly directives: DirectiveReader) {}

  /** `!map` may change the answer from its line on. */
  forget(): void {
    this.cache.clear();
    this.knownNames.clear();
  }

  /** Does `raw` (without a symbol) reduce to a vocabulary event, a kernel spelling or a mapped name? */
  knows(raw: string): boolean {
    let known = this.knownNames.get(raw);
    if (known === undefined) {
      const grouped = dropGroup(raw);
      known = [raw, grouped, dropKprobeDecoration(grouped)].some((c) => this.known(c) !== undefined);
      this.knownNames.set(raw, known);
    }
    return known;
  }
  private readonly knownNames = new Map<string, boolean>();

  /**
   * `raw` is the name as printed; `symbol` the probed function when the line
   * shows one (`(dm_get+0x0/0x30 [dm_mod])`), tried when the name says nothing.
   */
  resolve(raw: string, symbol?: string): string {
    let bySymbol = this.cache.get(raw);
    if (!bySymbol) this.cache.set(raw, (bySymbol = new Map()));
    let name = bySymbol.get(symbol ?? '');
    if (name === undefined) {
      name = this.reduce(raw, symbol);
      bySymbol.set(symbol ?? '', name);
    }
    return name;
  }

  /** The kernel function name behind a recorded name, before the vocabulary mapping (`p_idr_alloc_0` -> `idr_alloc`). */
  baseName(raw: string): string {
    let base = this.bases.get(raw);
    if (base === undefined) this.bases.set(raw, (base = dropKprobeDecoration(dropGroup(raw))));
    return base;
  }

  private reduce(raw: string, symbol: string | undefined): string {
    const grouped = dropGroup(raw);
    const base = dropKprobeDecoration(grouped);
    for (const candidate of [raw, grouped, base]) {
      const known = this.known(candidate);
      if (known) return known;
    }
    if (symbol) {
      const known = this.known(symbol);
      if (known) return known;
    }
    return base;
  }

  /** Is a resolved name one the rules know (so that it wins when a return probe and its entry disagree)? */
  isKnown(resolved: string): boolean {
    return isVocabulary(resolved) || SPELLING_TARGETS.has(resolved) || this.directives.isMapped(resolved);
  }

  private known(name: string): string | undefined {
    if (this.directives.isMapped(name)) return this.directives.eventName(name);
    if (isVocabulary(name)) return name;
    return KERNEL_SPELLINGS[name];
  }
}
