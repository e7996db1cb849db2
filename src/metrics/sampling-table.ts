/**
 * The steps-vs-quality table (DDIM paper, Table 1, on our own model): its grid, rows and Markdown form.
 * Made by `npm run eval -- table` (src/cli/sampling-table.ts), read by the "From 1,000 steps to 20" lesson.
 */
import { samplerLabel, type SamplerSpec } from '../diffusion/samplers';
import type { EvalResult } from './eval-result';

export type RowSpec = SamplerSpec;

export interface TableRow extends SamplerSpec {
  result: EvalResult;
}

export interface SamplingTable {
  modelStep: number;
  samples: number;
  /** Images per sampling batch (the wall times depend on it). */
  batch?: number;
  machine: string;
  command: string;
  rows: TableRow[];
  /** Remarks printed under the table (e.g. a row re-timed separately, and why). */
  notes?: string[];
}

/** The grid, cheapest rows first so an interrupted run has the most useful part. */
export function tableGrid(): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const steps of [10, 20, 50, 100]) {
    for (const eta of [0, 0.5, 1]) rows.push({ sampler: 'ddim', eta, steps });
    rows.push({ sampler: 'ddpm', steps });
    if (steps <= 20) rows.push({ sampler: 'dpm++', steps });
  }
  // What clipping does to the deterministic sampler: η=0 without clipping, and clipped with the
  // network's own ε̂ (the update of many implementations), beside the clipped, consistent default.
  for (const steps of [10, 20, 50, 100]) {
    rows.push({ sampler: 'ddim', eta: 0, steps, clip: 'off' });
    rows.push({ sampler: 'ddim', eta: 0, steps, clip: 'x0-model-eps' });
  }
  rows.push({ sampler: 'ddpm', steps: 1000 });
  rows.push({ sampler: 'ddim', eta: 0, steps: 1000 });
  rows.push({ sampler: 'ddim', eta: 0, steps: 1000, clip: 'off' });
  rows.push({ sampler: 'ddim', eta: 0, steps: 1000, clip: 'x0-model-eps' });
  rows.push({ sampler: 'ddim', eta: 0.5, steps: 1000 });
  // No η=1 row at 1,000 steps: on all T steps η=1 is the DDPM step itself (tests/node/samplers.test.ts),
  // so the DDPM row above is that row, and an hour and a half of sampling would only repeat it.
  return rows;
}

/** Same row: sampler, eta, steps and clipping (absent: the shipped pixel model's own, 'x0'). */
export const same = (a: RowSpec, b: RowSpec) =>
  a.sampler === b.sampler &&
  (a.eta ?? 0) === (b.eta ?? 0) &&
  a.steps === b.steps &&
  (a.clip ?? 'x0') === (b.clip ?? 'x0');

/**
 * Part `k` of `n` of the grid, for running the table in `n` processes at once (one per core): rows are
 * dealt out largest first (cost = network calls per image = steps) to the part with the least work so
 * far, so the parts take about equally long; each part keeps the grid's cheapest-first order.
 */
export function tablePart(grid: RowSpec[], k: number, n: number): RowSpec[] {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(k) && k >= 0 && k < n))
    throw new Error(`part ${k}/${n}: need 0 <= k < n`);
  const load = new Array<number>(n).fill(0);
  const owner = new Map<RowSpec, number>();
  for (const row of [...grid].sort((a, b) => b.steps - a.steps)) {
    const p = load.indexOf(Math.min(...load));
    owner.set(row, p);
    load[p] = (load[p] ?? 0) + row.steps;
  }
  return grid.filter((r) => owner.get(r) === k);
}

/** Rows of both tables (same weights and sample count), one per grid cell, in grid order. */
export function mergeRows(a: TableRow[], b: TableRow[]): TableRow[] {
  const grid = tableGrid();
  const all = [...a, ...b.filter((r) => !a.some((x) => same(x, r)))];
  const at = (r: RowSpec) => {
    const i = grid.findIndex((g) => same(g, r));
    return i < 0 ? grid.length : i;
  };
  return all.sort((x, y) => at(x) - at(y));
}

export function tableMarkdown(t: SamplingTable): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const floor = t.rows[0]?.result.fidRealFloor;
  const lines = [
    `# Sampling steps against quality (shipped DDPM, step ${t.modelStep.toLocaleString('en')} EMA weights)`,
    '',
    `Each row: ${t.samples} samples, and every row starts from the same ${t.samples} noise images x_T (same seeds), judged by the project's MNIST classifier (models/mnist-classifier).`,
    `FID is on the classifier's 128-d features against the 10,000 test digits; ${t.samples} real training digits score ${floor?.toFixed(2) ?? '–'} (the floor at this sample count: FID is biased upwards for small samples, so compare rows with each other and with the floor, not with published FIDs).`,
    `Measured on ${t.machine} with \`${t.command}\`. Every sampler costs one network call per step; s/image is the measured sampling wall time at batch ${t.batch ?? 100} on a shared machine, so it is noisy (see the notes below the table): compare it through the number of steps.`,
    'At 10 to 100 steps DDIM η=1 and respaced DDPM are the same update and give the same samples; on all 1,000 steps they are the same too, so the DDPM 1,000-step row is also DDIM η=1 at 1,000 steps.',
    '',
    '| sampler | steps | FID | precision | recall | confident > 0.9 | classes min–max | s/image |',
    '|---|---|---|---|---|---|---|---|',
    ...t.rows.map((r) => {
      const e = r.result;
      return `| ${samplerLabel(r)} | ${r.steps} | ${e.fid.toFixed(2)} | ${pct(e.precision)} | ${pct(e.recall)} | ${pct(e.confidentShare)} | ${pct(Math.min(...e.classShares))}–${pct(Math.max(...e.classShares))} | ${e.secondsPerImage.toFixed(2)} |`;
    }),
  ];
  for (const n of t.notes ?? []) lines.push('', n);
  const missing = tableGrid().filter((g) => !t.rows.some((r) => same(r, g)));
  if (missing.length)
    lines.push(
      '',
      `Not measured yet (the run resumes with the same command): ${missing.map((m) => `${samplerLabel(m)} ${m.steps}`).join(', ')}.`,
    );
  return lines.join('\n') + '\n';
}
