/**
 * The text-to-image run (`npm run train -- t2i`, models/t2i-mnist/) and its label-conditioned twin
 * (`npm run train -- label`, models/label-ldm-mnist/): both a latent DDPM on the shipped autoencoder's
 * latents with the latent run's settings, predicting v, with 10% of conditions dropped for
 * classifier-free guidance; one attends to the frozen text encoder's token states, the other adds a
 * class embedding. Same data, same budget: what the text path buys and costs.
 */
import { digitCaptioner } from '../text/captions';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadClip } from '../nets/load-clip';
import type { T2iEvalFile } from '../metrics/adherence';
import { TextToImageTrainer } from '../train/t2i-trainer';
import type { TrainData } from '../data/train-data';
import type { TrainConfig } from '../train/ddpm-trainer';
import { latentTrainConfig, readTrainingLog } from './latent-files';
import { UNet } from '../nets/unet';
import { unetConfigOf } from '../train/ddpm-trainer';
import { writeFileAtomic } from './files';
import { cardTemplate, optimiserText, recentLossText, renderTemplate } from './template';
import { CLIP_FILES, tokenizerSha256 } from './train-clip';
import { CLIP_DIR, describedSplit, loadTokenizer } from './text-files';

export const T2I_DIR = 'models/t2i-mnist';
export const LABEL_DIR = 'models/label-ldm-mnist';
/** Share of training rows whose caption (or label) is dropped, as Stable Diffusion does. */
export const COND_DROP = 0.1;

/** A text encoder's files and the SHA-256 of its weights (what a text-to-image run names it by). */
export function clipFiles(dir = CLIP_DIR): { json: string; bin: Uint8Array; sha: string } {
  for (const f of [CLIP_FILES.model, CLIP_FILES.weights])
    if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)} is missing`);
  const json = readFileSync(join(dir, CLIP_FILES.model), 'utf8');
  const bin = new Uint8Array(readFileSync(join(dir, CLIP_FILES.weights)));
  return { json, bin, sha: createHash('sha256').update(bin).digest('hex') };
}

export function t2iTrainConfig(): TrainConfig {
  const base = latentTrainConfig();
  const clip = clipFiles();
  const { meta } = loadClip(clip.json, clip.bin);
  return {
    ...base,
    unet: { ...base.unet!, text: { width: meta.clip.width, length: meta.clip.context, heads: 4 } },
    prediction: 'v',
    condDrop: COND_DROP,
    text: { clipSha256: clip.sha, tokenizerSha256: meta.tokenizerSha256 },
  };
}

export function labelTrainConfig(): TrainConfig {
  const base = latentTrainConfig();
  return { ...base, unet: { ...base.unet!, classes: 10 }, prediction: 'v', condDrop: COND_DROP };
}

/** The trainer of a text-to-image configuration: the frozen text encoder it names, its tokenizer, captions. */
export function t2iTrainer(config: TrainConfig, data: TrainData): TextToImageTrainer {
  if (!config.text) throw new Error('not a text-to-image configuration');
  const clip = clipFiles();
  if (clip.sha !== config.text.clipSha256)
    throw new Error(
      `${CLIP_DIR} holds another text encoder than this run was trained with: restore it, or start afresh with --fresh`,
    );
  if (tokenizerSha256() !== config.text.tokenizerSha256)
    throw new Error('models/tokenizer-mnist holds another tokenizer than this run was trained with');
  const { net } = loadClip(clip.json, clip.bin);
  return new TextToImageTrainer(
    config,
    data,
    digitCaptioner(describedSplit('train').descriptions),
    loadTokenizer(),
    net,
  );
}

/** The adherence table of eval.json (`npm run eval -- t2i`, or `-- t2i --label` for the twin), as Markdown. */
export function t2iEvalMarkdown(dir: string): string {
  const path = join(dir, 'eval.json');
  if (!existsSync(path))
    return dir === LABEL_DIR
      ? 'Not measured yet: run `npm run eval -- t2i --label`.'
      : 'Not measured yet: run `npm run eval -- t2i --choose`, then `npm run eval -- t2i`.';
  const e = JSON.parse(readFileSync(path, 'utf8')) as T2iEvalFile & { command?: string };
  const chosen = e.defaultGuidance;
  const label = e.rows.some((r) => r.family === 'label');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `Measured at step ${e.modelStep.toLocaleString('en')} with \`${e.command ?? 'npm run eval -- t2i'}\`: ${label ? "the text model's " : ''}${e.prompts} prompts (each digit alone, and with each third of thickness, slant and width), ${e.perPrompt} images each from the same seeds at every guidance scale, ${e.sampler.steps}-step DDIM. The digit is judged by the project's classifier, each attribute by the measure and boundaries the captions were made with. Chance: 10% for the digit, 33.3% for an attribute. Ceiling: the same judgements on the autoencoder's reconstructions of ${e.ceiling.digits.toLocaleString('en')} real test digits (digit ${pct(e.ceiling.digit)}, thickness ${pct(e.ceiling.thickness)}, slant ${pct(e.ceiling.slant)}, width ${pct(e.ceiling.width)}). FID: all images of a row against the 10,000 test digits (2,000 real training digits score ${e.fidFloor.toFixed(2)}). Diversity: mean feature distance between images of one prompt over that between real test digits of its class.`,
    label
      ? `This model is given only the digit of each description (a class embedding has no word for "thick"), from the same seeds: its attribute shares are what a model without words gets by chance, its digit share, FID and diversity what the text path costs or saves.${chosen === null ? '' : ` The text model's default guidance, w = ${chosen}, is marked.`}`
      : chosen === null
        ? ''
        : `Default guidance w = ${chosen}, chosen on the validation phrasings before this evaluation (guidance.json).`,
    '',
    `| ${label ? 'conditioned on' : 'phrasings'} | w | digit | thickness | slant | width | FID | diversity |`,
    '|---|---|---|---|---|---|---|---|',
    ...e.rows.map(
      (r) =>
        `| ${r.family === 'train' ? 'training' : r.family === 'label' ? 'the label' : 'unseen'} | ${r.guidance}${r.guidance === chosen ? ' (default)' : ''} | ${pct(r.digit)} | ${pct(r.thickness)} | ${pct(r.slant)} | ${pct(r.width)} | ${r.fid.toFixed(2)} | ${r.diversity.toFixed(2)} |`,
    ),
  ];
  return lines.join('\n');
}

