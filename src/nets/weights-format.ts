/**
 * Weights on disk and in the browser: the tfjs weights format (model.json with a weightsManifest +
 * one .bin of little-endian float32), and a single-file checkpoint (header + bytes) that can be written
 * atomically. Loading checks names, shapes, dtypes and byte counts and says what is wrong.
 *
 * A weight may also be stored as bfloat16 (the top 16 bits of a float32, rounded to nearest even: the
 * same range, 8 significant bits): checkpoints use it for Adam's moments, which need range more than
 * precision, to halve their size. Or as IEEE float16 (11 significant bits, values up to 65,504): the
 * build serves the diffusion U-Nets that way, half the download. Decoding widens both back to float32.
 */

export type WeightDtype = 'float32' | 'bfloat16' | 'float16';

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
  /** How to store it (encodeWeights); float32 unless said. */
  dtype?: WeightDtype;
}

export interface WeightSpec {
  name: string;
  shape: readonly number[];
}

export interface ModelJson {
  format: 'diffusion-lab-weights';
  generatedBy: string;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: WeightDtype }[] }[];
  userDefinedMetadata: Record<string, unknown>;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const BYTES: Record<WeightDtype, number> = { float32: 4, bfloat16: 2, float16: 2 };

/** float32 -> IEEE float16 bits, rounded to nearest, ties to even; a value beyond float16's range is refused. */
export function toFloat16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < u.length; i++) {
    const b = u[i]!;
    const sign = (b >>> 16) & 0x8000;
    const exp = (b >>> 23) & 0xff;
    const mant = b & 0x7fffff;
    const e = exp - 112; // float16's biased exponent
    let h: number;
    if (exp === 0xff) h = 0x7c00 | (mant ? 0x200 : 0);
    else if (e <= 0) {
      // float16 subnormal (units of 2^-24), or zero
      if (e < -10) h = 0;
      else {
        const m = mant | 0x800000;
        const shift = 14 - e;
        h = m >>> shift;
        const rem = m & ((1 << shift) - 1);
        const half = 1 << (shift - 1);
        if (rem > half || (rem === half && h & 1)) h++;
      }
    } else {
      h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is right too
    }
    if (exp !== 0xff && h >= 0x7c00)
      throw new WeightsError(`${x[i]} is beyond the range of float16 (largest 65504)`);
    out[i] = sign | h;
  }
  return out;
}

/** IEEE float16 bits -> float32 (exact). */
export function fromFloat16(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) {
    const v = h[i]!;
    const sign = (v & 0x8000) << 16;
    const exp = (v >>> 10) & 0x1f;
    const mant = v & 0x3ff;
    if (exp === 0) out[i] = (v & 0x8000 ? -mant : mant) * 2 ** -24;
    else if (exp === 0x1f) u[i] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    else u[i] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  }
  return out;
}

