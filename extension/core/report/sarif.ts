// SARIF 2.1.0: the same findings as JSON, with the race's interleaving as a
// codeFlow of one threadFlow per task (executionOrder = the witness order).

import type * as Sarif from 'sarif';
import type { Analysis } from '../analyze';
import { RULES, type Finding, type RuleId } from '../rules/finding';
import { LazyArray, jsonPieces } from './jsonText';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const RULE_IDS = Object.keys(RULES) as RuleId[];

export function toSarif(analysis: Analysis, fileUri: string, toolVersion: string): Sarif.Log {
  return sarifLog(analysis, fileUri, toolVersion, (result) => analysis.findings.map(result)) as Sarif.Log;
}

/** The log as text in pieces (JSON.stringify(toSarif(...), null, 2)); each result is made as it is written. */
export function sarifPieces(analysis: Analysis, fileUri: string, toolVersion: string, indent = ''): Generator<string> {
  return jsonPieces(sarifLog(analysis, fileUri, toolVersion, (result) => new LazyArray(() => lazyMap(analysis.findings, result))), indent);
}

function* lazyMap<T, U>(items: readonly T[], f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

function sarifLog(analysis: Analysis, fileUri: string, toolVersion: string, results: (result: (f: Finding) => Sarif.Result) => unknown): unknown {
  const { trace, diagnostics } = analysis;
  const location = (line: number, message?: string): Sarif.Location => ({
    physicalLocation: { artifactLocation: { uri: fileUri, index: 0 }, region: { startLine: line } },
    ...(message ? { message: { text: message } } : {}),
  });
  const result = (f: Finding): Sarif.Result => ({
    ruleId: f.rule,
    ruleIndex: RULE_IDS.indexOf(f.rule),
    level: f.severity,
    message: { text: f.message },
    locations: [location(trace.line[f.primary])],
    relatedLocations: f.related.map((e, k) => ({ id: k + 1, ...location(trace.line[e], `${trace.taskName(e)}: ${trace.describe(e)}`) })),
    codeFlows: [{ message: { text: 'witness schedule' }, threadFlows: threadFlows(analysis, f, location) }],
    partialFingerprints: { primaryEvent: `${f.rule}:${trace.taskName(f.primary)}:${trace.seq[f.primary]}` },
    properties: { md: f.md, fixedBy: f.fixedBy, consequence: f.consequence, ...(f.uncertain ? { uncertain: true } : {}) },
  });
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA,
    runs: [
      {
        tool: {
          driver: {
            name: 'dm-race-lens',
            version: toolVersion,
            informationUri: 'https://github.com/dm-race-lens/dm-race-lens',
            rules: RULE_IDS.map((id) => ({
              id,
              name: RULES[id].name,
              shortDescription: { text: RULES[id].title },
              fullDescription: { text: `${RULES[id].title}. Consequence: ${RULES[id].consequence}. Closed by patch ${RULES[id].fixedBy.join(' + ')}.` },
              defaultConfiguration: { level: 'error' },
              properties: { fixedBy: RULES[id].fixedBy },
            })),
          },
        },
        artifacts: [{ location: { uri: fileUri }, sourceLanguage: 'dmtrace' }],
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: diagnostics.map((d) => ({
              level: d.severity,
              message: { text: d.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: fileUri, index: 0 }, region: { startLine: d.line, startColumn: d.column } } }],
            })),
          },
        ],
        results: results(result),
      },
    ],
  };
}

/** One threadFlow per task of the witness, its steps numbered in witness order. */
function threadFlows({ trace }: Analysis, f: Finding, location: (line: number, message?: string) => Sarif.Location): Sarif.ThreadFlow[] {
  const byTask = new Map<number, Sarif.ThreadFlowLocation[]>();
  f.witness.forEach((step, order) => {
    if (step.event === undefined) return;
    const task = trace.task[step.event];
    const list = byTask.get(task) ?? [];
    list.push({ location: location(trace.line[step.event], step.text), executionOrder: order + 1, nestingLevel: 0 });
    byTask.set(task, list);
  });
  return [...byTask].map(([task, locations]) => ({ id: trace.tasks[task].name, locations }));
}
