/**
 * `npm run eval -- limits --part text [--per N]`: the measurements of "What diffusion still gets wrong"
 * that need no new model.
 *
 * - text: the single-digit text-to-image model (models/t2i-mnist) asked for text it never saw drawn: "42"
 *   (two numerals), "hello" (letters), beside "7" (what it knows) and the empty prompt. Each prompt draws
 *   N images (seeds 1…N, DDIM 20 steps, guidance 3); the course's classifier reads each, and the canvas
 *   judge counts the separate marks in it (a model that had learnt to write "42" would draw two).
 *
 * Writes runs/limits/<part>.json and a Markdown table beside it.
 */
import { cpus } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampler } from '../diffusion/samplers';
import { findDigits } from '../metrics/canvas-judge';
import { classify, CONFIDENT_ABOVE } from '../metrics/evaluate';
import { textToImage } from '../pipelines/text-to-image';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { digitGrid, encodePng } from './png';
import { loadTextToImageNode, MNIST_T2I_DIRS } from './t2i-node';

export const LIMITS_DIR = 'runs/limits';
export const TEXT_PROMPTS = ['7', '42', 'hello', ''] as const;
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
    const counts = new Array<number>(10).fill(0);
    let confident = 0;
    let marks2 = 0;
    for (let i = 0; i < per; i++) {
      const p = probs.subarray(i * 10, i * 10 + 10);
      const best = p.indexOf(Math.max(...p));
      counts[best]!++;
      if (p[best]! > CONFIDENT_ABOVE) confident++;
      if (findDigits(images.subarray(i * 784, (i + 1) * 784), 28).length >= 2) marks2++;
    }
    const shares = counts.map((c) => c / per);
    const top = [...shares.keys()].sort((a, b) => shares[b]! - shares[a]!).slice(0, 3);
    rows.push({
      id: prompt === '' ? 'empty' : prompt,
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
  const all = new Float32Array(figure.length * 10 * 784);
  figure.forEach((f, i) => all.set(f, i * 10 * 784));
  const g = digitGrid(all, { cols: 10 });
  writeFileAtomic(join(LIMITS_DIR, 'text.png'), encodePng(g.width, g.height, g.rgb));
  m.dispose();
  return { guidance: GUIDANCE, steps: STEPS, machine, rows };
}

export async function limitsCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const part = arg('part') ?? 'text';
  if (part !== 'text') throw new Error(`--part ${part}: text`);
  const per = Number(arg('per') ?? '100');
  if (!Number.isInteger(per) || per < 1) throw new Error(`--per ${per}: a whole number of images per prompt`);
  mkdirSync(LIMITS_DIR, { recursive: true });
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const t0 = performance.now();
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