/** float32 -> bfloat16 bits, rounded to nearest, ties to even (finite values only). */
export function toBfloat16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < u.length; i++) {
    const b = u[i]!;
    out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** bfloat16 bits -> float32 (exact). */
export function fromBfloat16(h: Uint16Array): Float32Array {
  const u = new Uint32Array(h.length);
  for (let i = 0; i < h.length; i++) u[i] = h[i]! << 16;
  return new Float32Array(u.buffer);
}

/** Concatenate weights into one buffer and describe them in a manifest. */
export function encodeWeights(
  weights: NamedWeight[],
  binName: string,
  metadata: Record<string, unknown>,
): { json: ModelJson; bin: Uint8Array } {
  const dtypeOf = (w: NamedWeight) => w.dtype ?? 'float32';
  const total = weights.reduce((a, w) => a + w.data.length * BYTES[dtypeOf(w)], 0);
  const bin = new Uint8Array(total);
  let o = 0;
  for (const w of weights) {
    if (w.data.length !== size(w.shape))
      throw new WeightsError(`${w.name}: ${w.data.length} values for shape [${w.shape}]`);
    const raw =
      dtypeOf(w) === 'bfloat16' ? toBfloat16(w.data) : dtypeOf(w) === 'float16' ? toFloat16(w.data) : w.data;
    bin.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), o);
    o += raw.byteLength;
  }
  return {
    json: {
      format: 'diffusion-lab-weights',
      generatedBy: 'Diffusion Lab',
      weightsManifest: [
        {
          paths: [binName],
          weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: dtypeOf(w) })),
        },
      ],
      userDefinedMetadata: metadata,
    },
    bin,
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
  const manifest = (json as Partial<ModelJson> | null)?.weightsManifest;
  const entries: unknown[] | undefined =
    Array.isArray(manifest) &&
    manifest.every((g) => Array.isArray((g as { weights?: unknown } | null)?.weights))
      ? manifest.flatMap((g) => g.weights)
      : undefined;
  if (!entries || entries.length === 0) {
    throw new WeightsError(
      'the model description lists no weights (no weightsManifest): is this a model.json from Diffusion Lab?',
    );
  }
  entries.forEach((e, i) => {
    const w = e as Partial<WeightSpec & { dtype: unknown }> | null;
    if (typeof w?.name !== 'string')
      throw new WeightsError(`entry ${i} of the model description has no name: is the file damaged?`);
    if (
      !Array.isArray(w.shape) ||
      w.shape.length > 8 ||
      !w.shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 1 << 28)
    )
      throw new WeightsError(`weight ${w.name} has no valid shape: is the file damaged?`);
    if (!Object.hasOwn(BYTES, w.dtype as string))
      throw new WeightsError(
        `weight ${w.name} has dtype ${String(w.dtype)}; only float32, float16 and bfloat16 are supported`,
      );
  });
  const specs = entries as ModelJson['weightsManifest'][number]['weights'];
  const need = specs.reduce((a, e) => a + size(e.shape) * BYTES[e.dtype], 0);
  if (bin.byteLength !== need) {
    throw new WeightsError(
      `the weights file has ${bin.byteLength} bytes but its description needs ${need}` +
        (bin.byteLength < need ? ' (truncated?)' : ''),
    );
  }
  if (expected) {
    if (specs.length !== expected.length) {
      throw new WeightsError(
        `the weights file has ${specs.length} tensors, this model expects ${expected.length}: is it from another model?`,
      );
    }
    expected.forEach((s, i) => {
      const e = specs[i]!;
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
  const weights = new Map<string, NamedWeight>();
  let o = 0;
  for (const e of specs) {
    const n = size(e.shape);
    const bytes = bin.slice(o, o + n * BYTES[e.dtype]); // a copy: aligned, and independent of `bin`
    o += bytes.length;
    const data =
      e.dtype === 'bfloat16'
        ? fromBfloat16(new Uint16Array(bytes.buffer))
        : e.dtype === 'float16'
          ? fromFloat16(new Uint16Array(bytes.buffer))
          : new Float32Array(bytes.buffer);
    if (!data.every(Number.isFinite)) throw new WeightsError(`${e.name} contains NaN or infinite values`);
    weights.set(e.name, { name: e.name, shape: e.shape, data });
  }
  const meta = json.userDefinedMetadata;
  return { weights, metadata: meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {} };
}

/**
 * A weights file with every weight rounded to float16 (half the bytes), its metadata saying so: what the
 * build serves for a U-Net marked `servedAs: 'float16'`, and what `npm run eval -- half` compares.
 */
export function roundedToFloat16(jsonIn: unknown, bin: Uint8Array): { json: ModelJson; bin: Uint8Array } {
  const { weights, metadata } = decodeWeights(jsonIn, bin);
  return encodeWeights(
    [...weights.values()].map((w) => ({ ...w, dtype: 'float16' as const })),
    'weights.bin',
    { ...metadata, storedAs: 'float16, rounded from the float32 weights.bin of the repository' },
  );
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
