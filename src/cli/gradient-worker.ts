/**
 * Body of a gradient worker thread (see gradient-workers.ts): its own TF.js WASM backend and copy of the
 * network; for each message (current weights + a slice of the batch) it answers with that slice's loss and
 * gradients as plain arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { makeDenoiser, sliceGradients, type TrainBatch, type TrainConfig } from '../train/ddpm-trainer';

interface Request {
  id: number;
  weights: Map<string, Float32Array>;
  batch: TrainBatch;
  from: number;
  to: number;
}

const { config } = workerData as { config: TrainConfig };
await initNodeBackend('wasm');
const net = makeDenoiser(config, 0);
const shapes = new Map(net.paramSpecs.map((s) => [s.name, s.shape]));
const port = parentPort!;
port.on('message', async (m: Request) => {
  try {
    net.setWeights(new Map([...m.weights].map(([k, data]) => [k, { shape: shapes.get(k) ?? [], data }])));
    const { loss, grads } = sliceGradients(net, config.prediction, m.batch, m.from, m.to);
    const out = new Map<string, Float32Array>();
    for (const [k, g] of Object.entries(grads)) out.set(k, (await g.data()) as Float32Array);
    const value = (await loss.data())[0]!;
    tf.dispose([loss, ...Object.values(grads)]);
    port.postMessage(
      { id: m.id, loss: value, grads: out },
      [...out.values()].map((a) => a.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
