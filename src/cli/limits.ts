/**
 * `npm run eval -- limits --part text|canvas|bias|bias2d|cost [--per N]`: the measurements of "What
 * diffusion still gets wrong".
 *
 * - text: the single-digit text-to-image model (models/t2i-mnist) asked for text it never saw drawn: "42"
 *   and "77" (two numerals), "a 7 and a 1" (two digits in words), "hello" (letters), beside "7" (what it
 *   knows) and the empty prompt. Each prompt draws
 *   N images (seeds 1…N, DDIM 20 steps, guidance 3); the course's classifier reads each, and the canvas
 *   judge counts the separate marks in it (a model that had learnt to write "42" would draw two).
 *
 * - canvas: the multi-digit canvas model (models/t2i-canvas, `npm run train -- canvas`) asked for counts
 *   ("three sevens", every digit with one to four copies) and relations ("a three left of a seven", pairs
 *   of digits in each of the four relations), N images per prompt at each guidance scale; each image read
 *   back by the canvas judge (src/metrics/canvas-judge.ts) and the classifier. The same judge on real test
 *   canvases of the same kinds gives the ceiling. The canvases at guidance 3 (the lesson's) are kept in
 *   the DDPM evaluation's batch format under runs/eval-canvas/ (one batch per prompt, prompts.json names
 *   each), the other scales under .cache/eval-canvas/ (the same seeds redraw them).
 *
 * - bias and bias2d (src/cli/limits-bias.ts) and cost (src/cli/limits-cost.ts): see there.
 *
 * Writes runs/limits/<part>.json and a Markdown table beside it.
 */
import { mulberry32 } from '../diffusion/random';
import { cpus } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampler } from '../diffusion/samplers';
import { classify, summarizeProbs } from '../metrics/evaluate';
import { topClasses } from '../metrics/quality';
import { textToImage } from '../pipelines/text-to-image';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { sampleCached, weightsHash } from './sample-cache';
import { digitGrid, encodePng, joinImages } from './png';
import { loadTextToImageNode, MNIST_T2I_DIRS, type TextToImageDirs } from './t2i-node';
import { CANVAS_PIXELS, CANVAS_SIDE, canvasTrainData, RELATIONS, type Relation } from '../data/canvas';
import { loadMnistNode } from '../data/mnist-node';
import { judge, findDigits, type CanvasAsk } from '../metrics/canvas-judge';
import { countCaption, relationCaption } from '../text/canvas-captions';
import { CANVAS_AE_DIR, CANVAS_DIRS, writeCanvasCard } from './canvas-files';
import { readTrainingLog } from './latent-files';
import { bias2dPart, biasMarkdown, biasPart } from './limits-bias';
import { BIAS_DIR, CONTROL_DIR, writeBiasCard } from './bias-files';
import { costMarkdown, costPart } from './limits-cost';

export const CANVAS_T2I_DIRS: TextToImageDirs = {
  t2i: CANVAS_DIRS.model,
  clip: CANVAS_DIRS.clip,
  autoencoder: CANVAS_AE_DIR,
  tokenizer: CANVAS_DIRS.tokenizer,
};
export const CANVAS_GUIDANCE = [1, 3, 5];
/** Digit pairs of the relation prompts (each in all four relations). */
export const RELATION_PAIRS: [number, number][] = [
  [3, 7],
  [1, 8],
  [4, 0],
  [6, 2],
  [9, 5],
];

export const LIMITS_DIR = 'runs/limits';
export const TEXT_PROMPTS = ['7', '42', 'hello', '', '77', 'a 7 and a 1'] as const;
const GUIDANCE = 3;
const STEPS = 20;

