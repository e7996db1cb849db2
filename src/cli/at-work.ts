/**
 * `npm run eval -- at-work [--part denoise|inpaint|sdedit|rare] [--digits N] [--seed S] [--seeds a,b,…] [--out DIR]`: the measured
 * tables of the lesson "Diffusion at work", with the shipped pixel DDPM (and, for the rare class, the
 * shipped label-conditioned latent model), on the first N MNIST test digits (default 100).
 *
 * - denoise: each digit seen through Gaussian noise of known σ; the noisy image, the one-call estimate x̂₀
 *   and a posterior sample (25 calls down from that level), scored by PSNR against the clean digit,
 *   whether the classifier still reads the right digit, and sharpness against the clean digits.
 * - inpaint: three holes; the hole left blank, filled by replacing the known pixels at every step
 *   (RePaint's walk without going back up), and by RePaint (stretches of 5 steps walked 4 times): PSNR inside the hole
 *   and whether the right digit is read.
 * - sdedit: a rough sketch of each digit edited at strengths 0 to 1: PSNR against the sketch
 *   (faithfulness), the right digit read and the share of confident readings (realism).
 * - rare: a small perceptron trained with 10 real examples of one digit and 500 of every other, then
 *   with those 10 repeated, with 500 generated ones added, and with 500 real ones (the ceiling); recall of
 *   the rare digit on all its test digits, over seeds (--seeds, default 0,1,2,3,4).
 *
 * Writes runs/at-work/<part>.json and a Markdown table beside it (means with their standard errors over
 * digits, or spreads over seeds).
 */
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { classify, summarizeProbs } from '../metrics/evaluate';
import { topClasses } from '../metrics/quality';
import { gradientEnergy } from '../metrics/reconstruction';
import { classCondition } from '../nets/denoiser';
import { loadDdpm, modelSampling } from '../nets/load';
import { modelFile, SHIPPED_MODELS } from '../nets/registry';
import { sampleDdpm } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import {
  concatSets,
  fitSmallClassifier,
  predictClasses,
  rareSubset,
  repeatSet,
  scoreRare,
  type LabelledImages,
} from '../train/rare-class';
import {
  HOLES,
  holeMask,
  networkCalls,
  psnrEach,
  REPAINT,
  restoreSetup,
  roughSketch,
  WALK_CALLS,
  sigmaOf,
  walkToEnd,
  type HoleName,
} from '../pipelines/restore';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { digitGrid, encodePng } from './png';
import { shippedAutoencoderNet } from './latent-files';
import { LABEL_DIR } from './t2i-files';

export const AT_WORK_DIR = 'runs/at-work';
/** Where this run writes: runs/at-work, or --out DIR (a second run to check the first against). */
const outDir = () => arg('out') ?? AT_WORK_DIR;
/** Noise levels of the denoising measurement, σ in pixel units of the [-1, 1] range. */
export const DENOISE_SIGMAS = [0.25, 0.5, 1, 2, 4];
export const SDEDIT_STRENGTHS = [0, 0.2, 0.35, 0.5, 0.65, 0.8, 1];
export const RARE = {
  digit: 8,
  real: 10,
  perClass: 500,
  made: 500,
  steps: 1500,
  batch: 64,
  lr: 1e-3,
  guidance: 3,
};

const PER = 784;

/** Mean and standard error of the mean. */
function meanSe(v: ArrayLike<number>): { mean: number; se: number } {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i]!;
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i]! - m) ** 2;
  return { mean: m, se: n > 1 ? Math.sqrt(s / (n - 1) / n) : 0 };
}

/** Share of images the classifier reads as their label, and share read confidently (any class). */
async function readings(
  images: Float32Array,
  labels: ArrayLike<number>,
): Promise<{ right: number; confident: number }> {
  const { probs } = await classify(classifierNet(), images);
  const n = images.length / PER;
  const right = topClasses(probs, n).filter((c, i) => c === labels[i]).length;
  const { confident } = summarizeProbs(probs, n);
  return { right: right / n, confident: confident / n };
}

