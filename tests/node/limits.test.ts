// The pieces of "What diffusion still gets wrong" that are plain arithmetic: the 2-D clusters and their
// reweighting, the histogram distance, and the training-cost table read from model folders.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askedRight, classShares, samplingTv, totalVariation } from '../../src/cli/limits-bias';
import { topClasses } from '../../src/metrics/quality';
import { manifestParams, threadsOf, trainingCosts } from '../../src/cli/limits-cost';
import {
  CLUSTERS,
  clusterCentre,
  clusterShares,
  collectedClusters,
  MAJOR_SHARE,
  nearestCluster,
  reweighted,
} from '../../src/train/toy-clusters';

describe('the 2-D bias data', () => {
  it('collects 60% of the points around cluster A and the rest evenly, each point nearest its own centre', () => {
    const n = 2000;
    const pts = collectedClusters(n, 3);
    // exact by construction: 1,200 in A, 200 in each other cluster (each point nearest its own centre)
    const counts = clusterShares(pts).map((s) => Math.round(s * n));
    expect(counts).toEqual([MAJOR_SHARE * n, 200, 200, 200, 200]);
    // the same seed gives the same points; another seed, others
    expect(collectedClusters(n, 3)).toEqual(pts);
    expect(collectedClusters(n, 4)).not.toEqual(pts);
  });

  it('finds the nearest centre', () => {
    const pts = new Float32Array(2 * CLUSTERS);
    for (let k = 0; k < CLUSTERS; k++) {
      const [x, y] = clusterCentre(k);
      // a point a little off each centre, towards the origin
      pts[2 * k] = 0.9 * x;
      pts[2 * k + 1] = 0.9 * y;
    }
    expect(Array.from(nearestCluster(pts))).toEqual([0, 1, 2, 3, 4]);
    // centres are evenly spaced on one circle: A at the top
    const [ax, ay] = clusterCentre(0);
    expect(ax).toBeCloseTo(0, 10);
    expect(ay).toBeGreaterThan(0);
  });

  it('reweighting resamples the collected points so that every cluster is drawn about equally', () => {
    const pts = collectedClusters(2000, 1);
    const r = reweighted(pts, 20_000, 1);
    // every resampled point is one of the collected ones
    const have = new Set<string>();
    for (let i = 0; i < pts.length / 2; i++) have.add(`${pts[2 * i]},${pts[2 * i + 1]}`);
    for (let i = 0; i < 200; i++) expect(have.has(`${r[2 * i]},${r[2 * i + 1]}`)).toBe(true);
    // shares near 1/5 each: the binomial standard error of 20,000 draws is 0.003
    for (const s of clusterShares(r)) expect(Math.abs(s - 1 / CLUSTERS)).toBeLessThan(0.015);
  });
});

describe('histograms', () => {
  it('counts shares, and the total variation distance is half the L1 distance', () => {
    expect(classShares([1, 1, 2, 9])).toEqual([0, 0.5, 0.25, 0, 0, 0, 0, 0, 0, 0.25]);
    const uniform = new Array<number>(10).fill(0.1);
    const skewed = Array.from({ length: 10 }, (_, c) => (c === 1 ? 0.6 : 0.4 / 9));
    expect(totalVariation(uniform, uniform)).toBe(0);
    // 0.6 - 0.1 on one class, and nine classes each 0.1 - 0.0444 the other way: half the sum is 0.5
    expect(totalVariation(skewed, uniform)).toBeCloseTo(0.5, 12);
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(/1 and 2 classes/);
  });
});

describe('the training-cost table', () => {
  it('reads parameters from model.json and threads from the machine line', () => {
    expect(
      manifestParams({
        weightsManifest: [
          { weights: [{ shape: [3, 3, 1, 32] }, { shape: [32] }] },
          { weights: [{ shape: [10] }] },
        ],
      }),
    ).toBe(288 + 32 + 10);
    expect(() => manifestParams({})).toThrow(/no weightsManifest/);
    expect(threadsOf('AMD EPYC, Node v20, tfjs 4.22.0 wasm, 2 threads')).toBe(2);
    expect(threadsOf('AMD EPYC, Node v20, tfjs 4.22.0 wasm, 1 thread')).toBe(1);
    expect(threadsOf('a machine that names none')).toBe(1);
  });

  it('lists every folder with a training log, core-hours first, and skips the others', () => {
    const root = mkdtempSync(join(tmpdir(), 'cost-'));
    const log = (id: string, t: object, model?: object) => {
      mkdirSync(join(root, id));
      writeFileSync(join(root, id, 'training.json'), JSON.stringify(t));
      if (model) writeFileSync(join(root, id, 'model.json'), JSON.stringify(model));
    };
    log(
      'small',
      { config: { batch: 64 }, step: 100, wallSeconds: 3600, machine: 'x, 1 thread' },
      {
        weightsManifest: [{ weights: [{ shape: [5, 2] }] }],
      },
    );
    log('big', { config: { batch: 32 }, step: 10, wallSeconds: 1800, machine: 'x, 4 threads' });
    mkdirSync(join(root, 'untrained'));
    const rows = trainingCosts(root, null);
    expect(trainingCosts(root, new Set(['small'])).map((r) => r.model)).toEqual(['small']);
    expect(rows.map((r) => r.model)).toEqual(['big', 'small']);
    expect(rows[0]).toEqual({
      model: 'big',
      steps: 10,
      batch: 32,
      seen: 320,
      params: null,
      hours: 0.5,
      threads: 4,
      coreHours: 2,
    });
    expect(rows[1]!.params).toBe(10);
    expect(rows[1]!.seen).toBe(6400);
  });
});

