/** Messages between the "Train it live" page and its training worker. */
import type { TrainConfig, TrainProgress } from '../../src/train/ddpm-trainer';

export interface WorkerState {
  hasModel: boolean;
  step: number;
  wallSeconds: number;
  running: boolean;
  config: TrainConfig | null;
  history: [number, number][];
  /** TF.js tensors and megabytes held in the worker. */
  tensors: number;
  mb: number;
}

export type WorkerEvent =
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'progress'; progress: TrainProgress; state: WorkerState }
  | { type: 'preview'; x: Float32Array; step: number };

/** Promise-based calls into a worker, plus a listener for the events it sends unasked. */
export class WorkerRpc {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    readonly worker: Worker,
    onEvent: (e: Exclude<WorkerEvent, { type: 'reply' }>) => void,
  ) {
    worker.onmessage = (m: MessageEvent<WorkerEvent>) => {
      const e = m.data;
      if (e.type !== 'reply') return onEvent(e);
      const p = this.pending.get(e.id);
      this.pending.delete(e.id);
      if (e.error !== undefined) p?.reject(new Error(e.error));
      else p?.resolve(e.result);
    };
    worker.onerror = (e) => {
      const err = new Error(`the training worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  call<T>(method: string, args: unknown = {}, transfer: Transferable[] = []): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args }, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('the training worker was stopped'));
    this.pending.clear();
  }
}
