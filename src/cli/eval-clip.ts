/**
 * `npm run eval -- clip`: what the CLIP-style encoders learned, measured zero-shot on the 10,000 MNIST
 * test digits (never seen in training): digit classification from prompt templates (each alone, and
 * averaged: CLIP's prompt ensembling) and attribute classification against the measured terciles. Writes
 * models/clip-mnist/eval.json and the model card.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageToSigned, MNIST_PIXELS } from '../data/mnist-asset';
import { classEmbeddings, embedImages, zeroShotPredict } from '../metrics/zero-shot';
import { loadClip } from '../nets/load-clip';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { ATTRIBUTES, DIGIT_WORDS, TERCILE_WORDS, withArticle, type Attribute } from '../text/captions';
import { writeFileAtomic } from './files';
import { cardTemplate, optimiserText, recentLossText, renderTemplate } from './template';
import { CLIP_DIR, describedSplit, loadTokenizer, TOKENIZER_DIR } from './text-files';
import { CLIP_FILES, tokenizerSha256 } from './train-clip';
import type { ClipTrainConfig } from '../train/clip-trainer';

/** Digit prompt templates: {w} the word ("three"), {n} the numeral ("3"). The first two are the issue's. */
export const DIGIT_TEMPLATES = [
  'a photo of the digit {w}',
  'a {n}',
  'the digit {w}',
  'a handwritten {n}',
  '{w}',
];

const fill = (template: string, d: number) =>
  template
    .replace('{w}', DIGIT_WORDS[d]!)
    .replace('{n}', String(d))
    .replace(/^a (8|eight)/, 'an $1');

/** Prompts of each tercile of an attribute for digit d: every synonym, in the captions' own order. */
function attributePrompts(attr: Attribute, d: number): string[][] {
  return TERCILE_WORDS[attr].map((words) =>
    words.flatMap((w) =>
      [String(d), DIGIT_WORDS[d]!].map((digit) =>
        attr === 'slant' ? withArticle(`${digit} ${w}`) : withArticle(`${w} ${digit}`),
      ),
    ),
  );
}

export interface ClipEval {
  step: number;
  digits: number;
  digit: { template: string; accuracy: number }[];
  digitEnsemble: number;
  /** Per attribute: 3-way tercile accuracy (chance 1/3), and lowest vs highest tercile alone (chance 1/2). */
  attributes: Record<Attribute, { tercile: number; extremes: number; extremesCount: number }>;
  command: string;
}

