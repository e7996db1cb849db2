/**
 * A 2-D model of its own for one cell: a fresh worker (src/notebook/toy/worker.ts) started on the page's
 * backend. The cell terminates it when it leaves the page.
 */
import { backendReady } from '../../runtime/session';
import { connectWorker, type WorkerConnection } from '../../runtime/worker-rpc';
import type { ToyWorkerApi } from './worker';

export type { ToyWorkerApi };

export async function startToyWorker(): Promise<WorkerConnection<ToyWorkerApi>> {
  const page = await backendReady();
  const rpc = connectWorker<ToyWorkerApi>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
    'the 2-D worker',
  );
  await rpc.call(rpc.api.init(page.name));
  return rpc;
}
