// bpftrace output in the printf layout the project documents (spec section 6):
//
//   nsecs cpu tid comm event key=val ...
//
// e.g. `printf("%llu %d %d %s dm_get md=0x%lx\n", nsecs, cpu, tid, comm, arg0)`.
// comm may hold spaces, so the line is read from both ends: three numbers on
// the left, key=value tokens on the right, the event just before them, comm
// in between. Per-cpu perf buffers reach user space interleaved, so events
// are put in time order (ties keep file order) before the analysis.

import type { Trace } from '../model';
import type { LineParser } from '../parse';
import { skipBlanks, tokenEnd } from '../scan';
import { RecordedTrace, type RecordedOptions } from './recordedTrace';
import { isUnsigned, tokens } from './tokens';

export class BpftraceParser implements LineParser {
  private readonly out: RecordedTrace;

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('bpftrace', { ...options, timeOrdered: true });
  }

  line(text: string, lineNo: number): void {
    const first = skipBlanks(text, 0);
    if (first === text.length || this.out.comment(text, lineNo)) return;
    // bpftrace's own messages, and the maps it prints at exit (`@holders[...]: 3`)
    if (text.startsWith('Attaching ', first) || text.charCodeAt(first) === 64 /* @ */) return;
    const lost = /^Lost (\d+) events/.exec(text.slice(first, first + 40));
    if (lost) {
      this.out.gap(-1, Number(lost[1]), lineNo, first + 1, first + lost[0].length + 1);
      return;
    }
    const toks = tokens(text, first);
    const bad = (at: number, message: string, end = tokenEnd(text, at)) => this.out.builder.error(lineNo, at + 1, message, end + 1);
    if (toks.length < 5) {
      bad(first, 'not a bpftrace event line: expected "nsecs cpu tid comm event key=val ..."', text.length);
      return;
    }
    for (let k = 0; k < 3; k++) {
      if (!isUnsigned(toks[k].text)) {
        bad(toks[k].start, `expected ${['nsecs', 'cpu', 'tid'][k]} (an unsigned number), found "${toks[k].text}"`);
        return;
      }
    }
    let e = toks.length;
    while (e > 5 && isKeyValue(toks[e - 1].text)) e--;
    const event = toks[e - 1];
    if (isKeyValue(event.text)) {
      bad(toks[3].start, 'missing comm or event name before the key=value arguments');
      return;
    }
    const args: [string, string][] = [];
    for (let k = e; k < toks.length; k++) {
      const eq = toks[k].text.indexOf('=');
      args.push([toks[k].text.slice(0, eq), toks[k].text.slice(eq + 1)]);
    }
    const tid = toks[2].text;
    const cpu = Number(toks[1].text);
    const comm = text.slice(toks[3].start, toks[e - 2].end);
    this.out.add({
      timeNs: Number(toks[0].text),
      cpu,
      taskKey: tid === '0' ? `0@${cpu}` : tid,
      taskName: `${comm}/${tid}`,
      name: event.text,
      args,
      line: lineNo,
    });
  }

  finish(): Trace {
    return this.out.finish();
  }
}

function isKeyValue(token: string): boolean {
  const eq = token.indexOf('=');
  return eq > 0 && eq < token.length - 1;
}
