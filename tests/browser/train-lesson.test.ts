import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlTrainPanel } from '../../src/notebook/live-train/panel';
import { decodeWeights } from '../../src/nets/weights-format';
import type { MnistSplit } from '../../src/data/mnist-asset';
import { collectErrors, gridPixels, waitFor, mountApp } from './helpers';

const errors = collectErrors();
let app: DlApp;
let panel: DlTrainPanel;
const $ = <T extends Element>(sel: string) => panel.shadowRoot!.querySelector<T>(sel)!;

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function choose(cls: string, index: number) {
  const s = $<HTMLSelectElement>(`select.${cls}`);
  s.selectedIndex = index;
  s.dispatchEvent(new Event('change'));
}

beforeAll(async () => {
  app = mountApp('#/train-live?backend=wasm&lr=0.002');
  panel = await waitFor(() => app.querySelector('dl-train-panel') as DlTrainPanel | null, 'the panel');
  await waitFor(() => panel.shadowRoot?.querySelector('select.lr'), 'the settings');
  expect(panel.session.settings.lr).toBe(0.002); // the URL sets the learning rate
  // the 9.6 MB of training digits wait until a run needs them
  expect(panel.mnist.data).toBeNull();
  expect($<HTMLButtonElement>('button.start').disabled).toBe(false);
});
afterAll(() => app.remove());

