/**
 * Loading a trained GAN or VAE (model.json + weights.bin, as `npm run train -- gan|vae` exports them),
 * checked against the architecture its metadata names.
 */
import { Gan, type GanConfig } from './gan';
import { Vae, type VaeConfig } from './vae';
import { decodeWeights, WeightsError } from './weights-format';

export interface FamilyMetadata {
  kind: 'gan' | 'vae';
  gan?: GanConfig;
  vae?: VaeConfig;
  step?: number;
  wallSeconds?: number;
}

type Parsed = { userDefinedMetadata?: Record<string, unknown> };

function parse(json: unknown): Parsed {
  if (typeof json !== 'string') return json as Parsed;
  try {
    return JSON.parse(json) as Parsed;
  } catch {
    throw new WeightsError(
      'the model description is not valid JSON: is this a model.json from Diffusion Lab?',
    );
  }
}

function load<N extends Gan | Vae>(parsed: Parsed, bin: Uint8Array, net: N): N {
  try {
    net.setWeights(decodeWeights(parsed, bin, net.paramSpecs).weights);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return net;
}

function metadata(parsed: Parsed, kind: 'gan' | 'vae'): FamilyMetadata {
  const meta = (parsed?.userDefinedMetadata ?? {}) as Partial<FamilyMetadata>;
  if (meta.kind !== kind || !meta[kind])
    throw new WeightsError(
      `this is not a Diffusion Lab ${kind.toUpperCase()} (its metadata says kind "${String(meta.kind)}")`,
    );
  return meta as FamilyMetadata;
}

export function loadGan(json: unknown, bin: Uint8Array): { net: Gan; meta: FamilyMetadata } {
  const parsed = parse(json);
  const meta = metadata(parsed, 'gan');
  return { net: load(parsed, bin, new Gan(meta.gan!)), meta };
}

export function loadVae(json: unknown, bin: Uint8Array): { net: Vae; meta: FamilyMetadata } {
  const parsed = parse(json);
  const meta = metadata(parsed, 'vae');
  return { net: load(parsed, bin, new Vae(meta.vae!)), meta };
}
