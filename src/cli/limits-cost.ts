/**
 * `npm run eval -- limits --part cost`: what every model of the course cost to train, and what its text
 * models cost to draw, for "What diffusion still gets wrong".
 *
 * - training: every model the course uses (costedModels) with a training log: steps, batch, images (or
 *   caption pairs) seen, parameters (from its model.json), wall hours and the threads it used (as its log
 *   names the machine), so core-hours = hours × threads. The sum is set beside Stable Diffusion v1's
 *   published 150,000 A100 hours (runs/limits/published.json): a different unit (one GPU against one CPU
 *   core), which the lesson says.
 * - drawing: the two text-to-image models (models/t2i-mnist, and models/t2i-canvas when trained), 16
 *   images from one prompt, DDIM 20 steps at guidance 3 (both predictions in one batched call per step,
 *   then the decoder), timed here. The other generators' speed is in runs/compare-families.
 *
 * Writes runs/limits/cost.json and cost.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampler } from '../diffusion/samplers';
import { SHIPPED_MODELS } from '../nets/registry';
import { textToImage } from '../pipelines/text-to-image';
import { loadTextToImageNode, MNIST_T2I_DIRS, type TextToImageDirs } from './t2i-node';

const MODELS = 'models';
const DRAW = { n: 16, steps: 20, guidance: 3 } as const;

/** Parameters of a saved model: the sum of its weights' sizes in model.json's manifest. */
export function manifestParams(modelJson: unknown): number {
  const m = modelJson as { weightsManifest?: { weights: { shape: number[] }[] }[] };
  if (!Array.isArray(m.weightsManifest)) throw new Error('model.json has no weightsManifest');
  let n = 0;
  for (const g of m.weightsManifest) for (const w of g.weights) n += w.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** The threads a training log's machine line names ("…, 2 threads"); 1 when it names none. */
export function threadsOf(machine: string): number {
  const m = /(\d+) threads?\b/.exec(machine);
  return m ? Number(m[1]) : 1;
}

export interface CostRow {
  model: string;
  steps: number;
  batch: number | null;
  seen: number | null;
  params: number | null;
  hours: number;
  threads: number;
  coreHours: number;
}

/**
 * The models the course's pages and measurements use: the registry's, the label model behind the made
 * data of "Diffusion at work", and the bias experiment's control.
 */
export function costedModels(): Set<string> {
  return new Set([
    ...Object.values(SHIPPED_MODELS).map((m) => m.id),
    'label-ldm-mnist',
    'bias-control-ldm-mnist',
  ]);
}

/**
 * One row per trained model folder (those with training.json) of `only`, sorted by core-hours, largest
 * first.
 */
export function trainingCosts(root = MODELS, only: Set<string> | null = costedModels()): CostRow[] {
  const rows: CostRow[] = [];
  for (const id of readdirSync(root).sort()) {
    const log = join(root, id, 'training.json');
    if (!existsSync(log) || (only && !only.has(id))) continue;
    const t = JSON.parse(readFileSync(log, 'utf8')) as {
      config: { batch?: number };
      step: number;
      wallSeconds: number;
      machine: string;
    };
    const mj = join(root, id, 'model.json');
    const batch = typeof t.config.batch === 'number' ? t.config.batch : null;
    const hours = t.wallSeconds / 3600;
    const threads = threadsOf(t.machine);
    rows.push({
      model: id,
      steps: t.step,
      batch,
      seen: batch === null ? null : batch * t.step,
      params: existsSync(mj) ? manifestParams(JSON.parse(readFileSync(mj, 'utf8'))) : null,
      hours,
      threads,
      coreHours: hours * threads,
    });
  }
  return rows.sort((a, b) => b.coreHours - a.coreHours);
}

async function drawTime(dirs: TextToImageDirs, prompt: string) {
  const m = loadTextToImageNode(dirs);
  const run = async () => {
    const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: DRAW.steps }, m.schedule, {
      prediction: m.prediction,
      clipSample: false,
    });
    for await (const f of textToImage(m, sampler, {
      prompt,
      guidance: DRAW.guidance,
      n: DRAW.n,
      seed: 1,
      previews: false,
    }))
      void f;
  };
  await run(); // warm-up: kernels and first allocations
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  m.dispose();
  return {
    model: dirs.t2i.split('/').pop()!,
    prompt,
    images: DRAW.n,
    // two predictions per step (batched in one call) and the decoder, counted as the family table counts
    networkEvaluations: 2 * DRAW.steps + 1,
    msPerImage: ms / DRAW.n,
  };
}

export async function costPart(machine: string, canvasDirs: TextToImageDirs) {
  const training = trainingCosts();
  const drawing = [await drawTime(MNIST_T2I_DIRS, 'a seven')];
  if (existsSync(join(canvasDirs.t2i, 'weights.bin')))
    drawing.push(await drawTime(canvasDirs, 'three sevens'));
  const total = training.reduce((a, r) => a + r.coreHours, 0);
  return { machine, draw: DRAW, training, totalCoreHours: total, drawing };
}

export function costMarkdown(command: string, c: Awaited<ReturnType<typeof costPart>>): string {
  const n = (v: number | null) => (v === null ? '—' : v.toLocaleString('en'));
  return (
    `Command: \`${command}\`. Training: every model the course's pages and measurements use that has a training log, as the log says (hours are wall time on the machine it names; core-hours = hours × threads). Drawing: ${c.draw.n} images, DDIM ${c.draw.steps} steps at guidance ${c.draw.guidance} (two network evaluations per step, batched, and the decoder: counted as one more), on ${c.machine}.\n\n` +
    '| model | parameters | steps | batch | images seen | hours | threads | core-hours |\n|---|---|---|---|---|---|---|---|\n' +
    c.training
      .map(
        (r) =>
          `| ${r.model} | ${n(r.params)} | ${n(r.steps)} | ${n(r.batch)} | ${n(r.seen)} | ${r.hours.toFixed(2)} | ${r.threads} | ${r.coreHours.toFixed(2)} |`,
      )
      .join('\n') +
    `\n| all | | | | | | | ${c.totalCoreHours.toFixed(1)} |\n\n` +
    '| text-to-image model | prompt | network evaluations | ms per image |\n|---|---|---|---|\n' +
    c.drawing
      .map((d) => `| ${d.model} | "${d.prompt}" | ${d.networkEvaluations} | ${d.msPerImage.toFixed(0)} |`)
      .join('\n') +
    '\n'
  );
}