describe('training live in a worker (WASM backend, classroom net, batch 4)', () => {
  it('trains: steps advance, the loss is charted and falls, previews are drawn, pause stops', async () => {
    choose('batch', 0); // 4
    choose('previewEvery', 0); // every 25 steps
    await waitFor(
      () => /batch=4/.test(location.hash) && /every=25/.test(location.hash),
      'the settings in the URL',
    );
    $<HTMLButtonElement>('button.start').click();
    await waitFor(
      () => panel.session.step >= 30 && panel.session.preview,
      'thirty steps and a preview',
      120_000,
    );
    $<HTMLButtonElement>('button.start').click(); // pause
    await waitFor(() => !panel.session.running, 'the pause');
    const stopped = panel.session.step;
    await new Promise((r) => setTimeout(r, 300));
    expect(panel.session.step).toBe(stopped);
    expect(panel.session.backend?.name).toBe('wasm');
    const losses = panel.session.losses.map(([, l]) => l);
    expect(losses.length).toBeGreaterThanOrEqual(6);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    await panel.updateComplete;
    expect(gridPixels($('dl-image-grid.preview'))).not.toBeNull();
    expect($('dl-line-plot').shadowRoot!.querySelector('svg')).not.toBeNull();
    expect($('.steps').textContent).toBe(String(stopped));
    // the maths ran in the worker: the page's thread was never blocked for long
    expect(panel.session.longTasks).toBeLessThan(5);
  });

  it('shows a first preview within seconds, long before the preview interval', async () => {
    choose('previewEvery', 2); // every 250 steps
    await waitFor(() => /every=250/.test(location.hash), 'the setting');
    const from = panel.session.step;
    const seen = panel.session.previewStep;
    $<HTMLButtonElement>('button.start').click();
    await waitFor(() => panel.session.previewStep > seen, 'a preview', 60_000);
    expect(panel.session.previewStep - from).toBeLessThan(250);
    $<HTMLButtonElement>('button.start').click(); // pause
    await waitFor(() => !panel.session.running, 'the pause');
    choose('previewEvery', 0);
  });

  it('Step takes exactly one step', async () => {
    const before = panel.session.step;
    $<HTMLButtonElement>('button.step').click();
    await waitFor(() => panel.session.step === before + 1 && !panel.session.running, 'one step');
  });

  it('saves in the browser, and resumes after a reset at the same step with the same weights', async () => {
    const step = panel.session.step;
    const before = (await panel.session.exportFiles())!.bin;
    $<HTMLButtonElement>('button.save').click();
    await waitFor(() => panel.session.savedStep === step, 'the save');
    $<HTMLButtonElement>('button.reset').click();
    await waitFor(() => !panel.session.hasModel, 'the reset');
    await panel.updateComplete;
    $<HTMLButtonElement>('button.resume').click();
    await waitFor(() => panel.session.hasModel && panel.session.step === step, 'the resume');
    const after = (await panel.session.exportFiles())!.bin;
    expect(sameBytes(after, before)).toBe(true);
  });

  it('keeps the run when the student leaves the lesson, and offers it on return', async () => {
    // after "Forget", automatic checkpoints keep nothing: only leaving the lesson can keep this step
    await panel.onForget(() => true);
    const before = panel.session.step;
    $<HTMLButtonElement>('button.step').click();
    await waitFor(() => panel.session.step === before + 1 && !panel.session.running, 'one more step');
    const step = panel.session.step;
    expect(panel.session.savedStep).toBeNull();
    location.hash = '#/forward?backend=wasm';
    await waitFor(() => !app.querySelector('dl-train-panel'), 'the lesson to close');
    location.hash = '#/train-live?backend=wasm&lr=0.002&batch=4&every=25';
    panel = await waitFor(
      () => app.querySelector('dl-train-panel') as DlTrainPanel | null,
      'the panel again',
    );
    await waitFor(() => panel.session.savedStep === step, 'the kept run', 30_000);
    await panel.updateComplete;
    expect($('button.resume').textContent).toContain(`step ${step}`);
    expect(panel.session.message).toContain(`step ${step}`);
    await waitFor(() => !$<HTMLButtonElement>('button.resume').disabled, 'the digits to load', 90_000);
    $<HTMLButtonElement>('button.resume').click();
    await waitFor(() => panel.session.hasModel && panel.session.step === step, 'the resume');
  });

  it('forgets the saved run only after saying what will be lost', async () => {
    expect(panel.session.savedStep).not.toBeNull();
    let asked = '';
    await panel.onForget((t) => ((asked = t), false)); // "Cancel"
    expect(asked).toContain(`step ${panel.session.savedStep}`);
    expect(asked).toContain('cannot be resumed');
    expect(panel.session.savedStep).not.toBeNull();
    await panel.onForget(() => true);
    expect(panel.session.savedStep).toBeNull();
    await panel.updateComplete;
    expect($<HTMLButtonElement>('button.resume').disabled).toBe(true);
    expect($<HTMLButtonElement>('button.forget').disabled).toBe(true);
  });

  it('exports weights in the shipped format and refuses bad uploads without touching the model', async () => {
    const files = (await panel.session.exportFiles())!;
    const { metadata, weights } = decodeWeights(JSON.parse(JSON.stringify(files.json)), files.bin);
    expect(metadata.kind).toBe('ddpm-unet');
    expect(weights.size).toBeGreaterThan(50);
    const data = panel['mnist' as keyof DlTrainPanel] as unknown as { data: MnistSplit };
    const json = JSON.stringify(files.json);
    await panel.session.importFiles(data.data, json, files.bin.subarray(0, 1000));
    expect(panel.session.error).toMatch(/Could not load those files: .*truncated/);
    await panel.session.importFiles(data.data, '%PDF-1.4 not json', files.bin);
    expect(panel.session.error).toMatch(/not valid JSON/);
    // weights of another network: the refusal says which, and the setting that would take them
    const wider = JSON.parse(json) as { userDefinedMetadata: { unet: { ch: number } } };
    wider.userDefinedMetadata.unet.ch = 32;
    await panel.session.importFiles(data.data, JSON.stringify(wider), files.bin);
    expect(panel.session.error).toMatch(
      /U-Net of width 32, .*this panel trains a U-Net of width 16.*Choose the "shipped" network/,
    );
    const shipped = await (await fetch('models/ddpm-mnist/model.json')).text();
    await panel.session.importFiles(data.data, shipped, files.bin);
    expect(panel.session.error).toMatch(
      /width 32, 1\/2\/2 residual blocks .*No setting of this panel builds that network/,
    );
    const unchanged = (await panel.session.exportFiles())!.bin;
    expect(sameBytes(unchanged, files.bin)).toBe(true);
    // and the real files load back
    await panel.session.importFiles(data.data, json, files.bin);
    expect(panel.session.error).toBe('');
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