describe('the distance sampling noise alone gives', () => {
  it('matches the normal approximation of E|p̂ − p| for a skewed histogram', () => {
    const p = Array.from({ length: 10 }, (_, c) => (c === 1 ? 0.6 : 0.4 / 9));
    const n = 1000;
    // E|p̂_c − p_c| ≈ sqrt(2/π) · sqrt(p_c (1 − p_c) / n); TV is half their sum
    const approx = p.reduce((a, q) => a + Math.sqrt(2 / Math.PI) * Math.sqrt((q * (1 - q)) / n), 0) / 2;
    expect(samplingTv(p, n, 400)).toBeCloseTo(approx, 2);
    // and shrinks as 1/sqrt(n)
    expect(samplingTv(p, 4 * n, 200) / samplingTv(p, n, 200)).toBeCloseTo(0.5, 1);
  });
});

describe('readings of asked-for samples', () => {
  it('the share read as the class asked for, over the classes chosen', () => {
    const asked = [0, 1, 1, 2, 2, 2];
    const read = [0, 1, 7, 2, 2, 5];
    expect(askedRight(read, asked, [0, 1, 2])).toBeCloseTo(4 / 6, 12);
    expect(askedRight(read, asked, [1])).toBe(0.5);
    expect(askedRight(read, asked, [0, 2])).toBe(0.75);
    expect(() => askedRight(read, asked, [9])).toThrow(/no sample was asked for 9/);
  });

  it('topClasses takes the highest probability of each row, the lower class on a tie', () => {
    const probs = new Float32Array(30);
    probs[3] = 0.9; // row 0: class 3
    probs[10 + 7] = 0.5; // row 1: a tie between 2 and 7 goes to 2
    probs[10 + 2] = 0.5;
    probs[20 + 9] = 0.2; // row 2: class 9 above the zeros
    expect(topClasses(probs)).toEqual([3, 2, 9]);
    expect(topClasses(probs, 2)).toEqual([3, 2]);
  });
});

describe("the canvas model's card", () => {
  const measured = (dir: string) => {
    const file = join(dir, 'canvas.json');
    const rows = [
      ...[1, 2, 3, 4].flatMap((n) => [1, 3].map((w) => ({ id: `count${n}-w${w}`, right: n / 10 + w / 100 }))),
      { id: 'relation-w1', right: 0.051 },
      { id: 'relation-w3', right: 0.124 },
      { id: 'count3-real', right: 0.966 },
    ];
    writeFileSync(
      file,
      JSON.stringify({
        command: 'npm run eval -- limits --part canvas --guidance 1,3',
        date: '2026-12-07',
        modelStep: 1200,
        guidance: [1, 3],
        samples: ['.cache/eval-canvas/a-w1', 'runs/eval-canvas/a-w3'],
        rows,
      }),
    );
    return file;
  };

  it('tells the measured shares by count and guidance, the ceiling, and where the kept canvases are', async () => {
    const { canvasEvaluationText } = await import('../../src/cli/canvas-files');
    const file = measured(mkdtempSync(join(tmpdir(), 'canvas-card-')));
    const text = canvasEvaluationText(1200, file);
    expect(text).toMatch(/^\*\*Status: evaluated\*\* at these weights \(step 1,200\)/);
    expect(text).toContain('| asked for | guidance 1 | guidance 3 | real canvases |');
    // three of a digit: 0.3 + w/100, rounded; its ceiling 97%
    expect(text).toContain('| three | 31% | 33% | 97% |');
    // rows not measured are marked, not made up
    expect(text).toContain('| four | 41% | 43% | – |');
    expect(text).toContain('| a relation | 5% | 12% | – |');
    expect(text).toContain('`runs/eval-canvas/a-w3`');
    expect(text).not.toContain('.cache/eval-canvas');
    // weights trained on past the measurement say so
    expect(canvasEvaluationText(1400, file)).toMatch(
      /training in progress\*\*: 1,400 steps; the evaluation below is of step 1,200/,
    );
    expect(canvasEvaluationText(1400, join(tmpdir(), 'no-such-canvas.json'))).toMatch(/not evaluated yet/);
  });
});
