import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlTrainPanel } from '../../lessons/train-live/panel';
import { decodeWeights } from '../../src/train/weights-format';
import { collectErrors, gridPixels, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
let panel: DlTrainPanel;
const $ = <T extends Element>(sel: string) => panel.shadowRoot!.querySelector<T>(sel)!;

function choose(cls: string, index: number) {
  const s = $<HTMLSelectElement>(`select.${cls}`);
  s.selectedIndex = index;
  s.dispatchEvent(new Event('change'));
}

beforeAll(async () => {
  location.hash = '#/train-live?backend=wasm';
  app = document.createElement('dl-app');
  document.body.append(app);
  panel = await waitFor(() => app.querySelector('dl-train-panel') as DlTrainPanel | null, 'the panel');
  await waitFor(
    () => !$<HTMLButtonElement>('button.start').disabled,
    'MNIST training digits to load',
    90_000,
  );
});
afterAll(() => app.remove());

describe('training live in the page (WASM backend, classroom net, batch 4)', () => {
  it('trains: steps advance, the loss is charted and falls, previews are drawn, pause stops', async () => {
    choose('batch', 0); // 4
    choose('previewEvery', 0); // every 25 steps
    $<HTMLButtonElement>('button.start').click();
    await waitFor(
      () => (panel.session.trainer?.step ?? 0) >= 30 && panel.session.preview,
      'thirty steps and a preview',
      120_000,
    );
    $<HTMLButtonElement>('button.start').click(); // pause
    await waitFor(() => !panel.session.running, 'the pause');
    const stopped = panel.session.trainer!.step;
    await new Promise((r) => setTimeout(r, 300));
    expect(panel.session.trainer!.step).toBe(stopped);
    const losses = panel.session.losses.map(([, l]) => l);
    expect(losses.length).toBeGreaterThanOrEqual(6);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    await panel.updateComplete;
    expect(gridPixels($('dl-image-grid.preview'))).not.toBeNull();
    expect($('dl-line-plot').shadowRoot!.querySelector('svg')).not.toBeNull();
    expect($('.steps').textContent).toBe(String(stopped));
  });

  it('Step takes exactly one step', async () => {
    const before = panel.session.trainer!.step;
    $<HTMLButtonElement>('button.step').click();
    await waitFor(() => panel.session.trainer!.step === before + 1 && !panel.session.running, 'one step');
  });

  it('saves in the browser, and resumes after a reset at the same step with the same weights', async () => {
    const tr = panel.session.trainer!;
    const step = tr.step;
    const w = Array.from(await tr.net.params.get('oc.w')!.data());
    $<HTMLButtonElement>('button.save').click();
    await waitFor(() => panel.session.savedStep === step, 'the save');
    $<HTMLButtonElement>('button.reset').click();
    expect(panel.session.trainer).toBeNull();
    await panel.updateComplete;
    $<HTMLButtonElement>('button.resume').click();
    await waitFor(() => panel.session.trainer?.step === step, 'the resume');
    expect(Array.from(await panel.session.trainer!.net.params.get('oc.w')!.data())).toEqual(w);
  });

  it('exports weights in the shipped format and refuses bad uploads without touching the model', async () => {
    const files = (await panel.session.exportFiles())!;
    const { weights, metadata } = decodeWeights(
      JSON.parse(JSON.stringify(files.json)),
      files.bin,
      panel.session.trainer!.net.paramSpecs,
    );
    expect(metadata.kind).toBe('ddpm-unet');
    expect(weights.size).toBe(panel.session.trainer!.net.paramSpecs.length);
    const before = Array.from(await panel.session.trainer!.net.params.get('inc.w')!.data());
    const json = JSON.stringify(files.json);
    await panel.session.importFiles(panel.session.trainer!.data, json, files.bin.subarray(0, 1000));
    expect(panel.session.error).toMatch(/Could not load those files: .*truncated/);
    await panel.session.importFiles(panel.session.trainer!.data, '%PDF-1.4 not json', files.bin);
    expect(panel.session.error).toMatch(/not valid JSON/);
    expect(Array.from(await panel.session.trainer!.net.params.get('inc.w')!.data())).toEqual(before);
    // and the real files load back
    await panel.session.importFiles(panel.session.trainer!.data, json, files.bin);
    expect(panel.session.error).toBe('');
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
