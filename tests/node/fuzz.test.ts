/**
 * Property-based tests (fast-check) of everything that reads input a person or a file can get wrong:
 * the address, a weights or checkpoint file, the prompt's tokenizer. The property is always the same:
 * a valid state or a plain-words error, never an uncaught exception of another kind.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boolParam,
  enumParam,
  formatHash,
  intParam,
  numberParam,
  parseHash,
  parseParams,
  textParam,
} from '../../src/notebook/url-state';
import {
  decodeWeights,
  encodeWeights,
  packCheckpoint,
  unpackCheckpoint,
  WeightsError,
} from '../../src/nets/weights-format';
import { BpeTokenizer, END, PAD, START } from '../../src/text/bpe';

/** Strings like hand-edited addresses: escapes (good and broken), separators, any Unicode. */
const addressText = fc.array(
  fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('%', '%E0', '%A4%', '%2', '%ZZ', '%25', '?', '&', '=', '#', '/', '+', '%00', '\u202E'),
    fc.integer({ min: -1e9, max: 1e9 }).map(String),
  ),
  { maxLength: 12 },
);

const table = {
  t: intParam(250, 0, 1000),
  w: numberParam(3, 0, 10, 0.5),
  kind: enumParam(['ddpm', 'ddim'] as const, 'ddpm'),
  on: boolParam(false),
  prompt: textParam('a 7', 200),
};

describe('the address (fuzzed)', () => {
  it('any hash parses to a lesson and parameters inside their ranges, and survives a round trip', () => {
    fc.assert(
      fc.property(addressText, (parts) => {
        const hash = `#/${parts.join('')}`;
        const r = parseHash(hash);
        const v = parseParams(table, r.query);
        expect(Number.isInteger(v.t) && v.t >= 0 && v.t <= 1000).toBe(true);
        expect(v.w >= 0 && v.w <= 10 && Number.isInteger(v.w * 2)).toBe(true);
        expect(['ddpm', 'ddim']).toContain(v.kind);
        expect(typeof v.on).toBe('boolean');
        expect(v.prompt.length).toBeLessThanOrEqual(200);
        const again = parseHash(formatHash(r));
        expect(again.lesson).toBe(r.lesson);
        expect([...again.query]).toEqual([...r.query]);
      }),
      { numRuns: 2000 },
    );
  });
});

/** A small valid weights file to mutate. */
function validFile() {
  return encodeWeights(
    [
      { name: 'a.w', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'a.b', shape: [3], data: Float32Array.from([0.5, -1, 2]), dtype: 'bfloat16' },
    ],
    'weights.bin',
    { steps: 10 },
  );
}

/** Runs f; only a WeightsError (plain words for the person who chose the file) may come out. */
function onlyWeightsError(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WeightsError)) throw new Error(`not a plain-words error: ${String(e)}`);
    expect((e as Error).message.length).toBeGreaterThan(10);
  }
}

describe('weights and checkpoint files (fuzzed)', () => {
  it('any JSON value as model.json gives weights or a WeightsError', () => {
    const { bin } = validFile();
    fc.assert(
      fc.property(fc.jsonValue(), (json) => onlyWeightsError(() => decodeWeights(json, bin))),
      { numRuns: 1000 },
    );
  });

  it('a model.json with damaged entries gives weights or a WeightsError', () => {
    const { json, bin } = validFile();
    const entry = fc.record(
      {
        name: fc.oneof(fc.string(), fc.constant(null)),
        shape: fc.oneof(
          fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 3 }),
          fc.string(),
          fc.constant(null),
        ),
        dtype: fc.oneof(
          fc.constantFrom('float32', 'bfloat16', 'int8', '__proto__', 'toString'),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.array(fc.oneof(entry, fc.anything()), { maxLength: 3 }), fc.anything()),
        fc.oneof(fc.constant(bin), fc.uint8Array({ maxLength: 64 })),
        (weights, b) =>
          onlyWeightsError(() =>
            decodeWeights({ ...json, weightsManifest: [{ paths: ['weights.bin'], weights }] }, b),
          ),
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.anything(), (manifest) =>
        onlyWeightsError(() => decodeWeights({ ...json, weightsManifest: manifest }, bin)),
      ),
      { numRuns: 500 },
    );
  });

  it('a checkpoint with any bytes changed or cut gives weights or a WeightsError', () => {
    const { json, bin } = validFile();
    const packed = packCheckpoint(json, bin);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(packed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(packed.length),
        (flips, cut) => {
          const bytes = packed.slice(0, Math.max(cut, 1));
          for (const [i, v] of flips) if (i < bytes.length) bytes[i] = v;
          onlyWeightsError(() => {
            const { json: j, bin: b } = unpackCheckpoint(bytes);
            decodeWeights(j, b);
          });
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyWeightsError(() => unpackCheckpoint(b))),
    );
  });
});

describe('the prompt box tokenizer (fuzzed)', () => {
  const tok = BpeTokenizer.fromBytes(readFileSync('models/tokenizer-mnist/tokenizer.json'));
  const vocab = tok.toJSON().model.vocab as Record<string, number>;
  const size = Object.keys(vocab).length;

  it('any text encodes to exactly the context length of known ids, <start> first, truncation counted', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }), // lone surrogates too
      fc.constantFrom('', ' ', '<script>alert(1)</script>', 'مرحبا seven', '7️⃣ 👍🏽', 'a'.repeat(10_000)),
    );
    fc.assert(
      fc.property(text, (s) => {
        const e = tok.encode(s);
        expect(e.ids).toHaveLength(tok.contextLength);
        expect(e.ids.every((id) => Number.isInteger(id) && id >= 0 && id < size)).toBe(true);
        expect(e.tokens[0]).toBe(START);
        expect(e.tokens[e.length - 1]).toBe(END);
        expect(e.tokens.slice(e.length).every((t) => t === PAD)).toBe(true);
        expect(e.length - 2 + e.dropped).toBe(tok.tokenize(s).length);
        expect(typeof tok.decode(e.ids)).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });
});
