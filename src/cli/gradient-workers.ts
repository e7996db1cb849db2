/**
 * Data-parallel training in Node: TF.js's WASM backend runs on one thread, so on an n-core machine
 * `npm run train -- ddpm --workers n-1` starts n-1 worker threads that each compute the gradients of a
 * slice of every batch while the main thread computes the first slice (DdpmTrainer.trainStepShared).
 */
import { Worker } from 'node:worker_threads';
import type { GradientHelper, TrainBatch, TrainConfig } from '../train/ddpm-trainer';

export interface GradientWorkers {
  helpers: GradientHelper[];
  close(): Promise<void>;
}

type Reply =
  | { ready: true }
  | { id: number; loss: number; grads: Map<string, Float32Array> }
  | { id: number; error: string };

/** Start `n` worker threads (each loads TF.js and its own copy of the run's network); resolves once all are ready. */
export async function startGradientWorkers(n: number, config: TrainConfig): Promise<GradientWorkers> {
  // Workers do not inherit tsx's loader from --import, so the worker registers it before importing the body.
  const body = new URL('./gradient-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(body)}); })`;
  const workers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Worker>((resolve, reject) => {
          const w = new Worker(boot, { eval: true, workerData: { config } });
          w.once('error', reject);
          w.once('message', (m: Reply) =>
            'ready' in m ? resolve(w) : reject(new Error('worker did not start')),
          );
        }),
    ),
  );
  let nextId = 0;
  const helpers = workers.map((w): GradientHelper => {
    const waiting = new Map<
      number,
      { resolve: (r: { loss: number; grads: Map<string, Float32Array> }) => void; reject: (e: Error) => void }
    >();
    const fail = (e: Error) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    };
    w.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if ('error' in m) p?.reject(new Error(`gradient worker: ${m.error}`));
      else p?.resolve({ loss: m.loss, grads: m.grads });
    });
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`gradient worker exited (code ${code})`)));
    return {
      gradients(weights: Map<string, Float32Array>, batch: TrainBatch, from: number, to: number) {
        const id = nextId++;
        return new Promise((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          w.postMessage({ id, weights, batch, from, to });
        });
      },
    };
  });
  return {
    helpers,
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
