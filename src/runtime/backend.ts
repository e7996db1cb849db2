/**
 * Backend choice for TF.js in the browser: by measurement, the fastest of WebGPU, WebGL and WASM on a small
 * probe (a "GPU" may be a software one, slower than WASM), remembered for the next visit. A URL
 * (?backend=wasm) puts one first instead, then WebGPU, WebGL, WASM, CPU. Every skipped backend is recorded
 * with the reason, so the status chip can say why a fallback happened.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WASM_PATHS } from './wasm-paths';
import { registerWasmKernels } from './wasm-kernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend TF.js now uses. */
  name: BackendName;
  /** Human description of the device: GPU adapter, WebGL renderer, or "CPU". */
  device: string;
  /** Backends tried before this one, each with why it was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** The backend the URL asked for, if any. */
  requested?: BackendName;
  /** The automatic choice: each candidate's time on the speed probe, fastest first. */
  measured?: { name: BackendName; device: string; ms: number; software: boolean }[];
  /** The automatic choice was remembered from an earlier visit, not measured now. */
  remembered?: boolean;
  /** What the address asked for when it names no backend (shown, then ignored). */
  unknownRequest?: string;
}

export interface BackendDeps {
  /** navigator.gpu, or undefined for a browser without WebGPU (injectable for tests). */
  gpu?: GPU;
  /** Milliseconds of the speed probe on the active backend (default timeProbe; injectable for tests). */
  time?: (name: BackendName) => Promise<number>;
  /**
   * Where the automatic choice is remembered between visits (default: localStorage). Absent: no automatic
   * measurement, the fixed order (what tests of the fallbacks use).
   */
  memory?: { get(): string | null; set(v: string): void } | null;
}

/** Order of backends to try: the requested one first, then the usual order. */
function backendOrder(requested?: BackendName): BackendName[] {
  return requested ? [requested, ...BACKEND_ORDER.filter((b) => b !== requested)] : [...BACKEND_ORDER];
}

function adapterText(adapter: GPUAdapter): string {
  const i = adapter.info;
  const parts = [i?.description, i?.vendor, i?.architecture].filter((s): s is string => !!s);
  return parts.length ? [...new Set(parts)].join(' · ') : 'unknown adapter';
}

function webglRenderer(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'WebGL';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  } catch {
    return 'WebGL';
  }
}

async function trySet(name: BackendName): Promise<string | null> {
  try {
    // setBackend resolves false (it does not throw) when the backend cannot start.
    return (await tf.setBackend(name)) ? null : `TF.js could not start ${name}`;
  } catch (e) {
    return `${name} failed: ${(e as Error).message}`;
  }
}

/** Start one backend: its device description, or why it cannot start. */
async function start(name: BackendName, deps: BackendDeps): Promise<{ device: string } | { reason: string }> {
  let device = '';
  if (name === 'webgpu') {
    if (!deps.gpu) return { reason: 'this browser does not expose WebGPU (navigator.gpu is missing)' };
    const adapter = await deps.gpu.requestAdapter().catch(() => null);
    if (!adapter) return { reason: 'WebGPU is present but no GPU adapter was found' };
    device = adapterText(adapter);
  }
  const failure = await trySet(name);
  if (failure) return { reason: failure };
  await tf.ready();
  if (name === 'webgl') device = webglRenderer();
  if (name === 'wasm') {
    // XNNPACK runs multi-threaded only where the page is cross-origin isolated (COOP + COEP headers), and
    // TF.js caps its pool at half the logical cores (init_with_threads_count in the backend's backend.cc),
    // whatever setThreadsCount asks: one thread on a two-core machine, four on an eight-core laptop.
    const threads = getThreadsCount();
    device = `CPU (WebAssembly, ${threads} thread${threads === 1 ? '' : 's'})`;
  }
  if (name === 'cpu') device = 'CPU (plain JavaScript, slowest)';
  return { device };
}

/** A GPU that is really the CPU: Chromium's SwiftShader, Mesa's llvmpipe, a "software" renderer. */
function isSoftwareDevice(device: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|fallback/i.test(device);
}

/**
 * The probe every candidate backend is timed on: four 3×3 convolutions of 16 channels over eight 28×28
 * images and the read-back of the result, the shape of the lessons' work. Best of two runs after one that
 * compiles the shaders.
 */
