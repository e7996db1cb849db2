/**
 * Weights on disk and in the browser: the tfjs weights format (model.json with a weightsManifest +
 * one .bin of little-endian float32), and a single-file checkpoint (header + bytes) that can be written
 * atomically. Loading checks names, shapes, dtypes and byte counts and says what is wrong.
 */

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface WeightSpec {
  name: string;
  shape: readonly number[];
}

export interface ModelJson {
  format: 'diffusion-lab-weights';
  generatedBy: string;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
  userDefinedMetadata: Record<string, unknown>;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Concatenate weights into one buffer and describe them in a manifest. */
export function encodeWeights(
  weights: NamedWeight[],
  binName: string,
  metadata: Record<string, unknown>,
): { json: ModelJson; bin: Uint8Array } {
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const w of weights) {
    if (w.data.length !== size(w.shape))
      throw new WeightsError(`${w.name}: ${w.data.length} values for shape [${w.shape}]`);
    all.set(w.data, o);
    o += w.data.length;
  }
  return {
    json: {
      format: 'diffusion-lab-weights',
      generatedBy: 'Diffusion Lab',
      weightsManifest: [
        {
          paths: [binName],
          weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
        },
      ],
      userDefinedMetadata: metadata,
    },
    bin: new Uint8Array(all.buffer),
  };
}

/** Parse model.json text (or object) and its .bin, checking them against the weights a model expects. */
export function decodeWeights(
  jsonIn: unknown,
  bin: Uint8Array,
  expected?: readonly WeightSpec[],
): { weights: Map<string, NamedWeight>; metadata: Record<string, unknown> } {
  let json: ModelJson;
  try {
    json = (typeof jsonIn === 'string' ? JSON.parse(jsonIn) : jsonIn) as ModelJson;
  } catch {
    throw new WeightsError(
      'the model description is not valid JSON: is this a model.json from Diffusion Lab?',
    );
  }
  const entries = json?.weightsManifest?.flatMap((g) => g.weights);
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new WeightsError(
      'the model description lists no weights (no weightsManifest): is this a model.json from Diffusion Lab?',
    );
  }
  const bad = entries.find((e) => e.dtype !== 'float32');
  if (bad) throw new WeightsError(`weight ${bad.name} has dtype ${bad.dtype}; only float32 is supported`);
  const need = entries.reduce((a, e) => a + size(e.shape) * 4, 0);
  if (bin.byteLength !== need) {
    throw new WeightsError(
      `the weights file has ${bin.byteLength} bytes but its description needs ${need}` +
        (bin.byteLength < need ? ' (truncated?)' : ''),
    );
  }
  if (expected) {
    if (entries.length !== expected.length) {
      throw new WeightsError(
        `the weights file has ${entries.length} tensors, this model expects ${expected.length}: is it from another model?`,
      );
    }
    expected.forEach((s, i) => {
      const e = entries[i]!;
      if (e.name !== s.name)
        throw new WeightsError(
          `tensor ${i} is ${e.name}, this model expects ${s.name}: is it from another model?`,
        );
      if (e.shape.join() !== s.shape.join()) {
        throw new WeightsError(
          `${e.name} has shape [${e.shape}], this model expects [${s.shape}]: is it from another size of model?`,
        );
      }
    });
  }
  const aligned = new Float32Array(bin.slice().buffer);
  const weights = new Map<string, NamedWeight>();
  let o = 0;
  for (const e of entries) {
    const n = size(e.shape);
    const data = aligned.subarray(o, o + n);
    o += n;
    if (!data.every(Number.isFinite)) throw new WeightsError(`${e.name} contains NaN or infinite values`);
    weights.set(e.name, { name: e.name, shape: e.shape, data });
  }
  return { weights, metadata: json.userDefinedMetadata ?? {} };
}

const MAGIC = 'DLCKPT01';

/** One self-contained checkpoint file: magic, header length, JSON header, weight bytes. */
export function packCheckpoint(json: ModelJson, bin: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(MAGIC.length + 4 + head.length + bin.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, MAGIC.length + 4);
  out.set(bin, MAGIC.length + 4 + head.length);
  return out;
}

export function unpackCheckpoint(bytes: Uint8Array): { json: ModelJson; bin: Uint8Array } {
  if (
    bytes.length < MAGIC.length + 4 ||
    new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC
  ) {
    throw new WeightsError('not a Diffusion Lab checkpoint (wrong magic bytes)');
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  if (start + n > bytes.length) throw new WeightsError('checkpoint is truncated inside its header');
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + n))) as ModelJson;
  } catch {
    throw new WeightsError('checkpoint header is not valid JSON (corrupt file?)');
  }
  return { json, bin: bytes.subarray(start + n) };
}
