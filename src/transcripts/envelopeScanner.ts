/**
 * Streaming scanner for the top-level scalar fields of one JSON object, fed in chunks. It is
 * used for lines over the size limit: their body is never held in memory, yet their envelope
 * (`type`, `uuid`, `parentUuid`, `sessionId`, `timestamp`, …) still links them into the
 * conversation graph, so a huge tool result does not cut the thread in two.
 *
 * Nested objects and arrays are skipped; only string, number, boolean and null values directly
 * under the root object are captured (each up to CAPTURE_LIMIT bytes).
 */
export type EnvelopeScan = {
  readonly fields: Record<string, string | number | boolean | null>;
  /** The bytes formed one balanced JSON object (a cheap check, not full validation). */
  readonly balanced: boolean;
};

export type EnvelopeScanner = { feed(chunk: Buffer): void; result(): EnvelopeScan };

const CAPTURE_LIMIT = 4096;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

type Capture = { bytes: Buffer; length: number; overflow: boolean };
const newCapture = (): Capture => ({ bytes: Buffer.allocUnsafe(CAPTURE_LIMIT), length: 0, overflow: false });
const push = (capture: Capture, byte: number): void => {
  if (capture.length < CAPTURE_LIMIT) capture.bytes[capture.length++] = byte;
  else capture.overflow = true;
};
const text = (capture: Capture): string => capture.bytes.toString("utf8", 0, capture.length);

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

export const createEnvelopeScanner = (): EnvelopeScanner => {
  const fields: Record<string, string | number | boolean | null> = {};
  let depth = 0;
  let inString = false;
  let escape = false;
  let started = false;
  let broken = false;
  let closed = false;
  /** At depth 1: "key" while reading a key, "value" once the colon was seen. */
  let slot: "key" | "value" = "key";
  let key = "";
  let capture: Capture | undefined;
  let captureKind: "key" | "string" | "token" | undefined;

  const endToken = (): void => {
    if (captureKind === "token" && capture !== undefined && !capture.overflow) {
      const raw = text(capture).trim();
      try {
        const value: unknown = JSON.parse(raw);
        const scalar = value === null || typeof value === "number" || typeof value === "boolean";
        if (scalar && key !== "__proto__") fields[key] = value;
      } catch {
        broken = true;
      }
    }
    capture = undefined;
    captureKind = undefined;
  };

  const closeString = (): void => {
    if (capture === undefined) return;
    try {
      const value = JSON.parse(`"${text(capture)}"`) as string;
      if (captureKind === "key") key = value;
      else if (!capture.overflow && key !== "__proto__") fields[key] = value;
    } catch {
      broken = true;
    }
    capture = undefined;
    captureKind = undefined;
  };

  const structural = (byte: number): void => {
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 0 && started) broken = true;
      started = true;
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 1) endToken();
      depth--;
      if (depth === 0) closed = true;
      if (depth < 0) broken = true;
    } else if (depth === 1 && byte === COLON) {
      slot = "value";
    } else if (depth === 1 && byte === COMMA) {
      endToken();
      slot = "key";
    } else if (depth === 1 && slot === "value" && !isSpace(byte)) {
      if (captureKind !== "token") {
        capture = newCapture();
        captureKind = "token";
      }
      push(capture as Capture, byte);
    } else if (depth === 0 && !isSpace(byte)) {
      broken = true;
    }
  };

  const feedByte = (byte: number): void => {
    if (inString) {
      if (escape) escape = false;
      else if (byte === BACKSLASH) escape = true;
      else if (byte === QUOTE) {
        inString = false;
        if (depth === 1) closeString();
        return;
      }
      if (capture !== undefined) push(capture, byte);
      return;
    }
    if (byte === QUOTE) {
      inString = true;
      if (depth === 1) {
        capture = newCapture();
        captureKind = slot === "key" ? "key" : "string";
      }
      return;
    }
    structural(byte);
  };

  return {
    feed(chunk) {
      for (let i = 0; i < chunk.length; i++) feedByte(chunk[i] as number);
    },
    result: () => ({ fields, balanced: started && closed && depth === 0 && !inString && !broken }),
  };
};

/** Convenience: scan a whole buffer at once. */
export const scanEnvelope = (bytes: Buffer): EnvelopeScan => {
  const scanner = createEnvelopeScanner();
  scanner.feed(bytes);
  return scanner.result();
};
