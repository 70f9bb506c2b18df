// The web-platform globals the core uses. Node, browsers and workers all have
// them; the core is type-checked without the DOM's and Node's type libraries (so
// that neither a `document` nor a `Buffer` can slip in), so they are declared
// here, as much of them as the core uses.

interface TextDecodeOptions {
  stream?: boolean;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: TextDecodeOptions): string;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare const performance: { now(): number };
