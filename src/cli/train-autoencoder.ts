/**
 * `npm run train -- autoencoder [--hours H] [--steps N] [--every N] [--fresh] [--latent C] [--down 1|2]
 *  [--ch N] [--kl β] [--edge λ] [--batch B] [--lr X]`
 *
 * Trains the latent-diffusion autoencoder on MNIST in Node on the WASM backend, resuming from
 * models/autoencoder-mnist/checkpoint/autoencoder.ckpt when it exists (the architecture options only
 * apply to a fresh run; `--lr X` on a resumed run switches to a new learning rate from its step on). Every `--every` steps, and on Ctrl-C or SIGTERM, it atomically writes the EMA
 * weights (model.json + weights.bin), the checkpoint (raw and EMA weights, Adam's moments, all float32;
 * the net is small) and the loss log. `npm run eval -- autoencoder` then measures it, computes the latent
 * scale and writes the card.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { packCheckpoint, unpackCheckpoint } from '../nets/weights-format';
import { initNodeBackend, tf } from '../runtime/tf-node';
import {
  AutoencoderTrainer,
  DEFAULT_AUTOENCODER_TRAIN_CONFIG,
  type AutoencoderTrainConfig,
} from '../train/autoencoder-trainer';
import { exportEmaWeights, restoreCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { trainLoop } from './train-loop';

const M = SHIPPED_MODELS.autoencoderMnist;
const DIR = arg('dir') ?? modelDir(M);
const CKPT = join(DIR, M.files.checkpoint);

/**
 * Write the EMA model, the checkpoint and the loss log. The exported model carries no latent scale:
 * the weights changed, so `npm run eval -- autoencoder` computes it again.
 */
export async function saveAutoencoderRun(
  dir: string,
  tr: AutoencoderTrainer,
  machine: string,
): Promise<void> {
  const model = await exportEmaWeights(tr, {
    kind: 'autoencoder',
    autoencoder: tr.config.autoencoder,
    step: tr.step,
    wallSeconds: tr.wallSeconds,
    machine,
    config: tr.config,
  });
  const ck = await saveCheckpoint(tr, { machine });
  writeFileAtomic(join(dir, M.files.weights), model.bin);
  writeFileAtomic(join(dir, M.files.model), JSON.stringify(model.json, null, 1));
  writeFileAtomic(join(dir, M.files.checkpoint), packCheckpoint(ck.json, ck.bin));
  writeFileAtomic(
    join(dir, M.files.training),
    JSON.stringify({
      config: tr.config,
      step: tr.step,
      wallSeconds: tr.wallSeconds,
      machine,
      history: tr.history,
    }),
  );
}

export async function trainAutoencoderCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const resume = existsSync(CKPT) && !process.argv.includes('--fresh');
  let config: AutoencoderTrainConfig = structuredClone(DEFAULT_AUTOENCODER_TRAIN_CONFIG);
  let saved: ReturnType<typeof unpackCheckpoint> | null = null;
  if (resume) {
    saved = unpackCheckpoint(new Uint8Array(readFileSync(CKPT)));
    config = (saved.json.userDefinedMetadata as { config: AutoencoderTrainConfig }).config;
  } else {
    const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
    const ae = config.autoencoder;
    config = {
      ...config,
      autoencoder: {
        ...ae,
        latent: num('latent') ?? ae.latent,
        down: (num('down') ?? ae.down) as 1 | 2,
        ch: num('ch') ?? ae.ch,
      },
      klWeight: num('kl') ?? config.klWeight,
      edgeWeight: num('edge') ?? config.edgeWeight,
      batch: num('batch') ?? config.batch,
      lr: num('lr') ?? config.lr,
    };
  }
  const tr = new AutoencoderTrainer(config, mnistTrainData(loadMnistNode('train')));
  if (saved) restoreCheckpoint(tr, saved.json, saved.bin);
  if (resume && arg('lr') && Number(arg('lr')) !== tr.lrAt(tr.step)) {
    // a new learning rate from here on (a decay once the loss levels off), kept in the config
    config.lrSteps = [...(config.lrSteps ?? []), [tr.step, Number(arg('lr'))]];
  }
  console.log(
    `${resume ? `resuming at step ${tr.step}` : 'starting fresh'}: autoencoder ${JSON.stringify(config.autoencoder)} ` +
      `(${tr.net.paramCount.toLocaleString('en')} params), β ${config.klWeight}, batch ${config.batch}, lr ${config.lr}, on ${machine}`,
  );
  await trainLoop(tr, () => saveAutoencoderRun(DIR, tr, machine), { every: 250 });
}