let classifier: ReturnType<typeof loadClassifier> | null = null;
const classifierNet = () => (classifier ??= loadClassifier());

function pixelDdpm() {
  const m = SHIPPED_MODELS.ddpmMnist;
  const loaded = loadDdpm(
    readFileSync(modelFile(m, 'model'), 'utf8'),
    new Uint8Array(readFileSync(modelFile(m, 'weights'))),
  );
  const sampling = modelSampling(loaded.meta);
  return { ...loaded, schedule: makeSchedule(loaded.meta.schedule), sampling };
}

function testDigits(n: number): { x0: Float32Array; labels: Uint8Array } {
  const split = loadMnistNode('test');
  const data = mnistTrainData(split);
  const x0 = new Float32Array(n * PER);
  for (let i = 0; i < n; i++) data.copySample(i, x0, i * PER);
  return { x0, labels: split.labels.slice(0, n) };
}

function savePng(path: string, images: Float32Array, cols: number): void {
  const g = digitGrid(images, { cols });
  writeFileSync(path, encodePng(g.width, g.height, g.rgb));
}

/** The first `k` images of each set, interleaved row by row (one row per set) for a figure. */
function rows(sets: Float32Array[], k: number): Float32Array {
  const out = new Float32Array(sets.length * k * PER);
  sets.forEach((s, r) => out.set(s.subarray(0, k * PER), r * k * PER));
  return out;
}

interface Common {
  command: string;
  date: string;
  machine: string;
  digits: number;
  seed: number;
}

async function denoisePart(c: Common) {
  const m = pixelDdpm();
  const { x0, labels } = testDigits(c.digits);
  const clean = gradientEnergy(x0, 28);
  const rowsOut: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [x0];
  for (const sigma of DENOISE_SIGMAS) {
    const task = (calls: number) => ({ op: 'denoise' as const, sigma, calls });
    const setup = restoreSetup(m.net, m.schedule, m.sampling, task(1), x0, c.seed);
    const { t } = setup;
    const walk = (calls: number) =>
      walkToEnd(restoreSetup(m.net, m.schedule, m.sampling, task(calls), x0, c.seed).walk);
    const outs: [string, Float32Array, number][] = [
      ['noisy', setup.observed, 0],
      ['one-call x̂₀', await walk(1), 1],
      ['posterior sample', await walk(WALK_CALLS), WALK_CALLS],
    ];
    let mseOneCall = NaN;
    for (const [method, img, calls] of outs) {
      const shown = img.map((v) => Math.max(-1, Math.min(1, v)));
      const r = await readings(shown, labels);
      const p = meanSe(psnrEach(shown, x0, PER));
      let se = 0;
      for (let i = 0; i < shown.length; i++) se += ((shown[i]! - x0[i]!) / 2) ** 2;
      const mse = se / shown.length; // over all digits: the quantity the factor of 2 is about
      if (calls === 1) mseOneCall = mse;
      rowsOut.push({
        id: `${sigma}-${method.split(' ')[0]}`,
        sigma,
        sigmaExact: sigmaOf(m.schedule, t),
        t: t + 1,
        method,
        calls,
        psnr: p.mean,
        psnrSe: p.se,
        mse,
        // the sample's mean squared error over the one call's, in dB (10 log10 2 ≈ 3 for a perfect model)
        ...(calls > 1 ? { gapDb: 10 * Math.log10(mse / mseOneCall) } : {}),
        right: r.right,
        confident: r.confident,
        sharpness: gradientEnergy(shown, 28) / clean,
      });
      if (sigma === 1) figure.push(shown);
    }
    console.log(`denoise σ ${sigma} (t = ${t + 1}) done`);
  }
  savePng(join(outDir(), 'denoise.png'), rows(figure, 10), 10);
  m.net.dispose();
  return { ...c, sigmas: DENOISE_SIGMAS, rows: rowsOut };
}

