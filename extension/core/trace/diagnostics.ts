// The cap on stored input diagnostics. A file of millions of bad lines would
// otherwise hold millions of messages (10M lines of garbage: a heap abort; 3M:
// a 500 MB JSON report). The first MAX_PER_KIND errors and the first
// MAX_PER_KIND warnings are kept; the rest are counted, and one summary
// diagnostic per kind says how many were left out, so every view (text, JSON,
// SARIF, the editor's Problems panel) tells the user.

import type { Diagnostic, Severity } from './model';

export const MAX_PER_KIND = 1000;

/** The diagnostics of one kind that were counted but not kept, and where the first of them was. */
export interface Omitted {
  severity: Severity;
  count: number;
  line: number;
  column: number;
}

/** Diagnostics collected with the cap: `list` holds at most MAX_PER_KIND of each severity. */
export class CappedDiagnostics {
  readonly list: Diagnostic[] = [];
  private readonly kept: Record<Severity, number> = { error: 0, warning: 0 };
  private readonly left: Partial<Record<Severity, Omitted>> = {};

  add(d: Diagnostic): void {
    if (this.kept[d.severity] < MAX_PER_KIND) {
      this.kept[d.severity]++;
      this.list.push(d);
    } else this.addOmitted({ severity: d.severity, count: 1, line: d.line, column: d.column });
  }

  /** Counts diagnostics left out (here, or by an earlier cap such as the parser's). */
  addOmitted(o: Omitted): void {
    const known = this.left[o.severity];
    if (!known) this.left[o.severity] = { ...o };
    else {
      known.count += o.count;
      if (o.line < known.line) Object.assign(known, { line: o.line, column: o.column });
    }
  }

  /** What was left out, per kind. */
  omitted(): Omitted[] {
    return [this.left.error, this.left.warning].filter((o): o is Omitted => o !== undefined);
  }

  /** The kept diagnostics sorted by position, then one summary per kind that had some left out. */
  finish(): Diagnostic[] {
    const out = this.list.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const o of this.omitted()) {
      const kind = o.severity === 'error' ? 'errors' : 'warnings';
      out.push({ line: o.line, column: o.column, severity: o.severity, message: `${o.count} more input ${kind} from here on are not listed: only the first ${MAX_PER_KIND} ${kind} are kept` });
    }
    return out;
  }
}
