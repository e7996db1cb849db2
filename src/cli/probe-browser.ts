/**
 * `npm run probe -- --browser [--space latent|pixel] [--preset P] [--minutes M] [--every N] [--backend wasm]`: the
 * live panel of a lesson, in headless Chromium, trains from scratch with its default settings (in its
 * worker, on the chosen backend); every N steps the probe asks it for 100 samples (EMA weights, the
 * panel's preview sampler, seed 7, decoded for a latent run) and the project's classifier judges them in Node. A latent
 * run also gets its two baselines: step 0 (pure-noise latents decoded: no digits) and the ceiling (the
 * autoencoder's reconstructions of 100 real test digits). Writes models/probe-browser-<space>[-<preset>].md,
 * and the same rows as data in .json beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { normals } from '../diffusion/random';
import { classify, summarizeProbs } from '../metrics/evaluate';
import { CONFIDENT_ABOVE } from '../metrics/quality';
import type { MnistClassifier } from '../nets/classifier';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { DEFAULT_LIVE, previewSamplerText } from '../train/live-settings';
import { arg } from './args';
import { withBrowserPage } from './bench-browser';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';

const SAMPLES = 100;

async function judge(classifier: MnistClassifier, x: Float32Array) {
  const { probs } = await classify(classifier, x);
  const { counts, confident, meanConfidence } = summarizeProbs(probs, SAMPLES);
  return { confident: confident / SAMPLES, meanConfidence, classes: counts.filter((c) => c >= 3).length };
}

type Judged = Awaited<ReturnType<typeof judge>>;

/** One row of the browser probe (also written as JSON, which lesson prose quotes). */
interface ProbeRow extends Judged {
  kind: 'baseline' | 'ceiling' | 'live';
  step?: number;
  /** The worker's training time (live rows). */
  trainingMinutes?: number;
  /** Since the panel started, pauses for the probe's sampling included (live rows). */
  minutesSinceStart?: number;
}

function rowMarkdown(r: ProbeRow): string {
  const label =
    r.kind === 'baseline'
      ? 'baseline: pure-noise latents, decoded'
      : r.kind === 'ceiling'
        ? `ceiling: reconstructions of ${SAMPLES} test digits`
        : `live (training ${r.trainingMinutes!.toFixed(1)} min)`;
  return `| ${label} | ${r.step ?? '–'} | ${r.minutesSinceStart?.toFixed(1) ?? '–'} | ${(100 * r.confident).toFixed(0)}% | ${(100 * r.meanConfidence).toFixed(0)}% | ${r.classes}/10 |`;
}

/** The latent baselines in Node: decoded pure-noise latents, and reconstructions of real digits. */
async function latentBaselines(classifier: MnistClassifier): Promise<ProbeRow[]> {
  const dir = modelDir(SHIPPED_MODELS.autoencoderMnist);
  const ae = loadAutoencoder(
    readFileSync(join(dir, 'model.json'), 'utf8'),
    new Uint8Array(readFileSync(join(dir, 'weights.bin'))),
  );
  const codec = new LatentCodec(ae.net, ae.meta.latentScale!);
  const noise = await decodeLatents(codec, normals(SAMPLES * 8 * 8 * 4, 7), SAMPLES);
  const test = mnistTrainData(loadMnistNode('test'));
  const real = new Float32Array(SAMPLES * MNIST_PIXELS);
  for (let i = 0; i < SAMPLES; i++) test.copySample(i, real, i * MNIST_PIXELS);
  const z = tf.tidy(() => codec.encode(tf.tensor4d(real, [SAMPLES, 28, 28, 1])));
  const recon = await decodeLatents(codec, (await z.data()) as Float32Array, SAMPLES);
  z.dispose();
  ae.net.dispose();
  return [
    { kind: 'baseline', step: 0, ...(await judge(classifier, noise)) },
    { kind: 'ceiling', ...(await judge(classifier, recon)) },
  ];
}

type Panel = HTMLElement & {
  mnist: { data: unknown; load(): Promise<unknown> };
  session: {
    error: string;
    step: number;
    wallSeconds: number;
    encoding: unknown;
    start(d: unknown, steps: number): Promise<void>;
    samples(n: number, seed: number): Promise<Float32Array>;
  };
};

