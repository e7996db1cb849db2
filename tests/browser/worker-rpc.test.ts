// The typed worker RPC (src/runtime/worker-rpc.ts) in a real worker: results, transfers, errors with
// their message, callbacks, and calls that fail instead of hanging once the worker is stopped.
import { describe, expect, it } from 'vitest';
import { connectWorker, proxy } from '../../src/runtime/worker-rpc';
import type { EchoApi } from './fixtures/echo-worker';
import { waitFor } from './helpers';

const start = () =>
  connectWorker<EchoApi>(
    new Worker(new URL('./fixtures/echo-worker.ts', import.meta.url), { type: 'module' }),
    'the test worker',
  );

describe('worker RPC', () => {
  it('calls typed methods, carries arrays back and errors with their message', async () => {
    const w = start();
    try {
      expect(await w.call(w.api.add(2, 40))).toBe(42);
      const x = await w.call(w.api.ramp(5, 0.5));
      expect(Array.from(x)).toEqual([0, 0.5, 1, 1.5, 2]);
      await expect(w.call(w.api.fail('bad input'))).rejects.toThrow('refused: bad input');
      const seen: number[] = [];
      expect(
        await w.call(
          w.api.countTo(
            3,
            proxy((i: number) => void seen.push(i)),
          ),
        ),
      ).toBe(3);
      await waitFor(() => seen.length === 3 || null, 'the three callbacks');
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      w.terminate();
    }
  });

  it('a call still waiting fails with a plain message when the worker is stopped', async () => {
    const w = start();
    expect(await w.call(w.api.add(1, 1))).toBe(2);
    const pending = w.call(w.api.hang());
    w.terminate();
    await expect(pending).rejects.toThrow('the test worker was stopped');
  });
});
