// A lost GPU in the middle of "Train it live": the run moves to WASM and goes on from its last automatic
// checkpoint. Real headless Chromium with its software WebGPU (SwiftShader), whose device is destroyed
// as a driver reset would; the training worker must notice, and the page must recover without a click.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DlApp } from '../../src/notebook/app';
import type { DlTrainPanel } from '../../src/notebook/live-train/panel';
import { collectErrors, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
let panel: DlTrainPanel;

beforeAll(async () => {
  app = mountApp('#/train-live?backend=webgpu&batch=4&every=25');
  panel = await waitFor(() => app.querySelector('dl-train-panel') as DlTrainPanel | null, 'the panel');
  await waitFor(
    () => panel.shadowRoot?.querySelector<HTMLButtonElement>('button.start')?.disabled === false,
    'the training digits',
    120_000,
  );
});
afterAll(() => app.remove());

describe('a lost GPU while training', () => {
  it('moves the run to WASM, back to its last automatic checkpoint, and trains on', async () => {
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button.start')!.click();
    const s = panel.session;
    // (a run saved by another test may be in this browser already: wait for this run's own checkpoint)
    await waitFor(() => s.step >= 1 && s.checkpointStep !== null, 'a first step and its checkpoint', 300_000);
    expect(s.backend!.name).toBe('webgpu');
    const kept = s.checkpointStep!;
    expect(await s.loseGpu()).toBe(true);
    await waitFor(
      () => s.backend?.name === 'wasm' && /moved to WASM/.test(s.message),
      'the move to WASM',
      120_000,
    );
    expect(s.message).toMatch(
      /GPU stopped working \(WebGPU device lost.*\)\. Training moved to WASM and went back to step \d+/,
    );
    expect(s.error).toBe('');
    await waitFor(() => s.running && s.step > kept + 2, 'training on after the checkpoint', 120_000);
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button.start')!.click(); // pause
    await waitFor(() => !s.running, 'the pause');
    await panel.updateComplete;
    expect(panel.shadowRoot!.textContent).toMatch(/moved to WASM/);
  }, 600_000);

  it('raised no errors', () => {
    // the lost device may be reported by TF.js's WebGPU backend itself; nothing else may be
    expect(errors.filter((e) => !/device (was )?lost|destroyed/i.test(e))).toEqual([]);
  });
});