async function timeProbe(): Promise<number> {
  const run = async () => {
    const t0 = performance.now();
    const y = tf.tidy(() => {
      let x: tf.Tensor4D = tf.randomNormal([8, 28, 28, 16], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 16, 16], 0, 0.1, 'float32', 2) as tf.Tensor4D;
      for (let i = 0; i < 4; i++) x = tf.relu(tf.conv2d(x, w, 1, 'same'));
      return tf.sum(x);
    });
    await y.data();
    y.dispose();
    return performance.now() - t0;
  };
  await run();
  return Math.min(await run(), await run());
}

/** The choice remembered from an earlier visit: a backend, and the times it was chosen on. */
interface Remembered {
  name: BackendName;
  measured: Measured[];
}

type Measured = NonNullable<BackendInfo['measured']>[number];

const MEMORY_KEY = 'dl-backend-choice';

/** localStorage where there is one (not in workers; blocked storage just means measuring again). */
function browserMemory(): BackendDeps['memory'] {
  try {
    if (typeof localStorage === 'undefined') return null;
    return {
      get: () => localStorage.getItem(MEMORY_KEY),
      set: (v) => localStorage.setItem(MEMORY_KEY, v),
    };
  } catch {
    return null;
  }
}

/**
 * Start TF.js. With `requested` (the URL's ?backend=, or the page's choice handed to a worker), that
 * backend first and the usual order after it. Without, the fastest by measurement: each of WebGPU, WebGL
 * and WASM that starts is timed on the same probe and the quickest is kept (a software "GPU" loses to
 * WASM by itself, a real one wins); the choice is remembered for the next visit.
 */
export function initBackend(requested?: BackendName, deps?: BackendDeps): Promise<BackendInfo> {
  // one start at a time: two overlapping tf.setBackend calls can leave the second refused
  const next = queue.then(() => initBackendNow(requested, deps));
  queue = next.catch(() => undefined);
  return next;
}

let queue: Promise<unknown> = Promise.resolve();

async function initBackendNow(
  requested?: BackendName,
  deps: BackendDeps = {
    gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined,
    memory: browserMemory(),
  },
): Promise<BackendInfo> {
  setWasmPaths(WASM_PATHS);
  registerWasmKernels(); // conv nets train on WASM, and faster (see wasm-kernels.ts)
  if (!requested && (deps.time || deps.memory)) return fastest(deps);
  const skipped: BackendInfo['skipped'] = [];
  for (const name of backendOrder(requested)) {
    const r = await start(name, deps);
    if ('reason' in r) {
      skipped.push({ name, reason: r.reason });
      continue;
    }
    return { name, device: r.device, skipped, requested };
  }
  throw new Error('no TF.js backend could start, not even the CPU one');
}

/** Time every candidate that starts and keep the fastest (or the remembered one, if it still starts). */
async function fastest(deps: BackendDeps): Promise<BackendInfo> {
  const time = deps.time ?? timeProbe;
  let remembered: Remembered | null = null;
  try {
    remembered = JSON.parse(deps.memory?.get() ?? 'null') as Remembered | null;
  } catch {
    remembered = null;
  }
  if (remembered && BACKEND_ORDER.includes(remembered.name)) {
    const r = await start(remembered.name, deps);
    if ('device' in r)
      return {
        name: remembered.name,
        device: r.device,
        skipped: [],
        measured: remembered.measured,
        remembered: true,
      };
  }
  const skipped: BackendInfo['skipped'] = [];
  const measured: Measured[] = [];
  for (const name of ['webgpu', 'webgl', 'wasm'] as const) {
    const r = await start(name, deps);
    if ('reason' in r) {
      skipped.push({ name, reason: r.reason });
      continue;
    }
    try {
      measured.push({ name, device: r.device, ms: await time(name), software: isSoftwareDevice(r.device) });
    } catch (e) {
      skipped.push({ name, reason: `it started but failed the speed probe: ${(e as Error).message}` });
    }
  }
  measured.sort((a, b) => a.ms - b.ms);
  for (const m of measured) {
    const r = await start(m.name, deps); // switch back to the winner
    if ('reason' in r) continue;
    try {
      deps.memory?.set(JSON.stringify({ name: m.name, measured } satisfies Remembered));
    } catch {
      /* storage full or blocked: measured again next time */
    }
    return { name: m.name, device: r.device, skipped, measured };
  }
  const cpu = await start('cpu', deps);
  if ('device' in cpu) return { name: 'cpu', device: cpu.device, skipped, measured };
  throw new Error('no TF.js backend could start, not even the CPU one');
}