/** A conditional latent run's training log, its network, and the card fields the two cards share. */
function latentRunCard(dir: string, what: string) {
  const t = readTrainingLog(dir);
  const cfg = t.config;
  const net = new UNet(unetConfigOf(cfg));
  const u = net.config;
  const steps = t.step.toLocaleString('en');
  const fields = {
    autoencoder: cfg.latent?.autoencoder ?? '?',
    scale: cfg.latent?.scale.toFixed(5) ?? '?',
    drop: Math.round(100 * (cfg.condDrop ?? 0)),
    schedule: cfg.schedule,
    T: cfg.T,
    objective: `${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting` : 'plain L_simple'}`,
    optimiser: optimiserText(cfg),
    emaDecay: cfg.emaDecay,
    steps: `${steps} (${(t.step * cfg.batch).toLocaleString('en')} ${what} seen, ${((t.step * cfg.batch) / 60000).toFixed(1)} epochs)`,
    wallHours: (t.wallSeconds / 3600).toFixed(2),
    machine: t.machine,
    recentLoss: recentLossText(t.history, 'weighted training loss'),
  };
  // the part of the architecture both share
  const unetText = `U-Net, base ${u.ch} channels (8×8 → 4×4 → 2×2 with ${u.ch}/${2 * u.ch}/${4 * u.ch} channels), one residual block per level and side with GroupNorm(${u.groups}) + SiLU, sinusoidal time embedding + MLP`;
  return { t, net, u, steps, fields, unetText };
}

/** The card's status line: how far training went and whether the evaluation is of that step. */
function statusText(dir: string, step: number, steps: string): string {
  const evalPath = join(dir, 'eval.json');
  const evaluated = existsSync(evalPath)
    ? (JSON.parse(readFileSync(evalPath, 'utf8')) as { modelStep: number }).modelStep
    : null;
  return evaluated === step
    ? `**Status:** ${steps} training steps, evaluated at this step (below).`
    : `**Status: training in progress**: ${steps} steps${evaluated ? `; the evaluation below is of step ${evaluated.toLocaleString('en')}` : ', not evaluated yet'}.`;
}

export function writeT2iCard(dir: string): void {
  const { t, net, u, steps, fields, unetText } = latentRunCard(dir, 'captioned latents');
  const cfg = t.config;
  const status = statusText(dir, t.step, steps);
  const text = renderTemplate(cardTemplate('t2i.md'), {
    ...fields,
    clipSha: cfg.text?.clipSha256.slice(0, 16) ?? '?',
    tokenizerSha: cfg.text?.tokenizerSha256.slice(0, 16) ?? '?',
    status,
    architecture: `${unetText}, self-attention at 2×2, and ${u.text?.heads}-head cross-attention to the ${u.text?.length} token states (width ${u.text?.width}) after the blocks of every level and side and after the self-attention (its output projection starting at zero); ${net.paramCount.toLocaleString('en')} parameters, ${(net.flopsPerImage() / 1e6).toFixed(1)} MFLOPs per latent per forward pass`,
    evalText: t2iEvalMarkdown(dir),
  });
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}

/** The card of the label-conditioned twin (models/label-ldm-mnist) from its training log. */
export function writeLabelCard(dir: string): void {
  const { t, net, u, steps, fields, unetText } = latentRunCard(dir, 'labelled latents');
  const text = renderTemplate(cardTemplate('label.md'), {
    ...fields,
    status: statusText(dir, t.step, steps),
    evalText: t2iEvalMarkdown(dir),
    architecture: `${unetText} plus a learned embedding of the ${u.classes} classes and "no class", self-attention at 2×2; ${net.paramCount.toLocaleString('en')} parameters`,
  });
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}
