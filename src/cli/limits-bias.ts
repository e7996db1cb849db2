/**
 * `npm run eval -- limits --part bias [--per N] [--seed S] [--out DIR]`: does a diffusion model copy the
 * imbalance of its training data, and does asking for every class (guidance) undo it?
 *
 * Two label-conditioned latent models with the same network, optimiser, steps and number of digits:
 * models/bias-ldm-mnist (6,000 ones and 4,000 other digits, `npm run train -- bias`) and its control
 * models/bias-control-ldm-mnist (1,000 of each digit, `npm run train -- bias --control`). Each draws 10·N
 * samples with no label (the null condition the models were trained with 10% of the time), and the
 * classifier reads every sample: the share of each class beside the share in that model's training data,
 * and the distance sampling noise alone would give. The mitigation: ask each model for each digit in
 * turn (N each) at guidance 1 and 3; the histogram of what it draws, and how often the drawn digit is the
 * one asked for, the common class apart from the rare ones. DDIM 20 steps, seeds from 1 (or --seed S).
 *
 * Writes runs/limits/bias.json, bias.md and bias.png (rows of unlabelled samples from each model, then the
 * imbalanced model asked for 0…9).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mulberry32 } from '../diffusion/random';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { classify, summarizeProbs } from '../metrics/evaluate';
import { topClasses } from '../metrics/quality';
import { classCondition } from '../nets/denoiser';
import { loadDdpm, modelSampling } from '../nets/load';
import { sampleDdpm } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import {
  BIAS,
  BIAS_DIR,
  classCounts,
  CONTROL,
  CONTROL_DIR,
  imbalancedIndices,
  type Subset,
} from './bias-files';
import { loadClassifier } from './classifier-files';
import { digitGrid, encodePng, joinImages } from './png';
import { shippedAutoencoderNet } from './latent-files';
import { writeFileAtomic } from './files';
import { arrayTrainData } from '../data/train-data';
import { DdpmTrainer, makeDenoiser } from '../train/ddpm-trainer';
import { toyConfig } from '../train/toy-config';
import { clusterShares, collectedClusters, MAJOR_SHARE, reweighted } from '../train/toy-clusters';

const STEPS = 20;
const BATCH = 100;
export const BIAS_GUIDANCE = [1, 3];

/** Total variation distance between two histograms given as shares (half the L1 distance). */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new Error(`histograms of ${p.length} and ${q.length} classes`);
  return p.reduce((a, v, i) => a + Math.abs(v - q[i]!), 0) / 2;
}

/**
 * The total variation distance that n draws from a histogram show from the histogram itself: the mean
 * over `repeats` simulated sets of n draws (the distance sampling noise alone gives a perfect model).
 */
export function samplingTv(shares: readonly number[], n: number, repeats = 1000, seed = 5): number {
  const rand = mulberry32(seed);
  const cum: number[] = [];
  shares.reduce((a, v, i) => (cum[i] = a + v), 0);
  let sum = 0;
  for (let r = 0; r < repeats; r++) {
    const counts = new Array<number>(shares.length).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rand() * cum[cum.length - 1]!;
      let c = 0;
      while (cum[c]! < u) c++;
      counts[c]!++;
    }
    sum += totalVariation(
      counts.map((c) => c / n),
      shares,
    );
  }
  return sum / repeats;
}

/**
 * Of the samples asked for one of `classes` (asked[i] is what sample i was asked for), the share the
 * classifier read (read[i]) as the class asked for.
 */
export function askedRight(
  read: readonly number[],
  asked: readonly number[],
  classes: readonly number[],
): number {
  let n = 0;
  let right = 0;
  asked.forEach((c, i) => {
    if (!classes.includes(c)) return;
    n++;
    if (read[i] === c) right++;
  });
  if (!n) throw new Error(`no sample was asked for ${classes.join(', ')}`);
  return right / n;
}

/** Shares of each class 0…9 among `labels`. */
export function classShares(labels: ArrayLike<number>): number[] {
  return classCounts(labels).map((c) => c / labels.length);
}

interface Drawn {
  images: Float32Array;
  /** The classifier's class of each image. */
  read: number[];
  confident: number;
}

async function drawer(dir: string) {
  const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  const { net, meta } = loadDdpm(readFileSync(join(dir, 'model.json'), 'utf8'), bin);
  if (!meta.latent || net.conditioning.kind !== 'class')
    throw new Error(`${dir} is not a label-conditioned latent model`);
  const codec = new LatentCodec(shippedAutoencoderNet(), meta.latent.scale);
  const schedule = makeSchedule(meta.schedule);
  const classifier = loadClassifier();
  /** One image per label (-1: no label) at guidance w, in batches; seeds from `seed`. */
  const draw = async (labels: number[], w: number, seed: number): Promise<Drawn> => {
    const images = new Float32Array(labels.length * 784);
    for (let s = 0; s < labels.length; s += BATCH) {
      const part = labels.slice(s, s + BATCH);
      const cond = classCondition(part, 10);
      let last: Float32Array | null = null;
      try {
        const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: STEPS }, schedule, modelSampling(meta));
        for await (const f of sampleDdpm(net, sampler, {
          n: part.length,
          seed: seed + s,
          cond,
          // guidance needs a label to push towards: unlabelled draws are the null condition alone
          guidanceScale: part.every((l) => l < 0) ? 1 : w,
          every: STEPS,
        }))
          last = f.x;
      } finally {
        cond.dispose();
      }
      images.set(await decodeLatents(codec, last!, part.length), s * 784);
    }
    const { probs } = await classify(classifier, images);
    const read = topClasses(probs, labels.length);
    return { images, read, confident: summarizeProbs(probs, labels.length).confident / labels.length };
  };
  return {
    draw,
    dispose() {
      net.dispose();
      codec.autoencoder.dispose();
      classifier.dispose();
    },
  };
}