async function inpaintPart(c: Common) {
  const m = pixelDdpm();
  const { x0, labels } = testDigits(c.digits);
  const rowsOut: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [x0];
  for (const hole of Object.keys(HOLES) as HoleName[]) {
    const mask = holeMask(hole);
    const inHole = mask.map((v) => 1 - v);
    const task = (passes: number) => ({
      op: 'inpaint' as const,
      mask,
      calls: WALK_CALLS,
      passes,
      jump: REPAINT.jump,
    });
    const setup = (passes: number) => restoreSetup(m.net, m.schedule, m.sampling, task(passes), x0, c.seed);
    const outs: [string, Float32Array, number][] = [
      ['blank', setup(1).observed, 0],
      ['replace', await walkToEnd(setup(1).walk), networkCalls(setup(1).walk.path)],
      ['RePaint', await walkToEnd(setup(REPAINT.passes).walk), networkCalls(setup(REPAINT.passes).walk.path)],
    ];
    for (const [method, img, calls] of outs) {
      const r = await readings(img, labels);
      const p = meanSe(psnrEach(img, x0, PER, inHole));
      rowsOut.push({
        id: `${hole}-${method.toLowerCase()}`,
        hole,
        holeText: HOLES[hole],
        method,
        calls,
        psnr: p.mean,
        psnrSe: p.se,
        right: r.right,
        confident: r.confident,
      });
      if (hole === 'bottom') figure.push(img);
    }
    console.log(`inpaint ${hole} done`);
  }
  savePng(join(outDir(), 'inpaint.png'), rows(figure, 10), 10);
  m.net.dispose();
  return { ...c, passes: REPAINT.passes, jump: REPAINT.jump, rows: rowsOut };
}

async function sdeditPart(c: Common) {
  const m = pixelDdpm();
  const { x0, labels } = testDigits(c.digits);
  const sketch = roughSketch(x0);
  const rowsOut: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [x0];
  for (const strength of SDEDIT_STRENGTHS) {
    const calls = Math.max(1, Math.round(WALK_CALLS * strength));
    const setup =
      strength === 0
        ? null
        : restoreSetup(m.net, m.schedule, m.sampling, { op: 'sdedit', strength, calls }, sketch, c.seed);
    const t = setup?.t ?? -1;
    const out = setup ? await walkToEnd(setup.walk) : sketch;
    const r = await readings(out, labels);
    const p = meanSe(psnrEach(out, sketch, PER));
    rowsOut.push({
      id: String(strength),
      strength,
      t: strength === 0 ? 0 : t + 1,
      calls: strength === 0 ? 0 : calls,
      psnrSketch: p.mean,
      psnrSketchSe: p.se,
      right: r.right,
      confident: r.confident,
    });
    figure.push(out);
    console.log(`sdedit strength ${strength} done`);
  }
  savePng(join(outDir(), 'sdedit.png'), rows(figure, 10), 10);
  m.net.dispose();
  return { ...c, strengths: SDEDIT_STRENGTHS, rows: rowsOut };
}

/** `count` digits of class `digit` from the shipped label-conditioned latent model (DDIM 20, guided). */
async function madeDigits(digit: number, count: number, seed: number): Promise<Float32Array> {
  const bin = new Uint8Array(readFileSync(join(LABEL_DIR, 'weights.bin')));
  const { net, meta } = loadDdpm(readFileSync(join(LABEL_DIR, 'model.json'), 'utf8'), bin);
  if (!meta.latent) throw new Error(`${LABEL_DIR} is not a latent model`);
  const codec = new LatentCodec(shippedAutoencoderNet(), meta.latent.scale);
  const schedule = makeSchedule(meta.schedule);
  const out = new Float32Array(count * PER);
  const batch = 100;
  for (let s = 0; s < count; s += batch) {
    const m = Math.min(batch, count - s);
    const cond = classCondition(new Array<number>(m).fill(digit), 10);
    let last: Float32Array | null = null;
    try {
      const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: 20 }, schedule, modelSampling(meta));
      for await (const f of sampleDdpm(net, sampler, {
        n: m,
        seed: seed * 100_000 + s,
        cond,
        guidanceScale: RARE.guidance,
        every: 20,
      }))
        last = f.x;
    } finally {
      cond.dispose();
    }
    out.set(await decodeLatents(codec, last!, m), s * PER);
  }
  net.dispose();
  return out;
}

