// `dm-race-lens analyze FILE... [--format text|json|sarif|perfetto] [--input-format FMT] [--map probe=event]`
// Exit status (spec section 5): 0 no finding is an error, 1 at least one is, 2 an input could not be read.

import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Analysis } from '../core/analyze';
import { toJson } from '../core/report/json';
import { toPerfetto, writePerfetto } from '../core/report/perfetto';
import { toSarif } from '../core/report/sarif';
import { toText } from '../core/report/text';
import type { TraceFormat } from '../core/trace/model';
import { analyzeFile } from '../core/trace/readFile';
import { parseArgs, type CliIO } from './args';
import { version } from '../../package.json';

const FORMATS = ['text', 'json', 'sarif', 'perfetto'] as const;
const INPUT_FORMATS: TraceFormat[] = ['dmtrace', 'ftrace', 'trace-cmd', 'perf-script', 'bpftrace', 'chrome-json'];

export async function analyzeCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { format: 'one', 'input-format': 'one', map: 'many' });
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
  if (args.positional.length === 0) return io.usage('analyze needs a trace file');

  let status = 0;
  const reports: unknown[] = [];
  for (const file of args.positional) {
    let analysis: Analysis;
    try {
      if (statSync(file).isDirectory()) throw new Error('is a directory');
      analysis = await analyzeFile(file, { fileName: file, format: inputFormat, map });
    } catch (e) {
      io.error(`dm-race-lens: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      status = 2;
      continue;
    }
    if (status < 2 && analysis.findings.some((f) => f.severity === 'error')) status = 1;
    if (format === 'text') io.out(toText(analysis, file));
    else if (format === 'json') reports.push(toJson(analysis));
    else if (format === 'perfetto') {
      // one trace is written as it is made (millions of events never become one string); several make an array
      if (args.positional.length === 1) writePerfetto(analysis, io.out);
      else reports.push(toPerfetto(analysis));
    }
    else reports.push(toSarif(analysis, pathToFileURL(file).href, version));
  }
  if (format !== 'text' && reports.length > 0) io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  return status;
}
