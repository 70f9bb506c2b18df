// `dm-race-lens analyze FILE... [--format text|json|sarif|perfetto] [--input-format FMT] [--map probe=event] [--gfp-direct-reclaim BIT]`
// Exit status (README.md, "The command line"): 0 no finding is an error, 1 at least one is, 2 an input could not be read.

import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Analysis } from '../core/analyze';
import { analyzeFile } from '../core/node/readFile';
import { jsonReportPieces } from '../core/report/json';
import { compactPerfettoPieces, perfettoPieces } from '../core/report/perfetto';
import { sarifPieces } from '../core/report/sarif';
import { textPieces } from '../core/report/text';
import type { TraceFormat } from '../core/trace/model';
import { parseArgs, type CliIO } from './args';
import { version } from '../../package.json';

const FORMATS = ['text', 'json', 'sarif', 'perfetto'] as const;
const INPUT_FORMATS: TraceFormat[] = ['dmtrace', 'ftrace', 'trace-cmd', 'perf-script', 'bpftrace', 'chrome-json'];

export async function analyzeCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { format: 'one', 'input-format': 'one', map: 'many', 'gfp-direct-reclaim': 'one' });
  const format = (args.options.format ?? 'text') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) return io.usage(`unknown --format ${format}: expected ${FORMATS.join(', ')}`);
  const inputFormat = args.options['input-format'] as TraceFormat | undefined;
  if (inputFormat && !INPUT_FORMATS.includes(inputFormat)) return io.usage(`unknown --input-format ${inputFormat}: expected ${INPUT_FORMATS.join(', ')}`);
  const map: Record<string, string> = {};
  for (const m of args.many.map ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) return io.usage(`--map takes probe=event, not "${m}"`);
    map[m.slice(0, eq)] = m.slice(eq + 1);
  }
  const reclaim = args.options['gfp-direct-reclaim'];
  const gfpDirectReclaim = reclaim === undefined ? undefined : Number(reclaim);
  if (gfpDirectReclaim !== undefined && !(Number.isSafeInteger(gfpDirectReclaim) && gfpDirectReclaim > 0)) {
    return io.usage(`--gfp-direct-reclaim takes the value of __GFP_DIRECT_RECLAIM (e.g. 0x400), not "${reclaim}"`);
  }
  if (args.positional.length === 0) return io.usage('analyze needs a trace file');

  // Each report is written as soon as its file is analysed, in pieces (never one string); with several
  // files the machine-readable formats are one JSON array of the reports of the files that could be read.
  let status = 0;
  const several = format !== 'text' && args.positional.length > 1;
  let written = 0;
  for (const file of args.positional) {
    let analysis: Analysis;
    try {
      if (statSync(file).isDirectory()) throw new Error('is a directory');
      analysis = await analyzeFile(file, { fileName: file, format: inputFormat, map, gfpDirectReclaim });
    } catch (e) {
      io.error(`dm-race-lens: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      status = 2;
      continue;
    }
    if (status < 2 && analysis.findings.some((f) => f.severity === 'error')) status = 1;
    const indent = several ? '  ' : '';
    const pieces =
      format === 'text' ? textPieces(analysis, file)
      : format === 'json' ? jsonReportPieces(analysis, indent)
      : format === 'sarif' ? sarifPieces(analysis, pathToFileURL(file).href, version, indent)
      // one trace in the compact layout, one event per line; several as an array of pretty-printed traces
      : several ? perfettoPieces(analysis, indent) : compactPerfettoPieces(analysis);
    if (several) io.out(written === 0 ? '[\n  ' : ',\n  ');
    await io.write(pieces);
    if (format !== 'text' && format !== 'perfetto' && !several) io.out('\n');
    written++;
  }
  if (several && written > 0) io.out('\n]\n');
  return status;
}