async function rarePart(c: Common, seeds: number[]) {
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const trainData = mnistTrainData(train);
  const testData = mnistTrainData(test);
  const testImages = new Float32Array(test.count * PER);
  for (let i = 0; i < test.count; i++) testData.copySample(i, testImages, i * PER);
  const pick = (idx: number[]): LabelledImages => {
    const images = new Float32Array(idx.length * PER);
    idx.forEach((j, k) => trainData.copySample(j, images, k * PER));
    return { images, labels: Uint8Array.from(idx, (j) => train.labels[j]!) };
  };
  const d = RARE.digit;
  const runs: Record<string, unknown>[] = [];
  let figure: Float32Array | null = null;
  for (const seed of seeds) {
    const few = pick(rareSubset(train.labels, d, RARE.real, RARE.perClass, seed));
    const full = pick(rareSubset(train.labels, d, RARE.perClass, RARE.perClass, seed));
    const rareOnly: LabelledImages = {
      images: new Float32Array(
        [...few.labels.keys()]
          .filter((i) => few.labels[i] === d)
          .flatMap((i) => [...few.images.subarray(i * PER, (i + 1) * PER)]),
      ),
      labels: new Uint8Array(RARE.real).fill(d),
    };
    const made = await madeDigits(d, RARE.made, seed);
    figure ??= made.slice(0, 20 * PER);
    const sets: [string, string, LabelledImages][] = [
      ['few', `${RARE.real} real`, few],
      [
        'repeated',
        `${RARE.real} real, each repeated ${RARE.made / RARE.real} times`,
        concatSets(few, repeatSet(rareOnly, RARE.made / RARE.real - 1)),
      ],
      [
        'generated',
        `${RARE.real} real + ${RARE.made} generated`,
        concatSets(few, { images: made, labels: new Uint8Array(RARE.made).fill(d) }),
      ],
      ['ceiling', `${RARE.perClass} real (the ceiling)`, full],
    ];
    for (const [id, name, set] of sets) {
      const net = await fitSmallClassifier(set, { steps: RARE.steps, batch: RARE.batch, lr: RARE.lr, seed });
      const s = scoreRare(await predictClasses(net, testImages), test.labels, d);
      net.dispose();
      runs.push({ id, set: name, seed, ...s });
      console.log(`rare ${d}, seed ${seed}, ${name}: recall ${(100 * s.recall).toFixed(1)}%`);
    }
  }
  savePng(join(outDir(), 'rare.png'), figure!, 10);
  const ids = [...new Set(runs.map((r) => r.id as string))];
  const rowsOut = ids.map((id) => {
    const rs = runs.filter((r) => r.id === id);
    const stat = (k: string) => {
      const v = rs.map((r) => r[k] as number);
      const { mean, se } = meanSe(v);
      return { mean, sd: se * Math.sqrt(v.length), min: Math.min(...v), max: Math.max(...v) };
    };
    return {
      id,
      set: rs[0]!.set,
      recall: stat('recall'),
      precision: stat('precision'),
      accuracy: stat('accuracy'),
    };
  });
  const { command, date, machine } = c; // the rare part has seeds of its own, and no test-digit range
  return { command, date, machine, rare: RARE, seeds, seedCount: seeds.length, runs, rows: rowsOut };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function markdown(part: string, r: { rows: Record<string, unknown>[]; command: string }): string {
  const head = `Command: \`${r.command}\`.\n\n`;
  const f = (v: unknown) => (v as number).toFixed(1);
  if (part === 'denoise')
    return (
      head +
      '| σ | t | method | network calls | PSNR (dB) | right digit | confident | sharpness / clean |\n|---|---|---|---|---|---|---|---|\n' +
      r.rows
        .map(
          (x) =>
            `| ${x.sigma} | ${x.t} | ${x.method} | ${x.calls} | ${f(x.psnr)} ± ${f(x.psnrSe)} | ${pct(x.right as number)} | ${pct(x.confident as number)} | ${(x.sharpness as number).toFixed(2)} |`,
        )
        .join('\n')
    );
  if (part === 'inpaint')
    return (
      head +
      '| hole | method | network calls | PSNR in the hole (dB) | right digit | confident |\n|---|---|---|---|---|---|\n' +
      r.rows
        .map(
          (x) =>
            `| ${x.holeText} | ${x.method} | ${x.calls} | ${f(x.psnr)} ± ${f(x.psnrSe)} | ${pct(x.right as number)} | ${pct(x.confident as number)} |`,
        )
        .join('\n')
    );
  if (part === 'sdedit')
    return (
      head +
      '| strength | t | network calls | PSNR against the sketch (dB) | right digit | confident |\n|---|---|---|---|---|---|\n' +
      r.rows
        .map(
          (x) =>
            `| ${x.strength} | ${x.t} | ${x.calls} | ${f(x.psnrSketch)} ± ${f(x.psnrSketchSe)} | ${pct(x.right as number)} | ${pct(x.confident as number)} |`,
        )
        .join('\n')
    );
  return (
    head +
    '| training set | recall of the rare digit (mean ± sd over seeds) | range | precision | accuracy, all digits |\n|---|---|---|---|---|\n' +
    r.rows
      .map((x) => {
        const s = (k: string) => x[k] as { mean: number; sd: number; min: number; max: number };
        return `| ${x.set} | ${pct(s('recall').mean)} ± ${pct(s('recall').sd)} | ${pct(s('recall').min)}–${pct(s('recall').max)} | ${pct(s('precision').mean)} | ${pct(s('accuracy').mean)} |`;
      })
      .join('\n')
  );
}

export const AT_WORK_PARTS = ['denoise', 'inpaint', 'sdedit', 'rare'] as const;

export async function atWorkCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const parts = arg('part') ? [arg('part')!] : [...AT_WORK_PARTS];
  for (const p of parts)
    if (!(AT_WORK_PARTS as readonly string[]).includes(p))
      throw new Error(`--part ${p}: one of ${AT_WORK_PARTS.join(', ')}`);
  const digits = Number(arg('digits') ?? '100');
  const seed = Number(arg('seed') ?? '0');
  const seeds = (arg('seeds') ?? '0,1,2,3,4').split(',').map(Number);
  if (!Number.isInteger(digits) || digits < 1 || digits > 10_000)
    throw new Error(`--digits ${digits}: 1 to 10,000`);
  mkdirSync(outDir(), { recursive: true });
  for (const part of parts) {
    const flags = [
      `--part ${part}`,
      ...(part === 'rare'
        ? arg('seeds')
          ? [`--seeds ${seeds.join(',')}`]
          : []
        : [`--digits ${digits}`, `--seed ${seed}`]),
      ...(arg('out') ? [`--out ${arg('out')}`] : []),
    ];
    const c: Common = {
      command: `npm run eval -- at-work ${flags.join(' ')}`,
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`,
      digits,
      seed,
    };
    const t0 = performance.now();
    const r =
      part === 'denoise'
        ? await denoisePart(c)
        : part === 'inpaint'
          ? await inpaintPart(c)
          : part === 'sdedit'
            ? await sdeditPart(c)
            : await rarePart(c, seeds);
    const out = { ...r, seconds: (performance.now() - t0) / 1000 };
    writeFileAtomic(join(outDir(), `${part}.json`), JSON.stringify(out, null, 1) + '\n');
    writeFileAtomic(join(outDir(), `${part}.md`), markdown(part, out) + '\n');
    console.log(markdown(part, out));
  }
}
