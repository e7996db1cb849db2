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
  it('selects WebGPU when the browser exposes an adapter (SwiftShader here), and it computes', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    expect(
      adapter,
      'this Chromium must be started with the WebGPU flags (src/cli/chromium.mjs)',
    ).toBeTruthy();
    const info = await initBackend();
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.skipped).toEqual([]);
    expect(info.device.length).toBeGreaterThan(0);
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
