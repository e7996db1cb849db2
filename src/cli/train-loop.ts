/**
 * The loop every `npm run train` command shares once its trainer is built: train until `--steps` more
 * steps or `--hours` pass (or Ctrl-C / SIGTERM), print progress, save every `--every` steps and at the
 * end, and on a non-finite loss stop without saving, keeping the last good checkpoint.
 */
import { NonFiniteLossError, type OptimConfig, type TrainableNet, type Trainer } from '../train/trainer';
import { arg } from './args';

export async function trainLoop(
  tr: Trainer<OptimConfig, TrainableNet>,
  save: () => Promise<void>,
  opts: { every: number; readEvery?: number; describe?: () => string },
): Promise<void> {
  const hours = Number(arg('hours') ?? 'Infinity');
  const steps = Number(arg('steps') ?? '1e9');
  const every = Number(arg('every') ?? String(opts.every));
  const stopAt = performance.now() + hours * 3600e3;
  const ctl = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      console.log(`${sig}: finishing the current steps and saving…`);
      ctl.abort();
    });
  let lastSave = tr.step;
  const saveNow = async () => {
    await save();
    lastSave = tr.step;
    console.log(`  saved step ${tr.step}`);
  };
  try {
    for await (const p of tr.run(steps, { readEvery: opts.readEvery ?? 25, signal: ctl.signal })) {
      console.log(
        `step ${p.step}  loss ${p.loss.toFixed(4)}  |g| ${p.gradNorm.toFixed(3)}  lr ${p.lr.toExponential(1)}  ` +
          `${p.stepsPerSecond.toFixed(2)} steps/s  ${(p.wallSeconds / 3600).toFixed(2)} h total${opts.describe ? `  ${opts.describe()}` : ''}`,
      );
      if (p.step - lastSave >= every) await saveNow();
      if (performance.now() > stopAt) ctl.abort();
    }
    await saveNow();
  } catch (e) {
    if (e instanceof NonFiniteLossError) {
      console.error(`stopped: ${e.message}. The last good checkpoint (step ${lastSave}) is kept.`);
      process.exit(1);
    }
    throw e;
  }
}
