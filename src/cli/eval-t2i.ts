/**
 * `npm run eval -- t2i [--choose] [--per N] [--steps S] [--guidance w,w,…]`: does the text-to-image model
 * draw what it is asked? For a fixed prompt set (every digit alone, and with each tercile of thickness,
 * slant and width: 100 descriptions) it samples `--per` images per prompt at each guidance scale, from
 * the same seeds at every scale, and measures (src/metrics/adherence.ts) the share whose digit and
 * attributes match the prompt, FID against the test digits and diversity within a prompt, beside chance
 * and beside the ceiling (the same judgements on the autoencoder's reconstructions of real test digits).
 *
 * The prompts are phrased three ways (src/text/captions.ts): `--choose` runs the validation phrasings and
 * fixes the default guidance (the scale with the best mean adherence) in models/t2i-mnist/guidance.json;
 * the evaluation proper then runs the training phrasings and the unseen ones, reported apart.
 * Samples are kept batch by batch under runs/eval-t2i/ (one folder per phrasing family and scale, the
 * DDPM evaluation's batch format) with prompts.json giving each batch's prompt, guidance and seed.
 *
 * `--label` evaluates the label-conditioned twin (models/label-ldm-mnist) on the same descriptions, seeds
 * and scales, judged the same way: it is given only each description's digit (a class embedding has no
 * words for "thick"), so its attribute shares show what the text path buys, and its digit share, FID and
 * diversity what it costs. Written to models/label-ldm-mnist/eval.json.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { mulberry32 } from '../diffusion/random';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { judge, meanPairwiseDistance, share, type Adherence, type AdherenceRow } from '../metrics/adherence';
import { classify, realImages } from '../metrics/evaluate';
import { fitGaussian, frechetDistance } from '../metrics/fid';
import { FEATURE_DIM } from '../nets/classifier';
import { loadClip } from '../nets/load-clip';
import { classCondition } from '../nets/denoiser';
import { loadDdpm, modelSampling } from '../nets/load';
import type { UNet } from '../nets/unet';
import { sampleDdpm } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { textToImage, type TextToImageModels } from '../pipelines/text-to-image';
import { initNodeBackend, tf } from '../runtime/tf-node';
import {
  ATTRIBUTES,
  caption,
  describe,
  type DigitDescription,
  type PhrasingFamily,
  type Tercile,
} from '../text/captions';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { shippedAutoencoderNet } from './latent-files';
import { sampleCached, weightsHash } from './sample-cache';
import { LABEL_DIR, T2I_DIR, writeLabelCard, writeT2iCard } from './t2i-files';
import { CLIP_DIR, describedSplit, loadTokenizer, measureSplit } from './text-files';
import { CLIP_FILES, tokenizerSha256 } from './train-clip';

export const GUIDANCE_SCALES = [0, 1, 2, 3, 5, 7.5, 10];

/** The evaluation's descriptions: each digit alone, then with each tercile of each attribute. */
export function promptDescriptions(): DigitDescription[] {
  const out: DigitDescription[] = [];
  for (let d = 0; d < 10; d++) {
    out.push({ digit: d });
    for (const a of ATTRIBUTES) for (const t of [0, 1, 2] as Tercile[]) out.push({ digit: d, [a]: t });
  }
  return out;
}

/** One fixed phrasing of every description in a family (the same strings on every run). */
export function promptSet(family: PhrasingFamily): { description: DigitDescription; prompt: string }[] {
  return promptDescriptions().map((description, i) => ({
    description,
    prompt: caption(description, mulberry32(1_000 + i), family),
  }));
}

type Row = AdherenceRow;

