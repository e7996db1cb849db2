// The registry of shipped models (src/nets/registry.ts) against the committed model folders: every file it
// names exists, and what it says of each model (shape, sampler reading) is what the weights' own metadata says.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { loadDdpm, modelSampling } from '../../src/nets/load';
import { loadAutoencoder } from '../../src/nets/load-autoencoder';
import { pairedLatentScale, sha256Hex } from '../../src/nets/latent-pair';
import { modelDir, modelFile, SHIPPED_MODELS, type ModelFiles } from '../../src/nets/registry';
import { initNodeBackend } from '../../src/runtime/tf-node';

describe('shipped-model registry', () => {
  it('names only files that are committed', () => {
    for (const m of Object.values(SHIPPED_MODELS)) {
      expect(modelDir(m)).toBe(`models/${m.id}`);
      for (const k of Object.keys(m.files) as (keyof ModelFiles)[])
        expect(existsSync(modelFile(m, k)), modelFile(m, k)).toBe(true);
    }
    expect(() => modelFile(SHIPPED_MODELS.mnistClassifier, 'eval')).toThrow(
      /mnist-classifier has no eval file/,
    );
  });

  it("says what the shipped DDPM's own metadata says: sample shape, prediction, x̂0 clipping", async () => {
    await initNodeBackend('wasm');
    const m = SHIPPED_MODELS.ddpmMnist;
    const { net, meta } = loadDdpm(
      readFileSync(modelFile(m, 'model'), 'utf8'),
      new Uint8Array(readFileSync(modelFile(m, 'weights'))),
    );
    expect(net.sampleShape).toEqual(m.sampleShape);
    expect(net.conditioning).toEqual(m.conditioning);
    const { prediction, clipSample } = m.sampling;
    expect(modelSampling(meta)).toEqual({ prediction, clipSample });
    net.dispose();
  });

  it("says what the latent DDPM's and the autoencoder's metadata say, and the two belong together", async () => {
    await initNodeBackend('wasm');
    const m = SHIPPED_MODELS.ldmMnist;
    const { net, meta } = loadDdpm(
      readFileSync(modelFile(m, 'model'), 'utf8'),
      new Uint8Array(readFileSync(modelFile(m, 'weights'))),
    );
    expect(net.sampleShape).toEqual(m.sampleShape);
    expect(modelSampling(meta)).toEqual({ prediction: m.sampling.prediction, clipSample: false });
    net.dispose();
    const a = SHIPPED_MODELS.autoencoderMnist;
    expect(meta.latent?.autoencoder).toBe(a.id);
    expect(m.autoencoder).toBe(a.id);
    const aeBin = new Uint8Array(readFileSync(modelFile(a, 'weights')));
    const ae = loadAutoencoder(readFileSync(modelFile(a, 'model'), 'utf8'), aeBin);
    expect(ae.net.imageShape).toEqual(a.sampleShape);
    // the latent model was trained on these very weights, at this scale
    expect(createHash('sha256').update(aeBin).digest('hex')).toBe(meta.latent?.weightsSha256);
    expect(ae.meta.latentScale).toBe(meta.latent?.scale);
    ae.net.dispose();
    // the one check every pairing goes through accepts them, with Web Crypto's hash
    const sha256 = await sha256Hex(aeBin);
    expect(sha256).toBe(createHash('sha256').update(aeBin).digest('hex'));
    expect(pairedLatentScale({ latentScale: ae.meta.latentScale, sha256 }, meta.latent)).toBe(
      ae.meta.latentScale,
    );
    // and refuses, in words, another autoencoder's weights, another scale, or a model that names none
    const other = await sha256Hex(aeBin.subarray(1));
    expect(() => pairedLatentScale({ latentScale: ae.meta.latentScale, sha256: other }, meta.latent)).toThrow(
      /trained on the latents of another autoencoder/,
    );
    expect(() =>
      pairedLatentScale({ latentScale: ae.meta.latentScale! * 1.01, sha256 }, meta.latent),
    ).toThrow(/do not belong together \(latent scale/);
    expect(() => pairedLatentScale({ sha256 }, meta.latent)).toThrow(/no latent scale yet/);
    expect(() => pairedLatentScale({ latentScale: 1 }, undefined)).toThrow(/not a latent diffusion model/);
  });

  it('the text-to-image models belong together: each names the files it was trained with by their hash', async () => {
    await initNodeBackend('wasm');
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    const tok = sha(modelFile(SHIPPED_MODELS.tokenizerMnist, 'tokenizer'));
    const clipMeta = JSON.parse(
      readFileSync(modelFile(SHIPPED_MODELS.clipMnist, 'model'), 'utf8'),
    ).userDefinedMetadata;
    expect(clipMeta.tokenizerSha256).toBe(tok);
    const m = SHIPPED_MODELS.t2iMnist;
    const { net, meta } = loadDdpm(
      readFileSync(modelFile(m, 'model'), 'utf8'),
      new Uint8Array(readFileSync(modelFile(m, 'weights'))),
    );
    expect(meta.text).toEqual({
      clipSha256: sha(modelFile(SHIPPED_MODELS.clipMnist, 'weights')),
      tokenizerSha256: tok,
    });
    expect(net.conditioning).toEqual(m.conditioning);
    expect(net.sampleShape).toEqual(m.sampleShape);
    expect(modelSampling(meta)).toEqual({ prediction: m.sampling.prediction, clipSample: false });
    expect(meta.latent?.autoencoder).toBe(m.autoencoder);
    net.dispose();
  });
});
