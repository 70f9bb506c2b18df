// The extension's settings, read in one place (names match package.json contributes.configuration).
import * as vscode from 'vscode';
import { RULE_IDS, type RuleId } from '../core/rules/finding';

export type SeveritySetting = 'default' | 'error' | 'warning' | 'information' | 'hint' | 'off';

export interface Settings {
  severity: Record<RuleId, SeveritySetting>;
  /** Files at or above this size (bytes) or line count are analysed in a worker thread. */
  workerThresholdBytes: number;
  workerThresholdLines: number;
  /** Milliseconds between the last edit and re-analysis. */
  debounceMs: number;
  /** Extra event-name mappings for recorded traces (`probe` -> vocabulary event). */
  eventMap: Record<string, string>;
  /** A Linux kernel tree used to find the source of function names. */
  kernelTree: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('dmRaceLens', scope);
  const severity = {} as Record<RuleId, SeveritySetting>;
  for (const id of RULE_IDS) severity[id] = c.get<SeveritySetting>(`severity.${id}`, 'default');
  return {
    severity,
    workerThresholdBytes: c.get<number>('worker.thresholdBytes', 5 * 1024 * 1024),
    workerThresholdLines: c.get<number>('worker.thresholdLines', 200_000),
    debounceMs: c.get<number>('analysis.debounceMs', 300),
    eventMap: c.get<Record<string, string>>('eventMap', {}),
    kernelTree: c.get<string>('kernelTree', ''),
  };
}
