/**
 * Backend choice for TF.js in the browser: WebGPU if an adapter exists, else WebGL, else WASM, else CPU.
 * A URL (?backend=wasm) can put one first. Every skipped backend is recorded with the reason, so the
 * status chip can say why a fallback happened.
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
}

export interface BackendDeps {
  /** navigator.gpu, or undefined for a browser without WebGPU (injectable for tests). */
  gpu?: GPU;
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

/** Pick and activate the fastest working backend. */
export async function initBackend(
  requested?: BackendName,
  deps: BackendDeps = { gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined },
): Promise<BackendInfo> {
  setWasmPaths(WASM_PATHS);
  registerWasmKernels(); // conv nets train on WASM, and faster (see wasm-kernels.ts)
  const skipped: BackendInfo['skipped'] = [];
  for (const name of backendOrder(requested)) {
    let device = '';
    if (name === 'webgpu') {
      if (!deps.gpu) {
        skipped.push({ name, reason: 'this browser does not expose WebGPU (navigator.gpu is missing)' });
        continue;
      }
      const adapter = await deps.gpu.requestAdapter().catch(() => null);
      if (!adapter) {
        skipped.push({ name, reason: 'WebGPU is present but no GPU adapter was found' });
        continue;
      }
      device = adapterText(adapter);
    }
    const failure = await trySet(name);
    if (failure) {
      skipped.push({ name, reason: failure });
      continue;
    }
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
    return { name, device, skipped, requested };
  }
  throw new Error('no TF.js backend could start, not even the CPU one');
}
