// `perf script` output (spec section 6):
//
//   comm  tid [cpu] seconds: group:event: (ip) key=val ...
//
// comm is right-aligned and may hold spaces; `pid/tid` appears when both
// fields are asked for (the tid names the task); the `[cpu]` column is absent
// when the recording had no cpu sample field (cpu 0 then). The task is read
// leftwards from the timestamp: the first `seconds:` token with a tid before it.

import type { Trace } from '../model';
import type { LineParser } from '../parse';
import { isDigit, quote, skipBlanks, tokenEnd } from '../scan';
import { readProbeBody } from './fields';
import { RecordedTrace, secondsToNs, type RecordedOptions } from './recordedTrace';

/** An indented callchain line: `\t    ffffffffc04a1c30 dm_get_md+0x30 ([dm_mod])`; group 1 is the function. */
const CALLCHAIN_FRAME = /^\s+[0-9a-f]{4,16}\s+([^\s+(]+)/;

/** comm can hold a few words; the timestamp is never further than this many tokens in. */
const MAX_HEAD_TOKENS = 12;

export class PerfScriptParser implements LineParser {
  private readonly out: RecordedTrace;
  private readonly starts = new Int32Array(MAX_HEAD_TOKENS);
  private readonly ends = new Int32Array(MAX_HEAD_TOKENS);

  constructor(options: RecordedOptions = {}) {
    this.out = new RecordedTrace('perf-script', { ...options, timeOrdered: false });
  }

  line(text: string, lineNo: number): void {
    const first = skipBlanks(text, 0);
    if (first === text.length || this.out.comment(text, lineNo)) return;
    if (first > 0 && CALLCHAIN_FRAME.test(text)) {
      this.callchainFrame(text);
      return;
    }
    this.frames = -1;
    const { starts, ends } = this;
    let p = first;
    for (let t = 0; t < MAX_HEAD_TOKENS && p < text.length; t++) {
      const end = tokenEnd(text, p);
      starts[t] = p;
      ends[t] = end;
      p = skipBlanks(text, end);
      if (t === 0 || text.charCodeAt(end - 1) !== 58 /* : */) continue;
      const timeNs = secondsToNs(text, starts[t], end - 1);
      if (Number.isNaN(timeNs)) continue;
      let k = t - 1;
      let cpu = 0;
      if (text.charCodeAt(starts[k]) === 91 /* [ */ && text.charCodeAt(ends[k] - 1) === 93 /* ] */ && allDigitsIn(text, starts[k] + 1, ends[k] - 1)) {
        cpu = Number(text.slice(starts[k] + 1, ends[k] - 1));
        k--;
      }
      if (k < 1) break;
      const slash = text.indexOf('/', starts[k]);
      const tidStart = slash >= 0 && slash < ends[k] ? slash + 1 : starts[k];
      if (!allDigitsIn(text, starts[k], tidStart > starts[k] ? tidStart - 1 : ends[k]) || !allDigitsIn(text, tidStart, ends[k])) break;
      const tid = text.slice(tidStart, ends[k]);
      if (!this.out.inRange('time', timeNs, text, starts[t], end - 1, lineNo)) return;
      if (cpu > 0 && !this.out.inRange('cpu', cpu, text, starts[t - 1] + 1, ends[t - 1] - 1, lineNo)) return;
      const comm = text.slice(first, ends[k - 1]);
      this.event(text, end, lineNo, { comm, tid, cpu, timeNs });
      return;
    }
    this.out.builder.error(lineNo, first + 1, 'not a perf script line: expected "comm tid [cpu] seconds: group:event: ..."', tokenEnd(text, first) + 1);
  }

  finish(): Trace {
    return this.out.finish();
  }

  /**
   * `perf record -g` prints the callchain under each sample, innermost frame
   * first: the first frame is the probed function, the second its caller,
   * which becomes the call context of the event just read.
   */
  private callchainFrame(text: string): void {
    if (this.frames < 0) return;
    this.frames++;
    if (this.frames !== 2) return;
    const m = CALLCHAIN_FRAME.exec(text);
    if (m) this.out.setLastCaller(m[1]);
  }
  /** Callchain frames seen after the last event (-1: not collecting). */
  private frames = -1;

  private event(text: string, p: number, lineNo: number, at: { comm: string; tid: string; cpu: number; timeNs: number }): void {
    let q = skipBlanks(text, p);
    // a sampling event prints its period first (`1 cycles:`)
    const periodEnd = tokenEnd(text, q);
    if (allDigitsIn(text, q, periodEnd)) q = skipBlanks(text, periodEnd);
    const end = tokenEnd(text, q);
    if (end - q < 2 || text.charCodeAt(end - 1) !== 58 /* : */) {
      this.out.builder.error(lineNo, q + 1, `expected "group:event:" after the timestamp, found ${quote(text, q, end)}`, end + 1);
      return;
    }
    const body = readProbeBody(text, end);
    this.frames = body.returnSite === undefined ? 0 : -1;
    this.out.add({
      timeNs: at.timeNs,
      cpu: at.cpu,
      taskKey: at.tid === '0' ? `0@${at.cpu}` : at.tid,
      taskName: `${at.comm}/${at.tid}`,
      name: text.slice(q, end - 1),
      symbol: body.symbol,
      args: body.args,
      line: lineNo,
      caller: body.returnSite,
    });
  }
}

function allDigitsIn(text: string, from: number, to: number): boolean {
  if (from >= to || to - from > 20) return false;
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}
