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