async function textPart(per: number, machine: string) {
  const m = loadTextToImageNode(MNIST_T2I_DIRS);
  const classifier = loadClassifier();
  const rows: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [];
  for (const prompt of TEXT_PROMPTS) {
    const images = new Float32Array(per * 784);
    for (let s = 0; s < per; s += 50) {
      const n = Math.min(50, per - s);
      const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: STEPS }, m.schedule, {
        prediction: m.prediction,
        clipSample: false,
      });
      let last: Float32Array | null = null;
      for await (const f of textToImage(m, sampler, {
        prompt,
        guidance: GUIDANCE,
        n,
        seed: 1 + s,
        previews: false,
      }))
        last = f.image;
      images.set(last!, s * 784);
    }
    const { probs } = await classify(classifier, images);
    const { counts, confident } = summarizeProbs(probs, per);
    let marks2 = 0;
    for (let i = 0; i < per; i++)
      if (findDigits(images.subarray(i * 784, (i + 1) * 784), 28).length >= 2) marks2++;
    const shares = counts.map((c) => c / per);
    const top = [...shares.keys()].sort((a, b) => shares[b]! - shares[a]!).slice(0, 3);
    rows.push({
      id: prompt === '' ? 'empty' : prompt.replace(/\s+/g, '-'),
      prompt,
      images: per,
      shares,
      top: top.map((d) => ({ digit: d, share: shares[d] })),
      confident: confident / per,
      twoOrMoreMarks: marks2 / per,
    });
    figure.push(images.slice(0, 10 * 784));
    console.log(
      `"${prompt}": read as ${top.map((d) => `${d} ${(100 * shares[d]!).toFixed(0)}%`).join(', ')}; two or more marks ${marks2}/${per}`,
    );
  }
  const g = digitGrid(joinImages(figure), { cols: 10 });
  writeFileAtomic(join(LIMITS_DIR, 'text.png'), encodePng(g.width, g.height, g.rgb));
  m.dispose();
  classifier.dispose();
  return { guidance: GUIDANCE, steps: STEPS, machine, rows };
}

interface CanvasShares {
  /** The right number of groups of ink, every one the asked digit(s), both (and placed as asked). */
  count: number;
  digits: number;
  right: number;
  /** No ink found; more groups than asked. */
  empty: number;
  tooMany: number;
}

/** What the judge makes of n canvases (n·3136 values) asked for `ask`. */
async function judgeCanvases(
  classifier: ReturnType<typeof loadClassifier>,
  images: Float32Array,
  ask: CanvasAsk,
): Promise<CanvasShares> {
  const n = images.length / CANVAS_PIXELS;
  const found = Array.from({ length: n }, (_, k) =>
    findDigits(images.subarray(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS), CANVAS_SIDE),
  );
  const crops = found.flat();
  const all = new Float32Array(Math.max(1, crops.length) * 784);
  crops.forEach((f, i) => all.set(f.crop, i * 784));
  const { probs } = crops.length ? await classify(classifier, all) : { probs: new Float32Array(0) };
  let at = 0;
  let count = 0;
  let digits = 0;
  let right = 0;
  let empty = 0;
  let tooMany = 0;
  const asked = ask.kind === 'count' ? ask.n : 2;
  const read = topClasses(probs, crops.length);
  for (const f of found) {
    const classes = f.map(() => read[at++]!);
    const v = judge(f, classes, ask);
    if (v.countRight) count++;
    if (v.digitsRight) digits++;
    if (v.right) right++;
    if (f.length === 0) empty++;
    if (f.length > asked) tooMany++;
  }
  return { count: count / n, digits: digits / n, right: right / n, empty: empty / n, tooMany: tooMany / n };
}

/** The prompts of the canvas measurement, each with what it asks. */
export function canvasPrompts(): { kind: 'count' | 'relation'; n: number; prompt: string; ask: CanvasAsk }[] {
  const out: { kind: 'count' | 'relation'; n: number; prompt: string; ask: CanvasAsk }[] = [];
  for (let n = 1; n <= 4; n++)
    for (let d = 0; d < 10; d++)
      out.push({ kind: 'count', n, prompt: countCaption(d, n), ask: { kind: 'count', digit: d, n } });
  for (const [a, b] of RELATION_PAIRS)
    for (const r of RELATIONS)
      out.push({
        kind: 'relation',
        n: 2,
        prompt: relationCaption(a, r as Relation, b),
        ask: { kind: 'relation', a, relation: r, b },
      });
  return out;
}

/** Where the canvas measurement keeps its samples: the lesson's guidance under runs/, the others in .cache/. */
const CANVAS_KEPT_GUIDANCE = 3;