export async function evalClipCli(): Promise<void> {
  await initNodeBackend('wasm');
  const { net: clip, meta } = loadClip(
    readFileSync(join(CLIP_DIR, CLIP_FILES.model), 'utf8'),
    new Uint8Array(readFileSync(join(CLIP_DIR, CLIP_FILES.weights))),
  );
  if (meta.tokenizerSha256 !== tokenizerSha256())
    throw new Error(`${CLIP_DIR} was trained with another tokenizer than ${TOKENIZER_DIR} holds`);
  const tok = loadTokenizer();
  const { split, descriptions } = describedSplit('test');
  const pixels = new Float32Array(split.count * MNIST_PIXELS);
  for (let i = 0; i < split.count; i++) imageToSigned(split.images, i, pixels.subarray(i * MNIST_PIXELS));
  const images = embedImages(clip, pixels);
  const accuracy = (
    pred: Int32Array,
    truth: (i: number) => number,
    keep: (i: number) => boolean = () => true,
  ) => {
    let n = 0;
    let ok = 0;
    for (let i = 0; i < pred.length; i++) {
      if (!keep(i)) continue;
      n++;
      if (pred[i] === truth(i)) ok++;
    }
    return { accuracy: ok / n, n };
  };
  const digit: ClipEval['digit'] = [];
  for (const template of DIGIT_TEMPLATES) {
    const cls = classEmbeddings(
      clip,
      tok,
      DIGIT_WORDS.map((_, d) => [fill(template, d)]),
    );
    digit.push({
      template,
      accuracy: accuracy(await zeroShotPredict(images, cls), (i) => split.labels[i]!).accuracy,
    });
    cls.dispose();
  }
  const ensemble = classEmbeddings(
    clip,
    tok,
    DIGIT_WORDS.map((_, d) => DIGIT_TEMPLATES.map((t) => fill(t, d))),
  );
  const digitEnsemble = accuracy(await zeroShotPredict(images, ensemble), (i) => split.labels[i]!).accuracy;
  ensemble.dispose();
  // Attributes, given the digit: for each class, its test digits against that class's tercile prompts.
  const attributes = {} as ClipEval['attributes'];
  for (const attr of ATTRIBUTES) {
    const pred = new Int32Array(split.count);
    const predExtreme = new Int32Array(split.count);
    for (let d = 0; d < 10; d++) {
      const idx = [...split.labels.keys()].filter((i) => split.labels[i] === d);
      const prompts = attributePrompts(attr, d);
      const three = classEmbeddings(clip, tok, prompts);
      const two = classEmbeddings(clip, tok, [prompts[0]!, prompts[2]!]);
      const mine = tf.tidy(() => tf.gather(images, idx));
      const [p3, p2] = [await zeroShotPredict(mine, three), await zeroShotPredict(mine, two)];
      idx.forEach((i, k) => {
        pred[i] = p3[k]!;
        predExtreme[i] = p2[k]! * 2; // 0 or 2, the tercile it names
      });
      tf.dispose([three, two, mine]);
    }
    const truth = (i: number) => descriptions[i]![attr];
    const extremes = accuracy(predExtreme, truth, (i) => truth(i) !== 1);
    attributes[attr] = {
      tercile: accuracy(pred, truth).accuracy,
      extremes: extremes.accuracy,
      extremesCount: extremes.n,
    };
  }
  images.dispose();
  const out: ClipEval = {
    step: meta.step ?? 0,
    digits: split.count,
    digit,
    digitEnsemble,
    attributes,
    command: 'npm run eval -- clip',
  };
  writeFileAtomic(join(CLIP_DIR, 'eval.json'), JSON.stringify(out, null, 1));
  writeClipCard(out);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `zero-shot digits: ${digit.map((d) => `"${d.template}" ${pct(d.accuracy)}`).join(', ')}; ensemble ${pct(digitEnsemble)}`,
  );
  for (const a of ATTRIBUTES)
    console.log(
      `  ${a}: terciles ${pct(attributes[a].tercile)} (chance 33.3%), lowest vs highest ${pct(attributes[a].extremes)} (chance 50%)`,
    );
  clip.dispose();
}

/** The model card of models/clip-mnist from its training log and evaluation. */
export function writeClipCard(e: ClipEval): void {
  const t = JSON.parse(readFileSync(join(CLIP_DIR, CLIP_FILES.training), 'utf8')) as {
    config: ClipTrainConfig;
    step: number;
    wallSeconds: number;
    machine: string;
    history: [number, number][];
  };
  const c = t.config.clip;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const { net } = loadClip(
    readFileSync(join(CLIP_DIR, CLIP_FILES.model), 'utf8'),
    new Uint8Array(readFileSync(join(CLIP_DIR, CLIP_FILES.weights))),
  );
  const params = net.paramCount;
  net.dispose();
  writeFileAtomic(
    join(CLIP_DIR, 'README.md'),
    renderTemplate(cardTemplate('clip.md'), {
      width: c.width,
      layers: c.layers,
      heads: c.heads,
      embed: c.embed,
      context: c.context,
      vocab: c.vocab,
      imageCh: c.imageCh,
      imageCh2: 2 * c.imageCh,
      params: params.toLocaleString('en'),
      optimiser: optimiserText(t.config),
      emaDecay: t.config.emaDecay,
      steps: t.step.toLocaleString('en'),
      pairs: (t.step * t.config.batch).toLocaleString('en'),
      epochs: ((t.step * t.config.batch) / 60000).toFixed(1),
      hours: (t.wallSeconds / 3600).toFixed(2),
      machine: t.machine,
      loss: recentLossText(t.history, 'symmetric cross-entropy'),
      evalStep: e.step.toLocaleString('en'),
      digitRows: e.digit.map((d) => `| "${d.template}" | ${pct(d.accuracy)} |`).join('\n'),
      ensemble: pct(e.digitEnsemble),
      attributeRows: ATTRIBUTES.map(
        (a) =>
          `| ${a} | ${TERCILE_WORDS[a].map((w) => w[0]).join(' / ')} | ${pct(e.attributes[a].tercile)} | ${pct(e.attributes[a].extremes)} (${e.attributes[a].extremesCount.toLocaleString('en')} digits) |`,
      ).join('\n'),
    }),
  );
}
