// `perf script` output (spec section 6):
//
//   comm  tid [cpu] seconds: group:event: (ip) key=val ...
//
// comm is right-aligned and may hold spaces; `pid/tid` appears when both
// fields are asked for (the tid names the task); the `[cpu]` column is absent
// when the recording had no cpu sample field (cpu 0 then). The task is read
// leftwards from the timestamp, the first `seconds:` token with a tid before it.

import type { Trace } from '../model';
import type { LineParser } from '../parse';
import { skipBlanks, tokenEnd } from '../scan';
import { readProbeBody } from './fields';
import { RecordedTrace, secondsToNs, type RecordedOptions } from './recordedTrace';
import { isUnsigned, tokens } from './tokens';

export class PerfScriptParser implements LineParser {
  private readonly out: RecordedTrace;

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('perf-script', { ...options, timeOrdered: false });
  }

  line(text: string, lineNo: number): void {
    const first = skipBlanks(text, 0);
    if (first === text.length || this.out.comment(text, lineNo)) return;
    // the first tokens are enough to find comm, tid, cpu and time even when comm has spaces
    const head = tokens(text, first, 12);
    for (let t = 1; t < head.length; t++) {
      const tok = head[t].text;
      if (!tok.endsWith(':')) continue;
      const timeNs = secondsToNs(tok.slice(0, -1));
      if (Number.isNaN(timeNs)) continue;
      let k = t - 1;
      let cpu = 0;
      const cpuMatch = /^\[(\d+)\]$/.exec(head[k].text);
      if (cpuMatch) {
        cpu = Number(cpuMatch[1]);
        k--;
      }
      if (k < 1) break;
      const ids = head[k].text.split('/');
      if (ids.length > 2 || !ids.every(isUnsigned)) break;
      const tid = ids[ids.length - 1];
      const comm = text.slice(first, head[k - 1].end);
      this.event(text, head[t].end, lineNo, { comm, tid, cpu, timeNs });
      return;
    }
    this.out.builder.error(lineNo, first + 1, 'not a perf script line: expected "comm tid [cpu] seconds: group:event: ..."', tokenEnd(text, first) + 1);
  }

  finish(): Trace {
    return this.out.finish();
  }

  private event(text: string, p: number, lineNo: number, at: { comm: string; tid: string; cpu: number; timeNs: number }): void {
    const q = skipBlanks(text, p);
    const end = tokenEnd(text, q);
    const name = text.slice(q, end);
    if (!name.endsWith(':') || name.length < 2) {
      this.out.builder.error(lineNo, q + 1, `expected "group:event:" after the timestamp, found "${name}"`, end + 1);
      return;
    }
    const body = readProbeBody(text, end);
    const taskKey = at.tid === '0' ? `0@${at.cpu}` : at.tid;
    this.out.add({
      timeNs: at.timeNs,
      cpu: at.cpu,
      taskKey,
      taskName: `${at.comm}/${at.tid}`,
      name: name.slice(0, -1),
      symbol: body.symbol,
      args: body.args,
      line: lineNo,
      caller: body.returnSite,
    });
  }
}
