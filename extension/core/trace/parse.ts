// One entry point from text to Trace, whatever the format: the format is the
// caller's choice or detected from the content. Every parser is a
// StreamParser, fed chunk by chunk, so a file of any size is read without
// ever holding it as one string.

import type { Trace, TraceFormat } from './model';
import { ByteLineSplitter } from './byteLines';
import type { StreamParser } from './parser';
import { NativeParser } from './native';
import { BpftraceParser } from './recorded/bpftrace';
import { ChromeJsonParser } from './recorded/chromeJson';
import { detectFromContent, detectFromFileName } from './recorded/detect';
import { FtraceParser } from './recorded/ftrace';
import { PerfScriptParser } from './recorded/perfScript';

export interface ParseOptions {
  /** Overrides detection (the CLI's --input-format). */
  format?: TraceFormat;
  /** Used by detection as a hint after the content. */
  fileName?: string;
  /** Extra event-name mappings (`probe=event`) from settings or `--map`. */
  map?: Record<string, string>;
  /** The input's size in bytes, when known: the native parser sizes the trace from it (parseFile gives it). */
  totalBytes?: number;
}

/**
 * Detects the format from the first non-comment lines (`head` is the file's
 * first chunk); the file name decides only when the content does not, and
 * native is the last resort (its parser then says what is wrong line by line).
 */
export function detectFormat(head: string, fileName?: string): TraceFormat {
  return detectFromContent(withoutBom(head)) ?? (fileName ? detectFromFileName(fileName) : undefined) ?? 'dmtrace';
}

export function createParser(format: TraceFormat, options: ParseOptions = {}): StreamParser {
  return new BomSkipper(parserFor(format, options));
}

function parserFor(format: TraceFormat, options: ParseOptions): StreamParser {
  const map = { map: options.map };
  // native sizes its columns from the input's size, bpftrace its queue (Chrome JSON's parser does not read by lines)
  const sized = { ...map, totalBytes: options.totalBytes };
  switch (format) {
    case 'dmtrace':
      return new ByteLineSplitter(new NativeParser(sized));
    case 'ftrace':
    case 'trace-cmd':
      return new ByteLineSplitter(new FtraceParser(format, map));
    case 'perf-script':
      return new ByteLineSplitter(new PerfScriptParser(map));
    case 'bpftrace':
      return new ByteLineSplitter(new BpftraceParser(sized));
    case 'chrome-json':
      return new ChromeJsonParser(map);
  }
}

export function parseTrace(text: string, options: ParseOptions = {}): Trace {
  const parser = createParser(options.format ?? detectFormat(text.slice(0, 65536), options.fileName), options);
  if (parser.feedBytes && isWellFormed(text)) feedAsBytes(parser, text, parser.feedBytes);
  else parser.feed(text);
  return parser.end();
}

/** Text fed as UTF-8 bytes is cut into pieces of about this many characters. */
const PIECE = 1 << 20;

/**
 * Feeds text as UTF-8 to a parser that reads bytes faster than text (the
 * native format: twice as fast, and the editor's worker parses document text),
 * in pieces cut after a newline so that no character is split.
 */
function feedAsBytes(parser: StreamParser, text: string, feedBytes: (chunk: Uint8Array) => void): void {
  const encoder = new TextEncoder();
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + PIECE);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      const next = nl >= start ? nl : text.indexOf('\n', end);
      end = next < 0 ? text.length : next + 1;
    }
    feedBytes.call(parser, encoder.encode(text.slice(start, end)));
    start = end;
  }
}

/** No lone surrogate (which UTF-8 cannot carry): only such text may take the byte path. */
function isWellFormed(text: string): boolean {
  const check = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return check !== undefined && check.call(text);
}

/** Editors on Windows save UTF-8 with a byte-order mark; it is not part of the first line or the JSON. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Drops a BOM at the start of text (bytes go straight through: their splitter and TextDecoder already drop it). */
class BomSkipper implements StreamParser {
  private first = true;
  readonly feedBytes?: (chunk: Uint8Array) => void;

  constructor(private readonly parser: StreamParser) {
    if (parser.feedBytes) this.feedBytes = (chunk) => parser.feedBytes!(chunk);
  }

  feed(chunk: string): void {
    if (this.first && chunk.length > 0) {
      this.first = false;
      chunk = withoutBom(chunk);
    }
    this.parser.feed(chunk);
  }

  end(): Trace {
    return this.parser.end();
  }
}