export async function evalT2iCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const label = process.argv.includes('--label');
  const choose = !label && process.argv.includes('--choose');
  const per = Number(arg('per') ?? '16');
  const steps = Number(arg('steps') ?? '20');
  const scales = arg('guidance') ? arg('guidance')!.split(',').map(Number) : GUIDANCE_SCALES;
  const dir = arg('weights') ?? (label ? LABEL_DIR : T2I_DIR);
  const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  const hash = weightsHash(bin);
  const { net, meta } = loadDdpm(readFileSync(join(dir, 'model.json'), 'utf8'), bin);
  if (!meta.latent) throw new Error(`${dir} is not a latent model`);
  const ae = shippedAutoencoderNet();
  const codec = new LatentCodec(ae, meta.latent.scale);
  const schedule = makeSchedule(meta.schedule);
  let clip: { dispose(): void } | null = null;
  /** The final images of one batch: `m` samples of description `p` from `seed` at guidance `w`. */
  let draw: (
    p: { prompt: string; description: DigitDescription },
    m: number,
    seed: number,
    w: number,
  ) => Promise<Float32Array>;
  const sampler = () => makeSampler({ sampler: 'ddim', eta: 0, steps }, schedule, modelSampling(meta));
  if (label) {
    if (net.conditioning.kind !== 'class') throw new Error(`${dir} is not a label-conditioned model`);
    draw = async (p, m, seed, w) => {
      const cond = classCondition(new Array<number>(m).fill(p.description.digit), 10);
      let last: Float32Array | null = null;
      try {
        for await (const f of sampleDdpm(net, sampler(), {
          n: m,
          seed,
          cond,
          guidanceScale: w,
          every: steps,
        }))
          last = f.x;
      } finally {
        cond.dispose();
      }
      return decodeLatents(codec, last!, m);
    };
  } else {
    const cfg = meta.text;
    const clipBin = new Uint8Array(readFileSync(join(CLIP_DIR, CLIP_FILES.weights)));
    if (
      !cfg ||
      createHash('sha256').update(clipBin).digest('hex') !== cfg.clipSha256 ||
      tokenizerSha256() !== cfg.tokenizerSha256
    )
      throw new Error(`${dir} is not a text-to-image model of the shipped text encoder and tokenizer`);
    const loaded = loadClip(readFileSync(join(CLIP_DIR, CLIP_FILES.model), 'utf8'), clipBin).net;
    clip = loaded;
    const models: TextToImageModels = {
      tokenizer: loadTokenizer(),
      clip: loaded,
      unet: net as UNet,
      codec,
      schedule,
      prediction: meta.prediction ?? 'epsilon',
    };
    draw = async (p, m, seed, w) => {
      let last: Float32Array | null = null;
      for await (const f of textToImage(models, sampler(), {
        prompt: p.prompt,
        guidance: w,
        n: m,
        seed,
        previews: false, // only the final samples are judged
      }))
        last = f.image;
      return last!;
    };
  }
  const classifier = loadClassifier();
  const { bins } = describedSplit('test');
  const test = loadMnistNode('test');
  const machine = `tfjs ${tf.version_core} ${backend}, 1 thread`;

  // Real digits: the FID reference, the diversity of each class, and the ceiling (reconstructions).
  const all = await realImages(
    test,
    Array.from({ length: test.count }, (_, i) => i),
  );
  const real = await classify(classifier, all);
  const testGauss = fitGaussian(real.features, test.count, FEATURE_DIM);
  const realDiversity = Array.from({ length: 10 }, (_, d) => {
    const idx = [...test.labels.keys()].filter((i) => test.labels[i] === d).slice(0, 200);
    const f = new Float32Array(idx.length * FEATURE_DIM);
    idx.forEach((i, k) =>
      f.set(real.features.subarray(i * FEATURE_DIM, (i + 1) * FEATURE_DIM), k * FEATURE_DIM),
    );
    return meanPairwiseDistance(f);
  });
  const ceiling = await reconstructionCeiling(codec, classifier, test, bins);
  const floorN = Math.min(2000, test.count);
  const train = loadMnistNode('train');
  const trainIdx = Array.from({ length: floorN }, (_, i) => Math.floor((i * train.count) / floorN));
  const trainFeat = (await classify(classifier, await realImages(train, trainIdx))).features;

  const families: Row['family'][] = label ? ['label'] : choose ? ['validation'] : ['train', 'unseen'];
  const rows: Row[] = [];
  for (const family of families) {
    // the label twin gets the same descriptions (and seeds) as the text model's training phrasings
    const prompts = promptSet(family === 'label' ? 'train' : family);
    for (const w of scales) {
      const name = `${hash}-ddim${steps}-${family}-w${w}-n${per}`;
      const folder = join('runs', 'eval-t2i', name);
      writeFileAtomic(
        join(folder, 'prompts.json'),
        JSON.stringify(
          {
            model: dir,
            weightsSha256Prefix: hash,
            sampler: { sampler: 'ddim', eta: 0, steps },
            batches: prompts.map((p, i) => ({
              file: `b${i * per}.f32`,
              ...(family === 'label' ? { label: p.description.digit } : { prompt: p.prompt }),
              asks: p.description,
              guidance: w,
              negative: '',
              seed: 1 + i * per,
              images: per,
            })),
          },
          null,
          1,
        ),
      );
      const sampled = await sampleCached({
        dir: folder,
        count: prompts.length * per,
        batch: per,
        per: MNIST_PIXELS,
        generate: (start, m) => draw(prompts[start / per]!, m, 1 + start, w),
        onBatch: (done, total) => {
          if (done % 20 === 0 || done === total) console.log(`  ${family}, w ${w}: batch ${done}/${total}`);
        },
      });
      if (!sampled.images) throw new Error('batches missing after sampling them all');
      const { features, probs } = await classify(classifier, sampled.images);
      const judged: Adherence[] = [];
      let divSum = 0;
      prompts.forEach((p, i) => {
        const s = i * per;
        judged.push(
          ...judge(
            sampled.images!.subarray(s * MNIST_PIXELS, (s + per) * MNIST_PIXELS),
            probs.subarray(s * 10, (s + per) * 10),
            p.description,
            bins,
          ),
        );
        divSum +=
          meanPairwiseDistance(features.subarray(s * FEATURE_DIM, (s + per) * FEATURE_DIM)) /
          realDiversity[p.description.digit]!;
      });
      const n = prompts.length * per;
      const r: Row = {
        family,
        guidance: w,
        images: n,
        digit: share(judged, 'digit').share,
        thickness: share(judged, 'thickness').share,
        slant: share(judged, 'slant').share,
        width: share(judged, 'width').share,
        mean: 0,
        fid: frechetDistance(fitGaussian(features, n, FEATURE_DIM), testGauss),
        diversity: divSum / prompts.length,
      };
      r.mean = (r.digit + r.thickness + r.slant + r.width) / 4;
      rows.push(r);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      console.log(
        `${family} w=${w}: digit ${pct(r.digit)}, thickness ${pct(r.thickness)}, slant ${pct(r.slant)}, width ${pct(r.width)}, FID ${r.fid.toFixed(2)}, diversity ${r.diversity.toFixed(2)}`,
      );
    }
  }
  const fidFloor = frechetDistance(fitGaussian(trainFeat, floorN, FEATURE_DIM), testGauss);
  const file = join(dir, choose ? 'guidance.json' : 'eval.json');
  const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (choose) {
    const best = rows.reduce((a, b) => (b.mean > a.mean + 1e-9 ? b : a));
    writeFileAtomic(
      file,
      JSON.stringify(
        {
          ...prev,
          chosen: best.guidance,
          rule: 'the scale with the best mean adherence on the validation phrasings',
          modelStep: meta.step,
          rows,
          command: 'npm run eval -- t2i --choose',
          machine,
        },
        null,
        1,
      ),
    );
    console.log(`default guidance: ${best.guidance}`);
  } else {
    // the rows at the default guidance (chosen beforehand on the validation phrasings), for the lesson's prose
    const g = join(T2I_DIR, 'guidance.json');
    const chosen = existsSync(g) ? (JSON.parse(readFileSync(g, 'utf8')) as { chosen: number }).chosen : null;
    const at = (family: Row['family']) =>
      rows.find((r) => r.family === family && r.guidance === chosen) ?? null;
    writeFileAtomic(
      file,
      JSON.stringify(
        {
          modelStep: meta.step,
          defaultGuidance: chosen,
          // the label twin is read at the text model's default scale, for a like-for-like line
          atDefault: label ? { label: at('label') } : { train: at('train'), unseen: at('unseen') },
          perPrompt: per,
          prompts: promptDescriptions().length,
          sampler: { sampler: 'ddim', eta: 0, steps },
          chance: { digit: 0.1, tercile: 1 / 3 },
          ceiling,
          fidFloor,
          rows,
          command: `npm run eval -- t2i${label ? ' --label' : ''}`,
          machine,
        },
        null,
        1,
      ),
    );
  }
  if (dir === T2I_DIR) writeT2iCard(T2I_DIR);
  if (dir === LABEL_DIR) writeLabelCard(LABEL_DIR);
  clip?.dispose();
  ae.dispose();
  net.dispose();
  classifier.dispose();
}

