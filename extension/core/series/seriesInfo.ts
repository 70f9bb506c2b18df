// What the patch series is, without the editor: which patch closes which race
// (the rules' fixedBy, docs/rules.md) and how a patch file names its number
// and subject. Pure, for unit tests and the views.
import { RULES, RULE_IDS, type RuleId } from '../rules/finding';

export { PATCH_IDS } from '../simulate/config';

/** The extensions of a patch file: `git format-patch` writes `.patch`; a `.diff` is read too. */
const PATCH_EXTENSIONS = ['patch', 'diff'];
/**
 * A patch of the series by its `git format-patch` name, `0004-dm-take-the-lookup-s-ref.patch`:
 * four digits, the first a 0, then `-`. The editor's workspace search (PATCH_FILE_GLOB)
 * and the simulator's series (loadModelSeries) both go by patchNumberOfFileName.
 */
const PATCH_FILE_NAME = new RegExp(`^(0\\d{3})-.*\\.(?:${PATCH_EXTENSIONS.join('|')})$`);
/** The workspace files that may be patches of the series: the glob of PATCH_FILE_NAME. */
export const PATCH_FILE_GLOB = `**/0[0-9][0-9][0-9]-*.{${PATCH_EXTENSIONS.join(',')}}`;
/** Any patch file: a change to one may change what PATCH_FILE_GLOB finds. */
export const ANY_PATCH_GLOB = `**/*.{${PATCH_EXTENSIONS.join(',')}}`;
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

/**
 * The patch number (`04`) a file's name gives it, `0004-....patch` or `.diff` in
 * any folder; undefined for another name, and for `0000-cover-letter.patch`.
 */
export function patchNumberOfFileName(path: string): string | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return patchId(Number(PATCH_FILE_NAME.exec(name)?.[1] ?? 0));
}

/** The patch number of a file: `[PATCH 4/8]` in its Subject, else its file name's (patchNumberOfFileName). */
export function patchNumberOf(fileName: string, head: string): string | undefined {
  const subject = new RegExp(PATCH_SUBJECT.source, 'm').exec(head);
  return subject ? patchId(Number(subject[1])) : patchNumberOfFileName(fileName);
}

/** `04` for patch 4; undefined for 0 (a cover letter). */
function patchId(n: number): string | undefined {
  return n > 0 ? String(n).padStart(2, '0') : undefined;
}

/** `dm: take the lookup's reference before dropping _minor_lock` from a patch's headers. */
export function patchSubject(text: string): string | undefined {
  const m = /^Subject:\s*(?:\[PATCH[^\]]*\]\s*)?(.*(?:\n[ \t]+.*)*)/m.exec(text);
  return m ? m[1].replace(/\n[ \t]+/g, ' ').trim() : undefined;
}

/**
 * The patch number each line of a patch file or mbox belongs to: the last
 * `Subject: [PATCH n/m]` above it, else the file name's number (patchNumberOfFileName).
 * Returns a function of the 0-based line.
 */
export function patchNumberAt(fileName: string, text: string): (line: number) => string | undefined {
  const subjects: { line: number; id: string }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    const m = PATCH_SUBJECT.exec(l);
    if (m) subjects.push({ line: i, id: String(Number(m[1])).padStart(2, '0') });
  });
  const fallback = patchNumberOfFileName(fileName);
  return (line) => {
    let id = fallback;
    for (const s of subjects) if (s.line <= line) id = s.id;
    return id;
  };
}