async function canvasPart(
  per: number,
  machine: string,
  t2i: string,
  guidance: number[],
  seed: number,
  dir: string,
) {
  const m = loadTextToImageNode({ ...CANVAS_T2I_DIRS, t2i });
  const hash = weightsHash(readFileSync(join(t2i, 'weights.bin')));
  const modelStep = readTrainingLog(t2i).step;
  const classifier = loadClassifier();
  const prompts = canvasPrompts();
  const rows: Record<string, unknown>[] = [];
  const figure: Float32Array[] = [];
  const folders: string[] = [];
  for (const w of guidance) {
    const results: ({ kind: string; n: number } & CanvasShares)[] = [];
    // each prompt's canvases one batch of the DDPM evaluation's format, seeds seed…seed+per-1 for every prompt
    const name = `${hash}-ddim${STEPS}-w${w}-s${seed}-n${per}`;
    const folder = join(
      w === CANVAS_KEPT_GUIDANCE && dir === LIMITS_DIR ? 'runs' : '.cache',
      'eval-canvas',
      name,
    );
    folders.push(folder);
    writeFileAtomic(
      join(folder, 'prompts.json'),
      JSON.stringify(
        {
          model: t2i,
          weightsSha256Prefix: hash,
          step: modelStep,
          sampler: { sampler: 'ddim', eta: 0, steps: STEPS },
          side: CANVAS_SIDE,
          batches: prompts.map((p, i) => ({
            file: `b${i * per}.f32`,
            prompt: p.prompt,
            asks: p.ask,
            guidance: w,
            negative: '',
            seed,
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
      per: CANVAS_PIXELS,
      generate: async (start) => {
        const p = prompts[start / per]!;
        const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: STEPS }, m.schedule, {
          prediction: m.prediction,
          clipSample: false,
        });
        let last: Float32Array | null = null;
        for await (const f of textToImage(m, sampler, {
          prompt: p.prompt,
          guidance: w,
          n: per,
          seed,
          previews: false,
        }))
          last = f.image;
        return last!;
      },
    });
    if (!sampled.images) throw new Error(`${folder}: batches missing after sampling`);
    for (const [i, p] of prompts.entries()) {
      const last = sampled.images.subarray(i * per * CANVAS_PIXELS, (i + 1) * per * CANVAS_PIXELS);
      if (
        w === CANVAS_KEPT_GUIDANCE &&
        (p.prompt === 'three sevens' || p.prompt === 'a three left of a seven')
      )
        figure.push(last.slice(0, 8 * CANVAS_PIXELS));
      results.push({ kind: p.kind, n: p.n, ...(await judgeCanvases(classifier, last, p.ask)) });
    }
    const mean = (xs: typeof results, k: keyof CanvasShares) => xs.reduce((a, r) => a + r[k], 0) / xs.length;
    const shares = (xs: typeof results): CanvasShares => ({
      count: mean(xs, 'count'),
      empty: mean(xs, 'empty'),
      tooMany: mean(xs, 'tooMany'),
      digits: mean(xs, 'digits'),
      right: mean(xs, 'right'),
    });
    for (const n of [1, 2, 3, 4]) {
      const xs = results.filter((r) => r.kind === 'count' && r.n === n);
      rows.push({
        id: `count${n}-w${w}`,
        kind: 'count',
        n,
        guidance: w,
        ...shares(xs),
      });
    }
    const rel = results.filter((r) => r.kind === 'relation');
    rows.push({
      id: `relation-w${w}`,
      kind: 'relation',
      n: 2,
      guidance: w,
      ...shares(rel),
      // of the canvases with both asked digits (and only them), the share placed as asked: a model that ignored
      // the relation words would place them in one of the four relations of its training canvases, about 1/4
      orderGivenDigits: mean(rel, 'digits') > 0 ? mean(rel, 'right') / mean(rel, 'digits') : null,
    });
    console.log(
      `guidance ${w}: ${rows
        .slice(-5)
        .map((r) => `${r.id} ${(100 * (r.right as number)).toFixed(0)}%`)
        .join(', ')}`,
    );
  }
  // the ceiling: the same judge on real test canvases of each kind
  const real = canvasTrainData(loadMnistNode('test'), 2000, 7, mulberry32);
  const img = new Float32Array(CANVAS_PIXELS);
  const tally = new Map<string, { right: number; all: number }>();
  const imgs: Float32Array[] = [];
  const asks: CanvasAsk[] = [];
  const keys: string[] = [];
  for (let k = 0; k < real.count; k++) {
    const s = real.scenes[k]!;
    real.copySample(k, img, 0);
    imgs.push(img.slice());
    asks.push(
      s.kind === 'count'
        ? { kind: 'count', digit: s.digit, n: s.digits.length }
        : { kind: 'relation', a: s.digits[0].digit, relation: s.relation, b: s.digits[1].digit },
    );
    keys.push(s.kind === 'count' ? `count${s.digits.length}` : 'relation');
  }
  for (let k = 0; k < imgs.length; k++) {
    const v = await judgeCanvases(classifier, imgs[k]!, asks[k]!);
    const t = tally.get(keys[k]!) ?? { right: 0, all: 0 };
    t.right += v.right;
    t.all++;
    tally.set(keys[k]!, t);
  }
  for (const [key, t] of [...tally].sort(([a], [b]) => a.localeCompare(b)))
    rows.push({
      id: `${key}-real`,
      kind: key.startsWith('count') ? 'count' : 'relation',
      guidance: null,
      right: t.right / t.all,
      canvases: t.all,
    });
  if (figure.length) {
    const g = digitGrid(joinImages(figure), { cols: 8, side: CANVAS_SIDE, scale: 2 });
    writeFileAtomic(join(dir, 'canvas.png'), encodePng(g.width, g.height, g.rgb));
  }
  m.dispose();
  classifier.dispose();
  return {
    guidance,
    steps: STEPS,
    per,
    seed,
    modelStep,
    samples: folders,
    prompts: prompts.length,
    machine,
    rows,
  };
}

export async function limitsCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const part = arg('part') ?? 'text';
  if (!['text', 'canvas', 'bias', 'bias2d', 'cost'].includes(part))
    throw new Error(`--part ${part}: text, canvas, bias, bias2d or cost`);
  const per = Number(arg('per') ?? '100');
  if (!Number.isInteger(per) || per < 1) throw new Error(`--per ${per}: a whole number of images per prompt`);
  mkdirSync(LIMITS_DIR, { recursive: true });
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const t0 = performance.now();
  if (part === 'canvas') {
    const weights = arg('weights') ?? CANVAS_T2I_DIRS.t2i;
    const guidance = arg('guidance')?.split(',').map(Number) ?? CANVAS_GUIDANCE;
    // a second run with other noise (--seed S --out DIR) checks the figures' spread
    const seed = Number(arg('seed') ?? '1');
    const dir = arg('out') ?? LIMITS_DIR;
    mkdirSync(dir, { recursive: true });
    const c = await canvasPart(Number(arg('per') ?? '16'), machine, weights, guidance, seed, dir);
    const flags = `${arg('weights') ? ` --weights ${weights}` : ''}${arg('guidance') ? ` --guidance ${guidance.join(',')}` : ''}${seed !== 1 ? ` --seed ${seed}` : ''}${dir !== LIMITS_DIR ? ` --out ${dir}` : ''}`;
    const out = {
      command: `npm run eval -- limits --part canvas --per ${c.per}${flags}`,
      date: new Date().toISOString().slice(0, 10),
      ...c,
      seconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomic(join(dir, 'canvas.json'), JSON.stringify(out, null, 1) + '\n');
    const pct = (v: unknown) => `${(100 * (v as number)).toFixed(0)}%`;
    const md =
      `Command: \`${out.command}\`. ${c.prompts} prompts, ${c.per} canvases each (seeds from ${seed}, DDIM ${STEPS} steps) at every guidance scale, read back by the canvas judge and the classifier; "real" rows: the same judge on 2,000 real test canvases.\n\n| asked for | guidance | no ink found | too many groups | right number of groups | right digits | all right |\n|---|---|---|---|---|---|---|\n` +
      c.rows
        .map(
          (r) =>
            `| ${r.kind === 'count' ? `${r.n ?? String(r.id).slice(5, 6)} of a digit` : 'a relation'} | ${r.guidance ?? 'real canvases'} | ${r.empty === undefined ? '' : pct(r.empty)} | ${r.tooMany === undefined ? '' : pct(r.tooMany)} | ${r.count === undefined ? '' : pct(r.count)} | ${r.digits === undefined ? '' : pct(r.digits)} | ${pct(r.right)} |`,
        )
        .join('\n') +
      '\n';
    writeFileAtomic(join(dir, 'canvas.md'), md);
    if (dir === LIMITS_DIR && weights === CANVAS_T2I_DIRS.t2i) writeCanvasCard(weights); // its card tells the result
    console.log(md);
    return;
  }
  if (part === 'bias2d') {
    const b = await bias2dPart(machine);
    const command = 'npm run eval -- limits --part bias2d';
    const out = {
      command,
      date: new Date().toISOString().slice(0, 10),
      ...b,
      seconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomic(join(LIMITS_DIR, 'bias2d.json'), JSON.stringify(out, null, 1) + '\n');
    const md =
      `Command: \`${command}\`. Five clusters, ${Math.round(100 * b.majorShare)}% of ${b.points.toLocaleString('en')} points in cluster A; the 2-D model of the first lesson trained on them as collected or reweighted; after each training length ${b.particles.toLocaleString('en')} particles (DDIM ${b.spec.steps} steps) counted by nearest cluster; ${b.seeds} seeds.\n\n| training data | steps | share of samples in A (mean ± sd over seeds) | range |\n|---|---|---|---|\n` +
      b.rows
        .map((r) => {
          const a = r.shareA as { mean: number; sd: number; min: number; max: number };
          return `| ${String(r.weighting)} | ${String(r.steps)} | ${(100 * a.mean).toFixed(1)}% ± ${(100 * a.sd).toFixed(1)} | ${(100 * a.min).toFixed(1)}–${(100 * a.max).toFixed(1)}% |`;
        })
        .join('\n') +
      '\n';
    writeFileAtomic(join(LIMITS_DIR, 'bias2d.md'), md);
    console.log(md);
    return;
  }
  if (part === 'cost') {
    const c = await costPart(machine, CANVAS_T2I_DIRS);
    const command = 'npm run eval -- limits --part cost';
    const out = { command, date: new Date().toISOString().slice(0, 10), ...c };
    writeFileAtomic(join(LIMITS_DIR, 'cost.json'), JSON.stringify(out, null, 1) + '\n');
    const md = costMarkdown(command, c);
    writeFileAtomic(join(LIMITS_DIR, 'cost.md'), md);
    console.log(md);
    return;
  }
  if (part === 'bias') {
    // a second run with other noise (--seed S --out DIR) checks the figures' spread
    const seed = Number(arg('seed') ?? '1');
    const dir = arg('out') ?? LIMITS_DIR;
    mkdirSync(dir, { recursive: true });
    const b = await biasPart(per, machine, dir, seed);
    const out = {
      command: `npm run eval -- limits --part bias --per ${per}${seed !== 1 ? ` --seed ${seed}` : ''}${dir !== LIMITS_DIR ? ` --out ${dir}` : ''}`,
      date: new Date().toISOString().slice(0, 10),
      ...b,
      seconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomic(join(dir, 'bias.json'), JSON.stringify(out, null, 1) + '\n');
    const md = biasMarkdown(out.command, b);
    writeFileAtomic(join(dir, 'bias.md'), md);
    if (dir === LIMITS_DIR) {
      // their cards quote the measurement
      writeBiasCard(BIAS_DIR);
      writeBiasCard(CONTROL_DIR, true);
    }
    console.log(md);
    return;
  }
  const r = await textPart(per, machine);
  const out = {
    command: `npm run eval -- limits --part text --per ${per}`,
    date: new Date().toISOString().slice(0, 10),
    ...r,
    seconds: (performance.now() - t0) / 1000,
  };
  writeFileAtomic(join(LIMITS_DIR, 'text.json'), JSON.stringify(out, null, 1) + '\n');
  const md =
    `Command: \`${out.command}\`. ${per} images per prompt (seeds 1–${per}, DDIM ${STEPS} steps, guidance ${GUIDANCE}), read by the course's classifier; "two or more marks": the canvas judge finds at least two separate groups of ink.\n\n` +
    '| prompt | read as (top three) | confident | two or more marks |\n|---|---|---|---|\n' +
    r.rows
      .map(
        (x) =>
          `| ${x.prompt === '' ? '(empty)' : `"${x.prompt as string}"`} | ${(x.top as { digit: number; share: number }[]).map((t) => `${t.digit}: ${(100 * t.share).toFixed(0)}%`).join(', ')} | ${(100 * (x.confident as number)).toFixed(0)}% | ${(100 * (x.twoOrMoreMarks as number)).toFixed(0)}% |`,
      )
      .join('\n') +
    '\n';
  writeFileAtomic(join(LIMITS_DIR, 'text.md'), md);
  console.log(md);
}
