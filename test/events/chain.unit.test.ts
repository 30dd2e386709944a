import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, sealEnvelope, verifyChain, type Envelope } from "../../events/envelope.ts";

const sessionId = "6d1e8a52-0d0e-4c8e-9a53-3b8f0e1f2a11";

const buildChain = (contexts: readonly string[]): Envelope[] => {
  const chain: Envelope[] = [];
  for (const [index, context] of contexts.entries()) {
    chain.push(
      sealEnvelope({
        eventId: `e-${index}`,
        type: "SessionUpdated",
        schemaVersion: 1,
        sessionId,
        version: index + 1,
        occurredAt: "2026-11-24T10:00:00.000Z",
        data: { context },
        meta: { actor: "phone", correlationId: "c", causationId: null, requestId: null },
        prevHash: chain.at(-1)?.hash ?? GENESIS_HASH,
      }).envelope,
    );
  }
  return chain;
};

describe("hash chain", () => {
  it("verifies an untouched history", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 8 }), (contexts) => {
        expect(verifyChain(sessionId, buildChain(contexts))).toEqual({ ok: true, events: contexts.length });
      }),
    );
  });

  it("fails on any single altered byte and names the altered event", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (contexts, pick, offset, flip) => {
          const chain = buildChain(contexts);
          const target = pick % chain.length;
          const bytes = Buffer.from(JSON.stringify(chain[target]));
          const at = offset % bytes.length;
          bytes[at] = (bytes[at] ?? 0) ^ flip;
          let altered: Envelope;
          try {
            altered = JSON.parse(bytes.toString("utf8")) as Envelope;
          } catch {
            return; // no longer JSON: an auditor's parser already rejects it
          }
          if (canonicalJson(altered) === canonicalJson(chain[target])) return; // e.g. whitespace outside values
          const tampered = chain.map((event, index) => (index === target ? altered : event));
          const verdict = verifyChain(sessionId, tampered);
          expect(verdict.ok).toBe(false);
          if (!verdict.ok) expect(verdict.firstBadVersion).toBeLessThanOrEqual(target + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("flags a deleted event as a version gap and swapped events by the first moved version", () => {
    const chain = buildChain(["a", "b", "c", "d"]);
    const deleted = verifyChain(sessionId, [chain[0]!, chain[2]!, chain[3]!]);
    expect(deleted).toMatchObject({ ok: false, firstBadVersion: 2, reason: "version_gap" });
    const swapped = verifyChain(sessionId, [chain[0]!, chain[2]!, chain[1]!, chain[3]!]);
    expect(swapped).toMatchObject({ ok: false, firstBadVersion: 2 });
  });

  it("encodes canonically whatever the key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }], e: undefined })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});

describe("canonical JSON", () => {
  it("gives the same bytes whatever order the keys were inserted in", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffle = (input: unknown): unknown => {
          if (Array.isArray(input)) return input.map(shuffle);
          if (input === null || typeof input !== "object") return input;
          return Object.fromEntries(Object.entries(input).reverse().map(([key, item]) => [key, shuffle(item)]));
        };
        expect(canonicalJson(shuffle(value))).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
