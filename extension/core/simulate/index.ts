// The simulated half of dm-race-lens: the model's semantics, the scenarios,
// the exploration and the race x patch matrix. No vscode import.

export { PATCH_IDS, PatchConfig, matrixConfigs, type PatchId } from './config';
export { SCENARIOS, scenarioNamed, type Scenario } from './scenarios';
export { explore, DEFAULT_PREEMPTION_BOUND, type ExploreOptions, type ExplorationStats } from './explore';
export { runScenario, type ScenarioRun, type AnalysedSchedule } from './runScenario';
export { raceMatrix, racesClosedByPatch, formatMatrix, type MatrixResult, type ConfigResult } from './matrix';
export { writeDmtrace, recordOf, type ScheduleRecord } from './dmtraceWriter';
export { ModelSeries, applyPatch, markerLines, type SourceFiles } from './modelSource';
export { simulatedSamples, sourcePathFor, witnessFileName } from './samples';
