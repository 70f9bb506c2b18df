// What a patch of the series does to the races, read from its text: its hunks
// (parsed with parse-diff) with their place in the patch file, and the removed
// lines that carried an unsafe ordering. Pure (no vscode) for unit tests.
import parseDiff from 'parse-diff';
import type { RuleId } from '../rules/finding';

export interface RemovedOrdering {
  /** 0-based line in the patch file. */
  line: number;
  rule: RuleId;
  message: string;
}

export interface PatchHunk {
  /** 0-based line of the `@@` header in the patch file. */
  line: number;
  /** The file the hunk changes (`dm.c`). */
  file: string;
  oldStart: number;
  newStart: number;
  /** The function named after the `@@ ... @@` header, if any. */
  context: string;
  removed: RemovedOrdering[];
}

const ACQUIRE = /\b(?:down|spin_lock(?:_irq|_irqsave|_bh)?|mutex_lock(?:_interruptible)?)\s*\(\s*&\s*(\w+)/;
const RELEASE = /\b(?:up|spin_unlock(?:_irq|_irqrestore|_bh)?|mutex_unlock)\s*\(\s*&\s*(\w+)/;
/** Calls that return with the lookup lock already dropped. */
const UNLOCKING_LOOKUP = /\bdm_find_md\s*\(/;
const PRE_GET_SLEEPING = /\bidr_pre_get\s*\([^)]*GFP_KERNEL/;
const DM_GET = /\bdm_get\s*\(/;
const IDR_STORE = /\bidr_get_new\w*\s*\(\s*&\s*\w+\s*,\s*([\w>-]+)/;
const UNLOCKED_FINAL_PUT = /\batomic_dec_and_test\s*\(\s*&\s*md->holders/;
const LATE_INIT = /\b(?:atomic_set\s*\(\s*&\s*md->pending|init_waitqueue_head\s*\(\s*&\s*md->(?:wait|eventq))\b/;

/** A statement without its comment and surrounding blanks: how a moved line is recognised. */
function statement(line: string): string {
  return line.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
}

interface OldSideLine {
  patchLine: number;
  text: string;
  removed: boolean;
}

/** Removed lines of one hunk's old side that carried one of the race orderings. */
function unsafeRemovals(old: OldSideLine[], added: ReadonlySet<string>): RemovedOrdering[] {
  const out: RemovedOrdering[] = [];
  const held: string[] = [];
  let released: string | undefined;
  for (const l of old) {
    const code = statement(l.text);
    if (l.removed) {
      if (PRE_GET_SLEEPING.test(code) && held.length > 0) {
        out.push({ line: l.patchLine, rule: 'DMR4', message: `removes idr_pre_get(GFP_KERNEL) made while holding ${held.join(', ')}: it may sleep, which is a bug once ${held[held.length - 1]} is a spinlock (DMR4 sleep-in-atomic)` });
      } else if (DM_GET.test(code) && released !== undefined && held.length === 0) {
        out.push({ line: l.patchLine, rule: 'DMR2', message: `removes a dm_get taken after the lookup dropped ${released}: a final put may free md in between and this get resurrects it (DMR2 stale-lookup-get)` });
      } else {
        const store = IDR_STORE.exec(code);
        if (store && store[1] !== 'MINOR_ALLOCED' && store[1] !== 'NULL') {
          out.push({ line: l.patchLine, rule: 'DMR1', message: `removes the store of ${store[1]} in the minor IDR before ${store[1]} is initialised: a lookup can find it half-built (DMR1 publish-before-init)` });
        } else if (UNLOCKED_FINAL_PUT.test(code)) {
          out.push({ line: l.patchLine, rule: 'DMR2', message: 'removes a final put that drops holders to 0 without the lookup lock: a lookup can still find md and take a reference while free_dev runs (DMR2 stale-lookup-get)' });
        } else if (LATE_INIT.test(code) && added.has(code)) {
          out.push({ line: l.patchLine, rule: 'DMR6', message: `moves "${code}" from after add_disk to before it: an opener woken by the add uevent could use it uninitialised (DMR6 register-before-init)` });
        }
      }
    }
    const acquire = ACQUIRE.exec(code);
    const release = RELEASE.exec(code);
    if (acquire) held.push(acquire[1]);
    if (release) {
      const k = held.lastIndexOf(release[1]);
      if (k >= 0) held.splice(k, 1);
      released = release[1];
    }
    if (UNLOCKING_LOOKUP.test(code) && !acquire) released = 'the lookup lock (dm_find_md returns after unlocking)';
  }
  return out;
}

/** The hunks of a patch or diff file, placed on the patch file's lines. */
export function analyzePatch(text: string): PatchHunk[] {
  const lines = text.split(/\r?\n/);
  const files = parseDiff(text);
  const hunks: PatchHunk[] = [];
  // parse-diff keeps hunks in file order; find each header's line in the same order.
  let cursor = 0;
  const added = new Set<string>();
  for (const file of files) for (const chunk of file.chunks) for (const c of chunk.changes) if (c.type === 'add') added.add(statement(c.content.slice(1)));
  for (const file of files) {
    for (const chunk of file.chunks) {
      while (cursor < lines.length && !lines[cursor].startsWith('@@ ')) cursor++;
      if (cursor >= lines.length) return hunks;
      const header = cursor++;
      const old: OldSideLine[] = [];
      for (const change of chunk.changes) {
        // Each change is the next line of the patch with that exact content (skipping "\ No newline" markers).
        while (cursor < lines.length && lines[cursor] !== change.content) cursor++;
        if (cursor >= lines.length) break;
        if (change.type !== 'add') old.push({ patchLine: cursor, text: change.content.slice(1), removed: change.type === 'del' });
        cursor++;
      }
      hunks.push({
        line: header,
        file: (file.to && file.to !== '/dev/null' ? file.to : file.from) ?? '',
        oldStart: chunk.oldStart,
        newStart: chunk.newStart,
        context: /^@@[^@]*@@\s*(.*)$/.exec(lines[header])?.[1] ?? '',
        removed: unsafeRemovals(old, added),
      });
    }
  }
  return hunks;
}
