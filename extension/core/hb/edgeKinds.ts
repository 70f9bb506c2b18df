// The kinds of happens-before edge besides program order (docs/happens-before.md),
// in the order their ids are stored: the one list the analysis, the graph model
// and the webview's colours, dashes and legend all derive from.

export const EDGE_KINDS = ['lock', 'reads-from', 'uevent', 'declared', 'task', 'module'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];
