/**
 * The four models of a text-to-image pipeline read from their folders in Node, checked to belong
 * together as the page's fetchTextToImage checks them: the U-Net names its text encoder's and its
 * tokenizer's SHA-256, and its latents' autoencoder and scale.
 */
import { createHash } from 'node:crypto';
import { clipFiles } from './t2i-files';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSchedule } from '../diffusion/schedule';
import { pairedLatentScale } from '../nets/latent-pair';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { loadClip } from '../nets/load-clip';
import { loadDdpm } from '../nets/load';
import type { UNet } from '../nets/unet';
import { LatentCodec } from '../pipelines/latent';
import type { TextToImageModels } from '../pipelines/text-to-image';
import { BpeTokenizer, type TokenizerJson } from '../text/bpe';

export interface TextToImageDirs {
  t2i: string;
  clip: string;
  autoencoder: string;
  tokenizer: string;
}

export const MNIST_T2I_DIRS: TextToImageDirs = {
  t2i: 'models/t2i-mnist',
  clip: 'models/clip-mnist',
  autoencoder: 'models/autoencoder-mnist',
  tokenizer: 'models/tokenizer-mnist',
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function read(dir: string, file: string): Uint8Array {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path} is missing`);
  return new Uint8Array(readFileSync(path));
}

/** The pipeline's models (the caller disposes them with `dispose`). */
export function loadTextToImageNode(d: TextToImageDirs): TextToImageModels & { dispose(): void } {
  const unetBin = read(d.t2i, 'weights.bin');
  const { net, meta } = loadDdpm(new TextDecoder().decode(read(d.t2i, 'model.json')), unetBin);
  const encoder = clipFiles(d.clip);
  const tokBytes = read(d.tokenizer, 'tokenizer.json');
  if (!meta.text || meta.text.clipSha256 !== encoder.sha || meta.text.tokenizerSha256 !== sha(tokBytes))
    throw new Error(
      `${d.t2i} was not trained with the text encoder in ${d.clip} and the tokenizer in ${d.tokenizer}`,
    );
  const aeBin = read(d.autoencoder, 'weights.bin');
  const aeJson = new TextDecoder().decode(read(d.autoencoder, 'model.json'));
  const scale = pairedLatentScale(
    {
      latentScale: (JSON.parse(aeJson) as { userDefinedMetadata: { latentScale?: number } })
        .userDefinedMetadata.latentScale,
      sha256: sha(aeBin),
    },
    meta.latent,
  );
  const ae = loadAutoencoder(aeJson, aeBin).net;
  const clip = loadClip(encoder.json, encoder.bin).net;
  return {
    tokenizer: BpeTokenizer.fromJSON(JSON.parse(new TextDecoder().decode(tokBytes)) as TokenizerJson),
    clip,
    unet: net as UNet,
    codec: new LatentCodec(ae, scale),
    schedule: makeSchedule(meta.schedule),
    prediction: meta.prediction ?? 'epsilon',
    dispose: () => {
      net.dispose();
      clip.dispose();
      ae.dispose();
    },
  };
}
