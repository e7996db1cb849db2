/** One row of the evaluation suite's results (src/metrics/evaluate.ts), as stored in eval.json. TF.js-free. */
export interface EvalResult {
  generator: string;
  samples: number;
  fid: number;
  /** FID of real training digits against the test set, same sample count: the best a generator can hope for. */
  fidRealFloor: number;
  precision: number;
  recall: number;
  /** Share of samples per predicted class. */
  classShares: number[];
  /** Share of samples the classifier labels with probability > 0.9. */
  confidentShare: number;
  meanConfidence: number;
  secondsPerImage: number;
}