export async function biasPart(per: number, machine: string, outDir: string, seed = 1) {
  if (per < 2) throw new Error(`--per ${per}: at least 2 (the figure shows two of each digit)`);
  const train = loadMnistNode('train');
  const labels = Array.from(train.labels);
  const subset = (o: Subset) => imbalancedIndices(labels, o).map((i) => labels[i]!);
  const trained = { bias: classShares(subset(BIAS)), control: classShares(subset(CONTROL)) };
  const uniform = new Array<number>(10).fill(0.1);
  const none = new Array<number>(10 * per).fill(-1);
  const each = Array.from({ length: 10 * per }, (_, i) => Math.floor(i / per));
  const rows: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [];
  const unlabelled = (id: string, d: Drawn, train: number[]) => {
    const shares = classShares(d.read);
    rows.push({
      id,
      asked: 'no label',
      guidance: null,
      samples: d.read.length,
      shares,
      trainShares: train,
      tvToTraining: totalVariation(shares, train),
      tvSamplingNoise: samplingTv(train, d.read.length),
      tvToUniform: totalVariation(shares, uniform),
      confident: d.confident,
    });
    figure.push(d.images.slice(0, 20 * 784));
    console.log(
      `${id}: ${shares.map((s, c) => `${c} ${(100 * s).toFixed(1)}%`).join(' ')}; TV to training ${totalVariation(shares, train).toFixed(3)}`,
    );
  };
  const asked = (id: string, d: Drawn, w: number) => {
    const shares = classShares(d.read);
    const rightOf = (cs: number[]) => askedRight(d.read, each, cs);
    const others = [...Array(10).keys()].filter((c) => c !== BIAS.major);
    rows.push({
      id,
      asked: 'each digit equally',
      guidance: w,
      samples: d.read.length,
      shares,
      tvToUniform: totalVariation(shares, uniform),
      right: rightOf([...Array(10).keys()]),
      rightMajor: rightOf([BIAS.major]),
      rightOthers: rightOf(others),
      rightByClass: [...Array(10).keys()].map((c) => rightOf([c])),
      confident: d.confident,
    });
    console.log(
      `${id}: right ${(100 * rightOf([...Array(10).keys()])).toFixed(1)}% (the ${BIAS.major}s ${(100 * rightOf([BIAS.major])).toFixed(0)}%, the others ${(100 * rightOf(others)).toFixed(1)}%); TV to uniform ${totalVariation(shares, uniform).toFixed(3)}`,
    );
    return d;
  };

  const bias = await drawer(BIAS_DIR);
  unlabelled('bias-none', await bias.draw(none, 1, seed), trained.bias);
  let shown: Float32Array | null = null;
  for (const w of BIAS_GUIDANCE) {
    const d = asked(`bias-each-w${w}`, await bias.draw(each, w, seed), w);
    if (w === 3) shown = d.images;
  }
  bias.dispose();
  const control = await drawer(CONTROL_DIR);
  unlabelled('control-none', await control.draw(none, 1, seed), trained.control);
  for (const w of BIAS_GUIDANCE) asked(`control-each-w${w}`, await control.draw(each, w, seed), w);
  control.dispose();

  // the figure: 20 unlabelled samples of each model, then the imbalanced model asked for 0…9 (two each)
  const pick = new Float32Array(20 * 784);
  for (let c = 0; c < 10; c++)
    for (let k = 0; k < 2; k++)
      pick.set(shown!.subarray((c * per + k) * 784, (c * per + k + 1) * 784), (2 * c + k) * 784);
  const g = digitGrid(joinImages([...figure, pick]), { cols: 20 });
  writeFileAtomic(join(outDir, 'bias.png'), encodePng(g.width, g.height, g.rgb));
  const skewed = classCounts(subset(BIAS));
  const subsets = {
    images: BIAS.majorCount + BIAS.othersCount,
    majorCount: skewed[BIAS.major],
    // the fewest examples of any rare class (the nine share the rest as evenly as whole numbers allow)
    rarePerClass: Math.min(...skewed.filter((_, c) => c !== BIAS.major)),
    controlPerClass: Math.min(...classCounts(subset(CONTROL))),
  };
  return { steps: STEPS, per, seed, machine, trainShares: trained, subsets, rows };
}

