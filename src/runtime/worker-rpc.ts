/**
 * Typed calls into a Web Worker, for training and inference alike, on Comlink: the worker exposes an
 * object of methods (exposeWorker), the page gets the same methods back as promises, typed from that
 * object, with no message names or ids written by hand. One addition to Comlink: every call made
 * through `call` fails with a plain-words error once the worker has crashed or been stopped, instead of
 * waiting for ever.
 */
import * as Comlink from 'comlink';

export { proxy, transfer } from 'comlink';
export type { Remote } from 'comlink';

export interface WorkerConnection<T> {
  /** The worker's methods, each returning a promise. */
  readonly api: Comlink.Remote<T>;
  /** Await a call on `api`, or fail as soon as the worker is gone. */
  call<R>(pending: Promise<R>): Promise<R>;
  /** Stop the worker (freeing everything it holds); calls still waiting fail. */
  terminate(): void;
}

/** Connect to a worker that called exposeWorker(); `name` goes into error messages ("the training worker"). */
export function connectWorker<T>(worker: Worker, name: string): WorkerConnection<T> {
  const api = Comlink.wrap<T>(worker);
  let fail: (e: Error) => void = () => undefined;
  const ended = new Promise<never>((_, reject) => (fail = reject));
  ended.catch(() => undefined); // only calls in flight care
  worker.addEventListener('error', (e) => fail(new Error(`${name} failed: ${e.message || 'unknown error'}`)));
  return {
    api,
    call: (pending) => Promise.race([pending, ended]),
    terminate() {
      fail(new Error(`${name} was stopped`));
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** In the worker: serve these methods to the page. */
export function exposeWorker(api: object): void {
  Comlink.expose(api);
}
