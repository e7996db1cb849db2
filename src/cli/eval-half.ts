/**
 * `npm run eval -- half [--samples N] [--steps S] [--models id,id]`: what serving a diffusion U-Net's
 * weights as float16 (registry `servedAs`) changes, measured in pairs: the same seeds (and, for the text
 * model, the same prompts at its default guidance, guidance.json) sampled with DDIM (η = 0, S = 50 steps) from the
 * float32 weights of the repository and from the same weights rounded to float16, as the build serves
 * them. Reports the mean and largest pixel difference between paired images, how often the classifier
 * reads the same digit in both, and each set's FID against the 10,000 test digits. Writes
 * runs/half-precision/<id>.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { classify, realImages } from '../metrics/evaluate';
import { fitGaussian, frechetDistance } from '../metrics/fid';
import { FEATURE_DIM } from '../nets/classifier';
import { loadClip } from '../nets/load-clip';
import { loadDdpm, modelSampling, type LoadedDdpm } from '../nets/load';
import { modelDir, SHIPPED_MODELS, type ShippedModel } from '../nets/registry';
import type { UNet } from '../nets/unet';
import { roundedToFloat16 } from '../nets/weights-format';
import { sampleImages } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { textToImage } from '../pipelines/text-to-image';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { promptSet } from './eval-t2i';
import { writeFileAtomic } from './files';
import { shippedAutoencoderNet } from './latent-files';
import { CLIP_DIR, loadTokenizer } from './text-files';
import { CLIP_FILES } from './train-clip';

export async function evalHalfCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const n = Number(arg('samples') ?? '500');
  const steps = Number(arg('steps') ?? '50');
  const batch = 50;
  const wanted = arg('models')?.split(',');
  const models = (Object.values(SHIPPED_MODELS) as ShippedModel[]).filter(
    (m) => m.servedAs === 'float16' && (!wanted || wanted.includes(m.id)),
  );
  const classifier = loadClassifier();
  const test = loadMnistNode('test');
  const real = await classify(
    classifier,
    await realImages(
      test,
      Array.from({ length: test.count }, (_, i) => i),
    ),
  );
  const testGauss = fitGaussian(real.features, test.count, FEATURE_DIM);
  const ae = shippedAutoencoderNet();

  for (const m of models) {
    const dir = modelDir(m);
    const json = readFileSync(join(dir, 'model.json'), 'utf8');
    const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
    const t0 = performance.now();
    // the text model at its default guidance, chosen on the validation phrasings (guidance.json)
    const g = join(dir, 'guidance.json');
    const guidance = existsSync(g) ? (JSON.parse(readFileSync(g, 'utf8')) as { chosen: number }).chosen : 3;
    const draw = async (loaded: LoadedDdpm): Promise<Float32Array> => {
      const { net, meta } = loaded;
      const schedule = makeSchedule(meta.schedule);
      const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps }, schedule, modelSampling(meta));
      if (meta.text) {
        const clipBin = new Uint8Array(readFileSync(join(CLIP_DIR, CLIP_FILES.weights)));
        const clip = loadClip(readFileSync(join(CLIP_DIR, CLIP_FILES.model), 'utf8'), clipBin).net;
        const prompts = promptSet('train');
        const models = {
          tokenizer: loadTokenizer(),
          clip,
          unet: net as UNet,
          codec: new LatentCodec(ae, meta.latent!.scale),
          schedule,
          prediction: meta.prediction ?? 'epsilon',
        };
        const out = new Float32Array(n * 784);
        try {
          for (let s = 0; s < n; s += 10) {
            const k = Math.min(10, n - s);
            let last: Float32Array | null = null;
            for await (const f of textToImage(
              models,
              makeSampler({ sampler: 'ddim', eta: 0, steps }, schedule, modelSampling(meta)),
              {
                // batch i asks for digit i mod 10 (every digit in turn), alone or with an attribute
                prompt: prompts[(((s / 10) % 10) * 10 + (Math.floor(s / 100) % 10)) % prompts.length]!.prompt,
                guidance,
                n: k,
                seed: 1 + s,
                previews: false,
              },
            ))
              last = f.image;
            out.set(last!, s * 784);
          }
        } finally {
          clip.dispose();
        }
        return out;
      }
      const x = await sampleImages(net, sampler, n, 1, batch);
      return meta.latent ? decodeLatents(new LatentCodec(ae, meta.latent.scale), x, n) : x;
    };
    const full = loadDdpm(json, bin);
    const a = await draw(full);
    full.net.dispose();
    const rounded = roundedToFloat16(json, bin); // as the build serves it
    const half = loadDdpm(rounded.json, rounded.bin);
    const b = await draw(half);
    half.net.dispose();
    let sum = 0;
    let max = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      sum += d;
      if (d > max) max = d;
    }
    const ca = await classify(classifier, a);
    const cb = await classify(classifier, b);
    const label = (p: Float32Array, i: number) => {
      let best = 0;
      for (let k = 1; k < 10; k++) if (p[i * 10 + k]! > p[i * 10 + best]!) best = k;
      return best;
    };
    let same = 0;
    for (let i = 0; i < n; i++) if (label(ca.probs, i) === label(cb.probs, i)) same++;
    const result = {
      model: m.id,
      samples: n,
      sampler: { sampler: 'ddim', eta: 0, steps },
      ...(m.conditioning.kind === 'text'
        ? { prompts: `the evaluation descriptions, training phrasings, w = ${guidance}` }
        : {}),
      bytes: { float32: bin.byteLength, float16: bin.byteLength / 2 },
      meanAbsPixelDifference: sum / a.length,
      maxAbsPixelDifference: max,
      sameDigit: same / n,
      fid: {
        float32: frechetDistance(fitGaussian(ca.features, n, FEATURE_DIM), testGauss),
        float16: frechetDistance(fitGaussian(cb.features, n, FEATURE_DIM), testGauss),
      },
      pixelRange: 2,
      seconds: Math.round((performance.now() - t0) / 1000),
      command: 'npm run eval -- half',
      machine: `tfjs ${tf.version_core} ${backend}, 1 thread`,
      date: new Date().toISOString().slice(0, 10),
    };
    writeFileAtomic(join('runs', 'half-precision', `${m.id}.json`), JSON.stringify(result, null, 1));
    console.log(
      `${m.id}: ${n} paired samples, mean |Δpixel| ${result.meanAbsPixelDifference.toFixed(5)} (of a range of 2), max ${max.toFixed(3)}, same digit ${(100 * result.sameDigit).toFixed(1)}%, FID ${result.fid.float32.toFixed(2)} (float32) vs ${result.fid.float16.toFixed(2)} (float16)`,
    );
  }
  ae.dispose();
  classifier.dispose();
}