async function trainAndSample(page: Page, selector: string, steps: number) {
  return page.evaluate(
    async ([sel, n, count]) => {
      const panel = document.querySelector(sel as string) as Panel;
      const s = panel.session;
      const t0 = performance.now();
      await s.start(panel.mnist.data, n as number);
      if (s.error) throw new Error(s.error);
      const x = await s.samples(count as number, 7);
      return {
        step: s.step,
        wall: s.wallSeconds,
        elapsed: (performance.now() - t0) / 1000,
        x: Array.from(x),
      };
    },
    [selector, steps, SAMPLES] as const,
  );
}

export async function probeBrowserCli(): Promise<void> {
  const space = (arg('space') ?? 'latent') as 'latent' | 'pixel';
  const minutes = Number(arg('minutes') ?? '10');
  const every = Number(arg('every') ?? '100');
  const backend = arg('backend') ?? 'wasm';
  await initNodeBackend('wasm');
  const classifier = loadClassifier();
  const rows: ProbeRow[] = space === 'latent' ? await latentBaselines(classifier) : [];
  const settings = {
    ...DEFAULT_LIVE,
    ...(arg('preset') ? { preset: arg('preset') as 'classroom' | 'shipped' } : {}),
  };
  const file = `models/probe-browser-${space}${arg('preset') ? `-${arg('preset')}` : ''}`;
  const command = `npm run probe -- --browser --space ${space}${arg('preset') ? ` --preset ${arg('preset')}` : ''} --minutes ${minutes} --every ${every} --backend ${backend}`;
  // The JSON, which lesson prose quotes (and the dev server serving this very page reads), is written once
  // the run is complete; the Markdown grows row by row.
  const write = (device: string, done: boolean) => {
    if (done)
      writeFileAtomic(
        `${file}.json`,
        JSON.stringify(
          { command, device, settings, sampler: previewSamplerText(space), samples: SAMPLES, rows },
          null,
          1,
        ) + '\n',
      );
    writeFileAtomic(
      `${file}.md`,
      `# Steps to recognizable digits in the browser: ${space === 'latent' ? 'latent' : 'pixel'} panel\n\n` +
        `Command: \`${command}\`. The lesson's live panel in headless Chromium (${device}), default settings (${settings.preset} width, batch ${settings.batch}, lr ${settings.lr}), ` +
        `training in its worker; every ${every} steps 100 samples (EMA weights, the panel's own preview sampler: ${previewSamplerText(space)}, seed 7${space === 'latent' ? ', decoded' : ''}) judged in Node by models/mnist-classifier ` +
        `(recognised: confidence > ${CONFIDENT_ABOVE}). Training time is the worker's, without the pauses for sampling${space === 'latent' ? '; the first row includes encoding the training digits' : ''}. The same rows as data: ${file.slice('models/'.length)}.json.\n\n` +
        `| row | step | minutes since start | recognised | mean confidence | classes with >= 3 samples |\n|---|---|---|---|---|---|\n${rows.map(rowMarkdown).join('\n')}\n`,
    );
  };
  await withBrowserPage(async (page, base) => {
    const lesson = space === 'latent' ? 'latent' : 'train-live';
    const selector = space === 'latent' ? 'dl-train-panel[space="latent"]' : 'dl-train-panel';
    await page.goto(`${base}#/${lesson}?backend=${backend}`);
    await page.waitForFunction((sel) => !!document.querySelector(sel), selector, { timeout: 300_000 });
    // the panel fetches its training digits when a run first needs them: fetch them before timing
    await page.evaluate(
      (sel) => (document.querySelector(sel) as Panel).mnist.load().then(() => true),
      selector,
    );
    const preset = arg('preset');
    if (preset)
      await page.evaluate(async (p) => {
        // the panel reads its settings from this module (the same instance the page loaded)
        const url = '/src/notebook/live-train/params.ts';
        const m = (await import(/* @vite-ignore */ url)) as {
          setLiveSettings(s: { preset: string }): void;
        };
        m.setLiveSettings({ preset: p });
      }, preset);
    const device = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium');
    const started = performance.now();
    while ((performance.now() - started) / 60e3 < minutes) {
      const r = await trainAndSample(page, selector, every);
      const j = await judge(classifier, Float32Array.from(r.x));
      rows.push({
        kind: 'live',
        step: r.step,
        trainingMinutes: r.wall / 60,
        minutesSinceStart: (performance.now() - started) / 60e3,
        ...j,
      });
      console.log(rowMarkdown(rows.at(-1)!));
      write(`${device}, ${backend}`, (performance.now() - started) / 60e3 >= minutes);
    }
  });
  classifier.dispose();
}