/** The same judgements on the autoencoder's reconstructions of the first 2,000 test digits. */
async function reconstructionCeiling(
  codec: LatentCodec,
  classifier: ReturnType<typeof loadClassifier>,
  test: ReturnType<typeof loadMnistNode>,
  bins: ReturnType<typeof describedSplit>['bins'],
): Promise<{ digits: number; digit: number; thickness: number; slant: number; width: number }> {
  const n = 2000;
  const x = await realImages(
    test,
    Array.from({ length: n }, (_, i) => i),
  );
  const rec = new Float32Array(x.length);
  for (let s = 0; s < n; s += 250) {
    const r = tf.tidy(() =>
      codec.decode(codec.encode(tf.tensor4d(x.subarray(s * 784, (s + 250) * 784), [250, 28, 28, 1]))),
    );
    rec.set((await r.data()) as Float32Array, s * 784);
    r.dispose();
  }
  const { probs } = await classify(classifier, rec);
  const truth = measureSplit({ ...test, count: n, images: test.images.subarray(0, n * 784) }).map((a, i) =>
    describe(test.labels[i]!, a, bins),
  );
  const judged = truth.flatMap((d, i) =>
    judge(rec.subarray(i * 784, (i + 1) * 784), probs.subarray(i * 10, (i + 1) * 10), d, bins),
  );
  return {
    digits: n,
    digit: share(judged, 'digit').share,
    thickness: share(judged, 'thickness').share,
    slant: share(judged, 'slant').share,
    width: share(judged, 'width').share,
  };
}
