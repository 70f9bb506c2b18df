// Directives (README.md, "The trace format in short"): `!lock`, `!source`, `!alias`, `!hb`, `!owner`, and the
// `!map` of docs/formats.md. The native format writes them as lines starting with
// `!`; the recorded text formats as comments `# !...`. Both go through here.

import type { TraceBuilder } from './builder';
import { moduleName } from './model';
import { LineError, allDigits, quote, readValue, skipBlanks, tokenEnd } from './scan';

export class DirectiveReader {
  private readonly aliases = new Map<string, string>();
  private readonly eventMap = new Map<string, string>();

  constructor(
    private readonly builder: TraceBuilder,
    map: Record<string, string> = {},
  ) {
    for (const [from, to] of Object.entries(map)) this.eventMap.set(from, to);
  }

  /** The value as the trace should see it: a raw value declared by `!alias` becomes its name. */
  alias(value: string): string {
    return this.aliases.size === 0 ? value : (this.aliases.get(value) ?? value);
  }

  /** An event name after `!map` and the configured mappings. */
  eventName(name: string): string {
    return this.eventMap.size === 0 ? name : (this.eventMap.get(name) ?? name);
  }

  /** False while no `!alias` is declared: values are then taken as written. */
  get hasAliases(): boolean {
    return this.aliases.size > 0;
  }

  /** False while no `!map` or setting maps event names: names are then taken as written. */
  get hasMappings(): boolean {
    return this.eventMap.size > 0;
  }

  /** Has `name` been mapped by `!map` or a setting? */
  isMapped(name: string): boolean {
    return this.eventMap.has(name);
  }

  /** Reads the directive whose `!` is at `p`. Throws LineError on a malformed one. */
  read(text: string, p: number, lineNo: number): void {
    const nameEnd = tokenEnd(text, p);
    const directive = text.slice(p, nameEnd);
    const args = fields(text, skipBlanks(text, nameEnd));
    const expect = (count: number, form: string) => {
      if (args.length !== count) {
        const at = args[count]?.column ?? text.length + 1;
        throw new LineError(args.length > count ? at : p + 1, `${directive} takes ${form}`, text.length + 1);
      }
    };
    switch (directive) {
      case '!lock': {
        expect(2, 'a lock name and its kind: !lock NAME spin|mutex');
        const kind = args[1].text;
        if (kind !== 'spin' && kind !== 'mutex') {
          throw new LineError(args[1].column, `unknown lock kind ${quote(kind)}: expected spin or mutex`, args[1].column + kind.length);
        }
        this.builder.lockDeclarations.push({ lock: this.alias(args[0].text), kind, line: lineNo });
        return;
      }
      case '!source': {
        expect(1, 'one FILE=PATH');
        const [file, path] = splitPair(args[0], 'FILE=PATH');
        const column = args[0].column + file.length + 1;
        this.builder.sources.set(file, { path: unquote(path, column), line: lineNo, column, endColumn: column + path.length });
        return;
      }
      case '!alias': {
        expect(1, 'one VALUE=NAME');
        const [value, name] = splitPair(args[0], 'VALUE=NAME');
        this.aliases.set(value, name);
        return;
      }
      case '!map': {
        expect(1, 'one NAME=EVENT');
        const [from, to] = splitPair(args[0], 'NAME=EVENT');
        this.eventMap.set(from, to);
        return;
      }
      case '!owner': {
        expect(1, 'one module name: !owner MOD');
        this.builder.ownerDeclarations.push({ module: moduleName(this.alias(args[0].text)), line: lineNo });
        return;
      }
      case '!hb': {
        if (args.length !== 3 || args[1].text !== '->') {
          throw new LineError(p + 1, '!hb takes TASK_A:SEQ -> TASK_B:SEQ', text.length + 1);
        }
        const from = taskSeq(args[0]);
        const to = taskSeq(args[2]);
        this.builder.declaredEdges.push({ fromTask: from.task, fromSeq: from.seq, toTask: to.task, toSeq: to.seq, line: lineNo, column: p + 1 });
        return;
      }
      default:
        throw new LineError(p + 1, `unknown directive ${quote(directive)}: expected !lock, !source, !alias, !hb, !owner or !map`, nameEnd + 1);
    }
  }
}

interface Field {
  text: string;
  /** 1-based column. */
  column: number;
}

function fields(text: string, p: number): Field[] {
  const out: Field[] = [];
  while (p < text.length) {
    const end = tokenEnd(text, p);
    out.push({ text: text.slice(p, end), column: p + 1 });
    p = skipBlanks(text, end);
  }
  return out;
}

function splitPair(field: Field, form: string): [string, string] {
  const eq = field.text.indexOf('=');
  if (eq <= 0 || eq === field.text.length - 1) {
    throw new LineError(field.column, `expected ${form}, found ${quote(field.text)}`, field.column + field.text.length);
  }
  return [field.text.slice(0, eq), field.text.slice(eq + 1)];
}

function unquote(value: string, column: number): string {
  if (!value.startsWith('"')) return value;
  try {
    return readValue(value, 0).value;
  } catch (e) {
    if (e instanceof LineError) throw new LineError(column + e.column - 1, e.message);
    throw e;
  }
}

function taskSeq(field: Field): { task: string; seq: number } {
  const colon = field.text.lastIndexOf(':');
  if (colon <= 0 || !allDigits(field.text, colon + 1, field.text.length) || !field.text.slice(0, colon).includes('/')) {
    throw new LineError(field.column, `expected TASK:SEQ (e.g. dmsetup/4121:3), found ${quote(field.text)}`, field.column + field.text.length);
  }
  return { task: field.text.slice(0, colon), seq: Number(field.text.slice(colon + 1)) };
}
