// How a Trace crosses a thread boundary (the editor's analysis worker): its
// strings as an array, its typed-array columns transferred, not copied.
import { StringTable, Trace, type Columns, type Diagnostic, type SourceMapping, type TraceFormat } from './model';

export interface SerializedTrace {
  format: TraceFormat;
  strings: string[];
  columns: Columns;
  tasks: Trace['tasks'];
  diagnostics: Diagnostic[];
  declaredEdges: Trace['declaredEdges'];
  gaps: Trace['gaps'];
  lockDeclarations: Trace['lockDeclarations'];
  ownerDeclarations: Trace['ownerDeclarations'];
  sources: [string, SourceMapping][];
  callers: [number, string][];
  callEntryLine: [number, number][];
}

const COLUMN_NAMES: readonly (keyof Columns)[] = ['time', 'cpu', 'task', 'name', 'line', 'seq', 'argStart', 'argKey', 'argValue', 'argKeys', 'srcEvent', 'srcFile', 'srcLine'];

export function serializeTrace(trace: Trace): { data: SerializedTrace; transfer: ArrayBuffer[] } {
  const strings: string[] = [];
  for (let id = 0; ; id++) {
    const s = trace.strings.get(id);
    if (s === undefined) break;
    strings.push(s);
  }
  const columns: Partial<Record<keyof Columns, Columns[keyof Columns]>> = {};
  const transfer: ArrayBuffer[] = [];
  for (const name of COLUMN_NAMES) {
    // A trimmed column is a view on a bigger buffer: copy it so only its bytes cross.
    const copy = trace[name].slice();
    columns[name] = copy;
    transfer.push(copy.buffer as ArrayBuffer);
  }
  return {
    data: {
      format: trace.format,
      strings,
      columns: columns as Columns,
      tasks: trace.tasks,
      diagnostics: trace.diagnostics,
      declaredEdges: trace.declaredEdges,
      gaps: trace.gaps,
      lockDeclarations: trace.lockDeclarations,
      ownerDeclarations: trace.ownerDeclarations,
      sources: [...trace.sources],
      callers: [...trace.callers],
      callEntryLine: [...trace.callEntryLine],
    },
    transfer,
  };
}

export function deserializeTrace(data: SerializedTrace): Trace {
  const strings = new StringTable({ numbers: true });
  // The table starts with the vocabulary and keys in the same order, so ids match.
  for (const s of data.strings) strings.intern(s);
  return new Trace(
    data.format,
    strings,
    data.columns,
    data.tasks,
    data.diagnostics,
    data.declaredEdges,
    data.gaps,
    data.lockDeclarations,
    new Map(data.sources),
    new Map(data.callers),
    data.ownerDeclarations,
    new Map(data.callEntryLine),
  );
}
