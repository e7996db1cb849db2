/**
 * The shipped DDPM's quality target and the lookups the model card and the lessons share. No TF.js here:
 * the page reads eval.json with it.
 */
import type { EvalResult } from './eval-result';

/** A sample counts as recognised when the classifier's top probability is above this. */
export const CONFIDENT_ABOVE = 0.9;

/** The shipped DDPM's quality target (issue 3): 1,000 samples of the 1,000-step sampler, at least 85% of
 * them classified with confidence > CONFIDENT_ABOVE, and every class between 5% and 15% of the samples. */
export const QUALITY_TARGET = { samples: 1000, steps: 1000, confident: 0.85, classMin: 0.05, classMax: 0.15 };

/**
 * The shipped latent DDPM's target: 1,000 decoded samples, at least 80% recognised with confidence above
 * CONFIDENT_ABOVE, every class between 5% and 15%, FID within twice the real-digit floor.
 */
export const LATENT_QUALITY_TARGET = {
  samples: 1000,
  /** Judged, as the pixel DDPM's target, on the samples of the 1,000-step sampler. */
  sampler: 'ddpm' as const,
  steps: 1000,
  confident: 0.8,
  classMin: 0.05,
  classMax: 0.15,
  fidOverFloor: 2,
};

/** A ratio to two decimals, or three where two would round it onto the limit it misses ("2.002", not "2.00"). */
function ratioText(x: number, limit: number): string {
  return Math.abs(x - limit) < 0.005 ? x.toFixed(3) : x.toFixed(2);
}

/** Whether a latent DDPM's evaluation row meets LATENT_QUALITY_TARGET, and what falls short, in words. */
export function checkLatentTarget(r: EvalResult): TargetCheck {
  const t = LATENT_QUALITY_TARGET;
  const shortfalls: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  if (r.samples < t.samples) shortfalls.push(`${r.samples} samples, not ${t.samples}`);
  if (!(r.confidentShare >= t.confident))
    shortfalls.push(`${pct(r.confidentShare)} recognised, below ${pct(t.confident)}`);
  const lo = Math.min(...r.classShares);
  const hi = Math.max(...r.classShares);
  if (!(lo >= t.classMin && hi <= t.classMax))
    shortfalls.push(`classes ${pct(lo)}–${pct(hi)}, outside 5–15%`);
  if (!(r.fid <= t.fidOverFloor * r.fidRealFloor))
    shortfalls.push(
      `FID ${r.fid.toFixed(2)}, ${ratioText(r.fid / r.fidRealFloor, t.fidOverFloor)}× the real-digit floor ${r.fidRealFloor.toFixed(2)} (target ≤ ${t.fidOverFloor}×)`,
    );
  return { met: shortfalls.length === 0, shortfalls };
}

export interface TargetCheck {
  met: boolean;
  /** What falls short, in words (empty when met). */
  shortfalls: string[];
}

/** Whether one evaluation row meets QUALITY_TARGET; rows of fewer samples or another sampler never do. */
export function checkQualityTarget(r: EvalResult, steps: number): TargetCheck {
  const t = QUALITY_TARGET;
  const shortfalls: string[] = [];
  if (steps !== t.steps) shortfalls.push(`sampled with ${steps} steps, not ${t.steps}`);
  if (r.samples < t.samples) shortfalls.push(`${r.samples} samples, not ${t.samples}`);
  if (!(r.confidentShare >= t.confident))
    shortfalls.push(`${(100 * r.confidentShare).toFixed(1)}% confident, below ${100 * t.confident}%`);
  r.classShares.forEach((share, digit) => {
    if (!(share >= t.classMin && share <= t.classMax))
      shortfalls.push(
        `digit ${digit} is ${(100 * share).toFixed(1)}% of the samples, outside ${100 * t.classMin}–${100 * t.classMax}%`,
      );
  });
  return { met: shortfalls.length === 0, shortfalls };
}

/**
 * The target-run row of weights trained `step` steps (the 1,000-step sampler on at least
 * QUALITY_TARGET.samples samples), and the real-digit reference row of the same size, from eval.json's rows.
 */
export function targetRow(rows: EvalResult[], step: number): { row: EvalResult; real?: EvalResult } | null {
  const t = QUALITY_TARGET;
  const row = rows.find(
    (r) =>
      r.source?.kind === 'model' &&
      r.source.sampler === 'ddpm' &&
      r.source.steps === t.steps &&
      r.source.modelStep === step &&
      r.samples >= t.samples,
  );
  if (!row) return null;
  const real = rows.find((r) => r.source?.kind === 'real' && r.samples === row.samples);
  return { row, real };
}

/** Whether two rows measure the same thing (the same source and sample count): a new one replaces the old. */
export function sameMeasurement(a: EvalResult, b: EvalResult): boolean {
  return JSON.stringify(a.source) === JSON.stringify(b.source) && a.samples === b.samples;
}

/** The class with the highest probability for each of the n samples of `probs` (10 per sample). */
export function topClasses(probs: Float32Array, n = probs.length / 10): number[] {
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c;
    return best;
  });
}