/** The bias measurement as Markdown (runs/limits/bias.md, and the bias model's card). */
export function biasMarkdown(command: string, b: Awaited<ReturnType<typeof biasPart>>): string {
  const pct = (v: unknown) => `${(100 * (v as number)).toFixed(1)}%`;
  const model = (id: string) =>
    id.startsWith('bias')
      ? `imbalanced (${Math.round((100 * BIAS.majorCount) / (BIAS.majorCount + BIAS.othersCount))}% ${BIAS.major}s)`
      : 'balanced control';
  const head = `Command: \`${command}\`. Two label-conditioned latent models with the same network, optimiser, steps and number of training digits, one trained on the imbalanced subset (\`${BIAS_DIR}\`), one on a balanced subset (\`${CONTROL_DIR}\`); ${(10 * b.per).toLocaleString('en')} samples per row (DDIM ${b.steps} steps, seeds from ${b.seed}), each read by the course's classifier. TV: total variation distance between two histograms (0 the same, 1 disjoint).\n\n`;
  const t1 =
    '| model, asked for | guidance | share of ' +
    BIAS.major +
    's drawn | in its training data | TV to its training data | TV to uniform | confident |\n|---|---|---|---|---|---|---|\n' +
    b.rows
      .map((r) => {
        const s = r.shares as number[];
        const train = r.trainShares as number[] | undefined;
        return `| ${model(String(r.id))}, ${String(r.asked)} | ${r.guidance ?? '—'} | ${pct(s[BIAS.major])} | ${train ? pct(train[BIAS.major]) : '10% asked'} | ${r.tvToTraining === undefined ? '—' : (r.tvToTraining as number).toFixed(3)} | ${(r.tvToUniform as number).toFixed(3)} | ${pct(r.confident)} |`;
      })
      .join('\n');
  const asked = b.rows.filter((r) => r.right !== undefined);
  const t2 =
    '\n\nAsked for each digit equally: how often the drawn digit is the one asked for.\n\n| model | guidance | all | the ' +
    BIAS.major +
    's | the other nine |\n|---|---|---|---|---|\n' +
    asked
      .map(
        (r) =>
          `| ${model(String(r.id))} | ${String(r.guidance)} | ${pct(r.right)} | ${pct(r.rightMajor)} | ${pct(r.rightOthers)} |`,
      )
      .join('\n');
  return head + t1 + t2 + '\n';
}

/** Training lengths of the 2-D measurement (the cell trains 10 s a press: about 1,000–1,300 steps on WASM). */
export const BIAS_2D_STEPS = [600, 1200, 2400];
const BIAS_2D = {
  points: 2000,
  particles: 1000,
  seeds: 3,
  spec: { sampler: 'ddim' as const, eta: 0, steps: 100 },
};

/**
 * `--part bias2d`: the lesson's 2-D experiment in Node, the same model and trainer: five clusters, 60% in
 * cluster A, as collected or reweighted; after each training length, 1,000 particles (DDIM 100 steps)
 * counted by nearest cluster; three seeds (each its own points, weights and noise).
 */
export async function bias2dPart(machine: string) {
  const rows: Record<string, unknown>[] = [];
  for (const weighting of ['collected', 'reweighted'] as const) {
    const byLength = BIAS_2D_STEPS.map(() => [] as number[][]);
    for (let seed = 1; seed <= BIAS_2D.seeds; seed++) {
      const collected = collectedClusters(BIAS_2D.points, seed);
      const pts = weighting === 'collected' ? collected : reweighted(collected, BIAS_2D.points, seed);
      const tr = new DdpmTrainer(toyConfig(seed), arrayTrainData(pts, [2]));
      const net = makeDenoiser(tr.config);
      for (let k = 0; k < BIAS_2D_STEPS.length; k++) {
        for await (const _ of tr.run(BIAS_2D_STEPS[k]! - tr.step, { readEvery: 100 })) void _;
        net.copyFrom(tr.ema.shadow);
        const sampler = makeSampler(BIAS_2D.spec, tr.schedule, {
          prediction: tr.config.prediction,
          clipSample: false,
        });
        let x: Float32Array | null = null;
        for await (const f of sampleDdpm(net, sampler, {
          n: BIAS_2D.particles,
          seed,
          every: BIAS_2D.spec.steps,
        }))
          x = f.x;
        byLength[k]!.push(clusterShares(x!));
      }
      net.dispose();
      tr.dispose();
    }
    BIAS_2D_STEPS.forEach((steps, k) => {
      const a = byLength[k]!.map((s) => s[0]!);
      const mean = a.reduce((p, v) => p + v, 0) / a.length;
      const sd = Math.sqrt(a.reduce((p, v) => p + (v - mean) ** 2, 0) / (a.length - 1));
      rows.push({
        id: `${weighting}-${steps}`,
        weighting,
        steps,
        shareA: { mean, sd, min: Math.min(...a), max: Math.max(...a) },
        shares: byLength[k],
      });
      console.log(
        `${weighting}, ${steps} steps: cluster A ${(100 * mean).toFixed(1)}% ± ${(100 * sd).toFixed(1)}`,
      );
    });
  }
  return { ...BIAS_2D, stepsMeasured: BIAS_2D_STEPS, majorShare: MAJOR_SHARE, machine, rows };
}
