import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEnvelopeScanner, scanEnvelope } from "../../src/transcripts/envelopeScanner.ts";

// The scanner never copies a "__proto__" key (a hostile line must not reach an object's prototype).
const scalars = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([k, v]) => k !== "__proto__" && (v === null || ["string", "number", "boolean"].includes(typeof v))));

describe("envelope scanner for oversize lines", () => {
  it("finds exactly the top-level scalars of any object, whatever the chunking", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.array(fc.nat({ max: 50 }), { maxLength: 20 }), (object, cuts) => {
        const bytes = Buffer.from(JSON.stringify(object));
        const scanner = createEnvelopeScanner();
        let at = 0;
        for (const cut of cuts) {
          scanner.feed(bytes.subarray(at, Math.min(bytes.length, at + cut)));
          at = Math.min(bytes.length, at + cut);
        }
        scanner.feed(bytes.subarray(at));
        const { fields, balanced } = scanner.result();
        expect(balanced).toBe(true);
        // -0 prints as 0 in JSON; compare through JSON like the index does.
        expect(JSON.parse(JSON.stringify(fields))).toEqual(JSON.parse(JSON.stringify(scalars(object))));
      }),
      { numRuns: 300 },
    );
  });

  it("reports a cut-off object as unbalanced", () => {
    expect(scanEnvelope(Buffer.from('{"type":"user","message":{"content":"abc')).balanced).toBe(false);
    expect(scanEnvelope(Buffer.from('{"type":"user"}')).fields).toEqual({ type: "user" });
  });
});
