/**
 * The measures the family comparison adds to the evaluation suite (./evaluate.ts), all from numbers the
 * suite already has: how the classifier's labels spread over the ten classes (entropy, coverage), how
 * varied the samples of each class are in the classifier's feature space (against real digits), and a
 * mode-collapse reading of a class histogram. Plain arrays, no TF.js.
 */

/** Shannon entropy, in bits, of a histogram's shares (log2 10 ≈ 3.32 for ten equal classes). */
export function classEntropyBits(shares: readonly number[]): number {
  const total = shares.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const s of shares) if (s > 0) h -= (s / total) * Math.log2(s / total);
  return h;
}

/** Classes holding at least `atLeast` of the samples (1% by default): how many of the ten a generator draws. */
export function classCoverage(shares: readonly number[], atLeast = 0.01): number {
  const total = shares.reduce((a, b) => a + b, 0);
  return shares.filter((s) => s / total >= atLeast).length;
}

/**
 * Fewest classes that hold `share` of the samples (80% by default): about 8 for ten equal classes,
 * 1–2 for a collapsed generator.
 */
export function classesHolding(shares: readonly number[], share = 0.8): number {
  const total = shares.reduce((a, b) => a + b, 0);
  const sorted = [...shares].sort((a, b) => b - a);
  let acc = 0;
  for (let i = 0; i < sorted.length; i++) {
    acc += sorted[i]! / total;
    if (acc >= share - 1e-12) return i + 1;
  }
  return sorted.length;
}

/**
 * Within-class variety: for each class with at least `minCount` samples, the mean squared distance of
 * its samples' features to their class mean (the trace of the class's covariance); the result is the
 * mean over those classes, weighted by their sample counts. Features are `d` values per sample; labels
 * are each sample's predicted class.
 */
export function withinClassSpread(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  d: number,
  minCount = 5,
): number {
  const n = labels.length;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  let total = 0;
  let counted = 0;
  for (const idx of byClass.values()) {
    if (idx.length < minCount) continue;
    const mean = new Float64Array(d);
    for (const i of idx) for (let j = 0; j < d; j++) mean[j]! += features[i * d + j]! / idx.length;
    let sq = 0;
    for (const i of idx) for (let j = 0; j < d; j++) sq += (features[i * d + j]! - mean[j]!) ** 2;
    total += sq; // = count × mean squared distance
    counted += idx.length;
  }
  return counted ? total / counted : 0;
}

/** The predicted class (arg max) of each sample from 10 probabilities per sample. */
export function predictedClasses(probs: ArrayLike<number>, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c;
    out[i] = best;
  }
  return out;
}
