/**
 * A training run's state on disk or in IndexedDB: checkpoints to resume from (weights, EMA, Adam's
 * moments, step, wall time, loss history), the exported EMA model, importing weights into a run, and
 * growing a run's U-Net deeper. Formats: src/nets/weights-format.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { unetSpecs, type UNetConfig } from '../nets/unet';
import { decodeWeights, encodeWeights, type ModelJson, type NamedWeight } from '../nets/weights-format';
import { unetConfigOf, type DdpmTrainer, type TrainConfig } from './ddpm-trainer';
import type { OptimConfig, TrainableNet, Trainer } from './trainer';

/** Any run: a DDPM's, an autoencoder's. */
type AnyTrainer = Trainer<OptimConfig, TrainableNet>;

type Weights = Map<string, { shape: readonly number[]; data: Float32Array }>;

/** What saveCheckpoint() writes beside the tensors. */
interface CheckpointMeta {
  kind?: string;
  config?: OptimConfig;
  step?: number;
  adamT?: number;
  wallSeconds?: number;
  history?: [number, number][];
  terms?: [number, Record<string, number>][];
}

/** The configuration of a run made deeper at `step` (see restoreGrown). */
export function grownConfig(
  config: TrainConfig,
  step: number,
  depth: readonly [number, number, number],
): TrainConfig {
  const from = unetConfigOf(config);
  return { ...config, unet: { ...from, depth }, grown: [...(config.grown ?? []), { step, from }] };
}

async function named(
  prefix: string,
  m: Map<string, tf.Variable>,
  dtype: NamedWeight['dtype'] = 'float32',
): Promise<NamedWeight[]> {
  const out: NamedWeight[] = [];
  for (const [k, v] of m)
    out.push({ name: `${prefix}${k}`, shape: v.shape, data: (await v.data()) as Float32Array, dtype });
  return out;
}

/**
 * Everything needed to resume: weights, EMA, Adam moments, step, wall time, loss history.
 * `compact` (the Node CLI's shipped checkpoint) leaves the EMA out, because the exported model
 * (exportEma) is exactly the EMA and is saved beside it, so restoreCheckpoint() then needs it passed
 * back; and it stores Adam's moments as bfloat16, so a resumed run's updates differ from an
 * uninterrupted one's by about 2^-9 of a step. Without it (the browser's checkpoints) a resume is exact.
 */
export async function saveCheckpoint(
  tr: AnyTrainer,
  extra: Record<string, unknown> = {},
  opts: { compact?: boolean } = {},
): Promise<{ json: ModelJson; bin: Uint8Array }> {
  const moments = opts.compact ? 'bfloat16' : 'float32';
  const weights = [
    ...(await named('params/', tr.net.params)),
    ...(opts.compact ? [] : await named('ema/', tr.ema.shadow)),
    ...(await named('adam.m/', tr.adam.m, moments)),
    ...(await named('adam.v/', tr.adam.v, moments)),
  ];
  return encodeWeights(weights, 'checkpoint', {
    kind: tr.checkpointKind,
    config: tr.config,
    step: tr.step,
    adamT: tr.adam.t,
    wallSeconds: tr.wallSeconds,
    // copies: the checkpoint is a snapshot, and the run goes on adding to its own arrays
    history: tr.history.slice(),
    ...(tr.termHistory.length ? { terms: tr.termHistory.slice() } : {}),
    ...extra,
  });
}

/** The EMA weights alone, in the shipped model format (model.json metadata + weights.bin). */
export async function exportEma(
  tr: DdpmTrainer,
  metadata: Record<string, unknown>,
): Promise<{ json: ModelJson; bin: Uint8Array }> {
  const { config } = tr;
  const net = config.mlp
    ? { kind: 'ddpm-mlp', mlp: config.mlp }
    : { kind: 'ddpm-unet', unet: unetConfigOf(config), preset: config.preset };
  return exportEmaWeights(tr, {
    ...net,
    schedule: { kind: config.schedule, T: config.T },
    prediction: config.prediction,
    ...(config.clipSample === undefined ? {} : { clipSample: config.clipSample }),
    ...(config.latent ? { latent: config.latent } : {}),
    ...(config.text ? { text: config.text } : {}),
    step: tr.step,
    ...metadata,
  });
}

/** Any run's EMA weights in the shipped model format, with the metadata given. */
export async function exportEmaWeights(
  tr: AnyTrainer,
  metadata: Record<string, unknown>,
): Promise<{ json: ModelJson; bin: Uint8Array }> {
  return encodeWeights(await named('', tr.ema.shadow), 'weights.bin', metadata);
}

/** Replace weights and EMA with imported ones (Adam starts afresh); the step continues from `step`. */
export function importWeights(tr: AnyTrainer, weights: Weights, step: number): void {
  tr.net.setWeights(weights);
  tf.tidy(() => {
    for (const [k, v] of tr.ema.shadow) v.assign(tr.net.params.get(k)!);
    for (const m of [tr.adam.m, tr.adam.v]) for (const v of m.values()) v.assign(tf.zerosLike(v));
  });
  tr.adam.t = 0;
  tr.step = step;
}

/**
 * The tensors of a checkpoint of a net with `specs`, checked: params/, ema/ (from the checkpoint, or
 * from `ema` for a compact one), adam.m/, adam.v/.
 */
