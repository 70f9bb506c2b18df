// What the patch series is, without the editor: which patch closes which race
// (the rules' fixedBy, docs/rules.md) and how a patch file names its number
// and subject. Pure, for unit tests and the views.
import { RULES, RULE_IDS, type RuleId } from '../rules/finding';

export { PATCH_IDS } from '../simulate/config';

/** The workspace files that may be patches of the series (`0004-dm-....patch`, or `.diff`). */
export const PATCH_FILE_GLOB = '**/0[0-9][0-9][0-9]-*.{patch,diff}';
/** Any patch file: a change to one may change what PATCH_FILE_GLOB finds. */
export const ANY_PATCH_GLOB = '**/*.{patch,diff}';
/** `Subject: [PATCH 4/8] ...`: the patch's number in a mail or `git format-patch` file. */
const PATCH_SUBJECT = /^Subject:\s*\[PATCH\s+(\d+)\/\d+\]/;

/** The rules a patch (`04`) closes, alone or together with other patches. */
export function rulesClosedBy(patch: string): RuleId[] {
  return RULE_IDS.filter((id) => RULES[id].fixedBy.includes(patch));
}

/** `Closes DMR2 stale-lookup-get (with 06)` for a patch, or undefined for a patch that closes no race. */
export function closesText(patch: string, rules: RuleId[] = rulesClosedBy(patch)): string | undefined {
  if (rules.length === 0) return undefined;
  return rules
    .map((id) => {
      const others = RULES[id].fixedBy.filter((p) => p !== patch);
      return `${id} ${RULES[id].name}${others.length ? ` (with ${others.join(' + ')})` : ''}`;
    })
    .join(', ');
}

/** The patch number of a file: `[PATCH 4/8]` in its Subject, else a `0004-` file name prefix. */
export function patchNumberOf(fileName: string, head: string): string | undefined {
  const subject = new RegExp(PATCH_SUBJECT.source, 'm').exec(head);
  const n = subject ? Number(subject[1]) : Number(/(?:^|[\\/])0*(\d{1,3})-[^\\/]*$/.exec(fileName)?.[1] ?? NaN);
  return Number.isFinite(n) && n > 0 ? String(n).padStart(2, '0') : undefined;
}

/** `dm: take the lookup's reference before dropping _minor_lock` from a patch's headers. */
export function patchSubject(text: string): string | undefined {
  const m = /^Subject:\s*(?:\[PATCH[^\]]*\]\s*)?(.*(?:\n[ \t]+.*)*)/m.exec(text);
  return m ? m[1].replace(/\n[ \t]+/g, ' ').trim() : undefined;
}

/**
 * The patch number each line of a patch file or mbox belongs to: the last
 * `Subject: [PATCH n/m]` above it, else the file name's `00NN-` prefix.
 * Returns a function of the 0-based line.
 */
export function patchNumberAt(fileName: string, text: string): (line: number) => string | undefined {
  const subjects: { line: number; id: string }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    const m = PATCH_SUBJECT.exec(l);
    if (m) subjects.push({ line: i, id: String(Number(m[1])).padStart(2, '0') });
  });
  const fallback = patchNumberOf(fileName, '');
  return (line) => {
    let id = fallback;
    for (const s of subjects) if (s.line <= line) id = s.id;
    return id;
  };
}

