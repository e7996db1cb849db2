/** What the "Train it live" worker reports (its methods are typed from worker.ts, see src/runtime/worker-rpc.ts). */
import type { TrainConfig, TrainProgress } from '../../train/ddpm-trainer';

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

/** What the worker tells the page unasked, through the callback it gets in `init`. */
export type TrainEvent =
  | { type: 'progress'; progress: TrainProgress; state: WorkerState }
  | { type: 'preview'; x: Float32Array; step: number }
  /** Encoding the training digits to latents (a latent run, before its first step). */
  | { type: 'encoding'; done: number; total: number }
  /** An automatic checkpoint of the run (after its first step, then every AUTO_CHECKPOINT_MS). */
  | { type: 'checkpoint'; bytes: Uint8Array; step: number }
  /** The GPU device (WebGPU) or context (WebGL) was lost: the worker's backend cannot go on. */
  | { type: 'lost'; reason: string; wasRunning: boolean };
