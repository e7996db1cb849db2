import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/runtime/backend';

async function addWorks(): Promise<boolean> {
  const r = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), tf.tensor1d([10, 20, 30])));
  const v = Array.from(await r.data());
  r.dispose();
  return v.join() === '11,22,33';
}

describe('backend choice in real Chromium', () => {
  it('in the fixed order, selects WebGPU when the browser exposes an adapter (SwiftShader here), and it computes', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    expect(
      adapter,
      'this Chromium must be started with the WebGPU flags (src/cli/chromium.mjs)',
    ).toBeTruthy();
    const info = await initBackend(undefined, { gpu: navigator.gpu });
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.skipped).toEqual([]);
    expect(info.device.length).toBeGreaterThan(0);
    expect(await addWorks()).toBe(true);
  });

  it('chooses by measurement: on this software GPU (SwiftShader), WASM wins, and the choice is remembered', async () => {
    let stored: string | null = null;
    const memory = { get: () => stored, set: (v: string) => void (stored = v) };
    const info = await initBackend(undefined, { gpu: navigator.gpu, memory });
    const webgpu = info.measured!.find((m) => m.name === 'webgpu')!;
    const wasm = info.measured!.find((m) => m.name === 'wasm')!;
    expect(webgpu.software).toBe(true);
    expect(wasm.ms).toBeLessThan(webgpu.ms);
    // the fastest measured is the one running
    expect(info.name).toBe(info.measured![0]!.name);
    expect(tf.getBackend()).toBe(info.name);
    expect(await addWorks()).toBe(true);
    // the next visit starts the remembered backend without measuring again
    const again = await initBackend(undefined, {
      gpu: navigator.gpu,
      memory,
      time: () => Promise.reject(new Error('measured again')),
    });
    expect(again.name).toBe(info.name);
    expect(again.remembered).toBe(true);
    expect(again.measured).toEqual(info.measured);
  });

  it('a fast GPU wins over WASM, a slow one does not (stubbed timings)', async () => {
    const pick = async (ms: Record<string, number>) => {
      const info = await initBackend(undefined, {
        gpu: navigator.gpu,
        memory: null,
        time: async (name) => ms[name]!,
      });
      return info;
    };
    const fast = await pick({ webgpu: 5, webgl: 40, wasm: 20 });
    expect(fast.name).toBe('webgpu');
    expect(fast.measured!.map((m) => m.name)).toEqual(['webgpu', 'wasm', 'webgl']);
    expect(tf.getBackend()).toBe('webgpu');
    const slow = await pick({ webgpu: 900, webgl: 300, wasm: 20 });
    expect(slow.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await addWorks()).toBe(true);
  });

  it('falls back to WebGL, saying why, when the browser has no WebGPU', async () => {
    const info = await initBackend(undefined, { gpu: undefined });
    expect(info.name).toBe('webgl');
    expect(info.skipped).toEqual([
      { name: 'webgpu', reason: expect.stringMatching(/does not expose WebGPU/) },
    ]);
    expect(await addWorks()).toBe(true);
  });

  it('falls back when WebGPU exists but finds no adapter', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const info = await initBackend(undefined, { gpu });
    expect(info.name).toBe('webgl');
    expect(info.skipped[0]!.reason).toMatch(/no GPU adapter/);
  });

  it('honours a requested backend: WASM loads its binaries from this origin', async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.requested).toBe('wasm');
    expect(await addWorks()).toBe(true);
    const cpu = await initBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(await addWorks()).toBe(true);
  });

  it('leaks no tensors across repeated work on each backend', async () => {
    for (const name of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      await initBackend(name);
      await addWorks();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) await addWorks();
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });
});
