/**
 * The bias experiment of "What diffusion still gets wrong" (`npm run train -- bias`, models/bias-ldm-mnist):
 * the label-conditioned latent model of models/label-ldm-mnist, the same settings, trained on a deliberately
 * imbalanced subset of the training digits: 6,000 ones and 4,000 of the other nine digits together
 * (444 or 445 each), so that ones make 60% of what it sees. Its samples with no label show whether the
 * model copies the imbalance (or exaggerates it); its samples asked for each digit in turn, with
 * guidance, are the mitigation the lesson measures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../diffusion/random';
import { arrayTrainData, type TrainData } from '../data/train-data';
import { UNet } from '../nets/unet';
import { unetConfigOf, type TrainConfig } from '../train/ddpm-trainer';
import { writeFileAtomic } from './files';
import { latentTrainData, readTrainingLog } from './latent-files';
import { optimiserText, recentLossText } from './template';

export const BIAS_DIR = 'models/bias-ldm-mnist';
export const BIAS = { major: 1, majorCount: 6000, othersCount: 4000, seed: 0 } as const;
/**
 * The control: the same number of digits (10,000), the same network, optimiser and steps, but balanced
 * (1,000 of each class), so that what differs between the two runs is the imbalance alone.
 */
export const CONTROL_DIR = 'models/bias-control-ldm-mnist';
export const CONTROL = { major: 1, majorCount: 1000, othersCount: 9000, seed: 0 } as const;
export type Subset = { major: number; majorCount: number; othersCount: number; seed: number };

/**
 * Indices of an imbalanced subset: `majorCount` digits of class `major` and `othersCount` spread evenly
 * over the other nine classes, each class's picks random by `seed`, in ascending order.
 */
export function imbalancedIndices(labels: ArrayLike<number>, o: Subset = BIAS): number[] {
  const rand = mulberry32(o.seed + 77);
  const by: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) by[labels[i]!]!.push(i);
  const out: number[] = [];
  let other = 0;
  for (let c = 0; c < 10; c++) {
    const idx = by[c]!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    // the others' share, spread so the nine counts add up exactly
    const want =
      c === o.major
        ? o.majorCount
        : Math.round(((other + 1) * o.othersCount) / 9) - Math.round((other * o.othersCount) / 9);
    if (c !== o.major) other++;
    if (idx.length < want) throw new Error(`class ${c} has ${idx.length} digits, ${want} asked for`);
    out.push(...idx.slice(0, want));
  }
  return out.sort((a, b) => a - b);
}

/** How many of `labels` are each class 0…9. */
export function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** The imbalanced subset of the training latents (or the control's balanced one), with labels. */
export async function biasTrainData(
  config: TrainConfig,
  subset: Subset = BIAS,
): Promise<TrainData & { classCounts: number[] }> {
  const all = await latentTrainData(config);
  const labels = Array.from({ length: all.count }, (_, i) => all.label!(i));
  const idx = imbalancedIndices(labels, subset);
  const per = all.sampleShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(idx.length * per);
  idx.forEach((j, k) => all.copySample(j, values, k * per));
  const sub = idx.map((j) => labels[j]!);
  return Object.assign(arrayTrainData(values, all.sampleShape, sub), { classCounts: classCounts(sub) });
}

/** The bias model's card (or, with `control`, its balanced control's), from its training log and the measurement. */
export function writeBiasCard(dir: string, control = false): void {
  const t = readTrainingLog(dir);
  const cfg = t.config;
  const net = new UNet(unetConfigOf(cfg));
  const o = control ? CONTROL : BIAS;
  const total = o.majorCount + o.othersCount;
  const measured = existsSync('runs/limits/bias.md')
    ? readFileSync('runs/limits/bias.md', 'utf8')
    : 'Not measured yet: `npm run eval -- limits --part bias`.\n';
  const what = control
    ? `# Label-conditioned latent U-Net on a balanced subset (the bias experiment's control)\n\nThe control of the bias experiment of "What diffusion still gets wrong": the network, optimiser and steps of \`${BIAS_DIR}\` on as many digits, ${total.toLocaleString('en')}, but balanced: ${(total / 10).toLocaleString('en')} of each class (picked at random, seed ${o.seed}). What differs between the two runs is the imbalance alone. Reproduce with \`npm run train -- bias --control --fresh --steps ${t.step}\`; \`npm run train -- bias --control\` resumes from \`checkpoint/ddpm.ckpt\`.`
    : `# Label-conditioned latent U-Net on an imbalanced subset (the bias experiment)\n\nThe experiment of "What diffusion still gets wrong": the network and optimiser of \`models/label-ldm-mnist\` trained on ${total.toLocaleString('en')} MNIST training digits of which ${o.majorCount.toLocaleString('en')} are ${o.major}s (${Math.round((100 * o.majorCount) / total)}%) and the other ${o.othersCount.toLocaleString('en')} spread evenly over the nine other digits (picked at random, seed ${o.seed}); its control, \`${CONTROL_DIR}\`, is the same on a balanced subset of the same size. Reproduce with \`npm run train -- bias --fresh --steps ${t.step}\`; \`npm run train -- bias\` resumes from \`checkpoint/ddpm.ckpt\`.`;
  const text = `${what}\n\n| | |\n|---|---|\n| data | the subset's latents from \`models/autoencoder-mnist\` (scale ${cfg.latent?.scale.toFixed(5)}) with their labels; ${Math.round(100 * (cfg.condDrop ?? 0))}% of labels dropped for classifier-free guidance |\n| architecture | the label model's U-Net (${net.paramCount.toLocaleString('en')} parameters) |\n| objective | ${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting` : 'plain L_simple'} |\n| optimiser | ${optimiserText(cfg)} |\n| steps | ${t.step.toLocaleString('en')} (${(t.step * cfg.batch).toLocaleString('en')} labelled latents seen, ${((t.step * cfg.batch) / total).toFixed(1)} passes over the subset) |\n| wall time | ${(t.wallSeconds / 3600).toFixed(2)} h cumulative (the latest on ${t.machine}) |\n| recent loss | ${recentLossText(t.history, 'weighted training loss')} |\n\n## What it draws\n\n${measured}`;
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}
