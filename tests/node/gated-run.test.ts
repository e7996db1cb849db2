// The one idiom for a cell's async work (src/notebook/gated-run.ts), with a stand-in Lit host.
import { describe, expect, it } from 'vitest';
import { GatedRun } from '../../src/notebook/gated-run';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function harness(cheap: boolean) {
  const log: string[] = [];
  const host = {
    addController() {},
    removeController() {},
    requestUpdate() {},
    updateComplete: Promise.resolve(true),
  };
  let args: { key: string; fail?: boolean } | null = null;
  const run = new GatedRun(host, {
    args: () => args,
    key: (a) => a.key,
    cheap: () => cheap,
    reset: () => log.push('reset'),
    errorPrefix: 'Sampling failed',
    debounceMs: 5,
    task: async (a, signal) => {
      log.push(`start ${a.key}`);
      for (let i = 0; i < 5; i++) {
        await tick(2);
        if (signal.aborted) return void log.push(`stopped ${a.key}`);
      }
      if (a.fail) throw new Error('out of memory');
      log.push(`done ${a.key}`);
    },
  });
  return { run, log, set: (a: typeof args) => (args = a) };
}

describe('GatedRun', () => {
  it('waits for arguments, then starts a cheap run on its own once, debounced', async () => {
    const h = harness(true);
    h.run.argsChanged(); // no arguments yet (model loading): nothing happens
    expect(h.log).toEqual([]);
    h.set({ key: 'a' });
    h.run.argsChanged();
    h.run.argsChanged(); // same key: no second run
    expect(h.run.status).toBe('idle'); // debounced
    await tick(60);
    expect(h.log).toEqual(['reset', 'start a', 'done a']);
    expect(h.run.status).toBe('complete');
  });

  it('an expensive run waits for run(); a new key stops the run in flight before the next starts', async () => {
    const h = harness(false);
    h.set({ key: 'a' });
    h.run.argsChanged();
    await tick(20);
    expect(h.run.status).toBe('waiting');
    expect(h.log).toEqual(['reset']);
    const first = h.run.run();
    await tick(3);
    h.set({ key: 'b' });
    h.run.argsChanged(); // stops 'a'
    const second = h.run.run(); // waits for 'a' to unwind: never two at once
    await Promise.all([first, second]);
    expect(h.log).toEqual(['reset', 'start a', 'reset', 'stopped a', 'start b', 'done b']);
    expect(h.run.status).toBe('complete');
  });

  it('a failure is shown as a message, never rejected; stop() ends a run', async () => {
    const h = harness(false);
    h.set({ key: 'a', fail: true });
    await expect(h.run.run()).resolves.toBeUndefined();
    expect(h.run.status).toBe('error');
    expect(h.run.error).toBe('Sampling failed: out of memory');
    h.set({ key: 'b' });
    const p = h.run.run();
    await tick(3);
    expect(h.run.running).toBe(true);
    h.run.stop();
    await p;
    expect(h.run.status).toBe('idle');
    expect(h.run.error).toBe('');
    expect(h.log.at(-1)).toBe('stopped b');
  });

  it('settled() resolves only when the latest arguments have run: through the debounce, a stop and a restart', async () => {
    const h = harness(true);
    await h.run.settled(); // nothing scheduled: resolves at once
    h.set({ key: 'a' });
    h.run.argsChanged();
    const waiting = h.run.settled();
    await tick(8); // 'a' has started
    h.set({ key: 'b' });
    h.run.argsChanged(); // stops 'a', schedules 'b'
    await waiting;
    expect(h.log).toEqual(['reset', 'start a', 'reset', 'stopped a', 'start b', 'done b']); // b starts once a unwound
    expect(h.run.status).toBe('complete');
    const expensive = harness(false);
    expensive.set({ key: 'c' });
    expensive.run.argsChanged();
    await expensive.run.settled(); // waiting for its button counts as settled
    expect(expensive.run.status).toBe('waiting');
  });
});