function checkpointState(
  json: ModelJson,
  bin: Uint8Array,
  specs: readonly { name: string; shape: readonly number[] }[],
  ema?: Weights,
): (p: 'params/' | 'ema/' | 'adam.m/' | 'adam.v/', k: string) => Float32Array | undefined {
  const inline = json.weightsManifest?.some((g) => g.weights.some((w) => w.name.startsWith('ema/')));
  if (!inline && !ema)
    throw new Error(
      'this checkpoint keeps its EMA weights in the exported model beside it (weights.bin): pass them to restore',
    );
  const prefixes = inline ? ['params/', 'ema/', 'adam.m/', 'adam.v/'] : ['params/', 'adam.m/', 'adam.v/'];
  const { weights } = decodeWeights(
    json,
    bin,
    prefixes.flatMap((p) => specs.map((s) => ({ name: p + s.name, shape: s.shape }))),
  );
  if (!inline) {
    for (const s of specs) {
      const e = ema!.get(s.name);
      if (!e || e.shape.join() !== s.shape.join())
        throw new Error(
          `the EMA weights do not fit this checkpoint: ${s.name} is missing or has another shape`,
        );
      weights.set(`ema/${s.name}`, { name: `ema/${s.name}`, shape: [...e.shape], data: e.data });
    }
  }
  return (p, k) => weights.get(p + k)?.data;
}

function restoreCounters(tr: AnyTrainer, meta: CheckpointMeta): void {
  tr.step = meta.step ?? 0;
  tr.adam.t = meta.adamT ?? tr.step;
  tr.wallSeconds = meta.wallSeconds ?? 0;
  tr.history = meta.history?.slice() ?? [];
  tr.termHistory = meta.terms?.slice() ?? [];
}

/**
 * Restore from saveCheckpoint(); the config must match the one the trainer was made with. A compact
 * checkpoint needs its EMA weights (the model exported with it) as `ema`.
 */
export function restoreCheckpoint(tr: AnyTrainer, json: ModelJson, bin: Uint8Array, ema?: Weights): void {
  const meta = json.userDefinedMetadata as CheckpointMeta;
  if (meta.kind !== tr.checkpointKind)
    throw new Error(
      `not a checkpoint of this run: it is a "${meta.kind ?? 'unknown'}", this run needs "${tr.checkpointKind}"`,
    );
  if (JSON.stringify(meta.config) !== JSON.stringify(tr.config)) {
    throw new Error(`checkpoint was made with another configuration: ${JSON.stringify(meta.config)}`);
  }
  const get = checkpointState(json, bin, tr.net.paramSpecs, ema);
  tr.net.setWeights(
    new Map(tr.net.paramSpecs.map((s) => [s.name, { shape: s.shape, data: get('params/', s.name)! }])),
  );
  for (const [target, p] of [
    [tr.ema.shadow, 'ema/'],
    [tr.adam.m, 'adam.m/'],
    [tr.adam.v, 'adam.v/'],
  ] as const) {
    tf.tidy(() => {
      for (const [k, v] of target) v.assign(tf.tensor(get(p, k)!, v.shape));
    });
  }
  restoreCounters(tr, meta);
}

/**
 * Restore a checkpoint of a shallower U-Net (the same run before `grown`'s last entry: same settings,
 * fewer residual blocks) into the trainer's deeper one. Every old weight, its EMA and Adam moments carry
 * over; each new block starts as the identity (its last convolution zero, as DDPM initialises every
 * block's), so the network computes exactly what it did before and the new blocks learn from there.
 */
export function restoreGrown(tr: DdpmTrainer, json: ModelJson, bin: Uint8Array, ema?: Weights): void {
  const meta = json.userDefinedMetadata as CheckpointMeta;
  const last = tr.config.grown?.at(-1);
  if (meta.kind !== tr.checkpointKind || !meta.config) throw new Error('not a DDPM training checkpoint');
  if (!last || last.step !== meta.step)
    throw new Error('growing needs config.grown to end at the checkpoint step');
  const settings = (c: OptimConfig) => JSON.stringify({ ...c, unet: undefined, grown: undefined });
  if (settings(meta.config) !== settings(tr.config))
    throw new Error(`checkpoint was made with other settings: ${JSON.stringify(meta.config)}`);
  const oldSpecs = unetSpecs(last.from as UNetConfig);
  const mine = new Map(tr.net.paramSpecs.map((s) => [s.name, s.shape.join()]));
  for (const s of oldSpecs)
    if (mine.get(s.name) !== s.shape.join())
      throw new Error(`cannot grow: ${s.name} [${s.shape}] is not in the deeper U-Net with that shape`);
  const get = checkpointState(json, bin, oldSpecs, ema);
  const old = new Set(oldSpecs.map((s) => s.name));
  tf.tidy(() => {
    for (const [k, v] of tr.net.params) {
      if (old.has(k)) v.assign(tf.tensor(get('params/', k)!, v.shape));
      else if (/\.c2\.[wb]$/.test(k)) v.assign(tf.zerosLike(v)); // new block: identity at first
    }
    for (const [k, v] of tr.ema.shadow)
      v.assign(old.has(k) ? tf.tensor(get('ema/', k)!, v.shape) : tr.net.params.get(k)!);
    for (const [m, p] of [
      [tr.adam.m, 'adam.m/'],
      [tr.adam.v, 'adam.v/'],
    ] as const)
      for (const [k, v] of m) v.assign(old.has(k) ? tf.tensor(get(p, k)!, v.shape) : tf.zerosLike(v));
  });
  restoreCounters(tr, meta);
}
