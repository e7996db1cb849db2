// The text-to-image lesson in real Chromium, with the shipped tokenizer, text encoder, text-to-image
// U-Net and autoencoder, run in the sampling worker.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlT2iTokens } from '../../lessons/text-to-image/tokens';
import type { DlT2iGenerate } from '../../lessons/text-to-image/generate';
import type { DlT2iClip } from '../../lessons/text-to-image/clip';
import type { DlT2iSwap } from '../../lessons/text-to-image/swap';
import type { DlT2iCurve } from '../../lessons/text-to-image/curve';
import type { DlLinePlot } from '../../src/widgets/line-plot';
import { t2iStore } from '../../lessons/text-to-image/params';
import { inferenceWorker, textToImageInWorker } from '../../src/notebook/inference/client';
import { collectErrors, gridPixels, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(tag: string) => app.querySelector(tag) as T;

beforeAll(async () => {
  app = mountApp('#/text-to-image?prompt=a%20thick%207&w=3&seed=1&backend=wasm');
  await waitFor(() => app.querySelector('dl-t2i-generate'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

/** Set the prompt as the box does, and wait for the drawing of it. */
async function draw(prompt: string): Promise<DlT2iGenerate> {
  const gen = cell<DlT2iGenerate>('dl-t2i-generate');
  t2iStore.set({ prompt });
  await gen.updateComplete;
  await gen.settled();
  return gen;
}

describe('the text-to-image lesson', () => {
  it('shows the tokens and ids of the prompt from the URL, <start> to <end>', async () => {
    const tok = cell<DlT2iTokens>('dl-t2i-tokens');
    await waitFor(() => tok.encoding, 'the tokenizer', 30_000);
    await tok.updateComplete;
    const chips = [...tok.shadowRoot!.querySelectorAll('ol li .tok')].map((e) => e.textContent);
    expect(chips).toEqual(['<start>', 'a', 'thick', '7', '<end>']);
    expect(tok.shadowRoot!.querySelector('.status')!.textContent!.replace(/\s+/g, ' ')).toContain(
      '3 tokens between <start> and <end>, then 19 × <pad>',
    );
  });

  it('draws 4 digits in 20 guided steps, with the three predictions and a map per token at every step', async () => {
    const gen = cell<DlT2iGenerate>('dl-t2i-generate');
    await waitFor(() => gen.frames.length === 20 || null, 'the 20 frames', 180_000);
    const f = gen.frames.at(-1)!;
    for (const x of [f.image, f.conditional!, f.unconditional!]) expect(x.length).toBe(4 * 784);
    // attention: 4 images x 8x8 cells x 24 tokens, every cell's weights over the tokens summing to 1
    expect(f.attention!.length).toBe(4 * 64 * 24);
    for (const cellIdx of [0, 63, 200]) {
      const row = f.attention!.subarray(cellIdx * 24, (cellIdx + 1) * 24);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    await gen.updateComplete;
    expect(gen.shadowRoot!.querySelectorAll('.maps canvas').length).toBe(5); // <start> a thick 7 <end>
    expect(gridPixels(gen.shadowRoot!.querySelector('dl-image-grid.guided'))).not.toBeNull();
  });

  it('w = 1 follows the conditional prediction and w = 0 the unconditional one', async () => {
    const gen = cell<DlT2iGenerate>('dl-t2i-generate');
    for (const w of [1, 0]) {
      t2iStore.set({ w });
      await gen.updateComplete;
      await gen.settled();
      const f = gen.frames[0]!; // the first step: the same x_T, so the guided x̂0 is that prediction's
      const other = w === 1 ? f.conditional! : f.unconditional!;
      let maxDiff = 0;
      for (let i = 0; i < f.image.length; i++) maxDiff = Math.max(maxDiff, Math.abs(f.image[i]! - other[i]!));
      expect(maxDiff).toBeLessThan(1e-3);
    }
    t2iStore.set({ w: 3 });
  });

  it('answers any prompt with a picture, and says so when a prompt is too long', async () => {
    const tok = cell<DlT2iTokens>('dl-t2i-tokens');
    for (const prompt of [
      '',
      '😀🐴🚀',
      'مرحبا seven',
      '<script>window.__pwned = 1</script><b>7</b>',
      'x'.repeat(10_000),
    ]) {
      const gen = await draw(prompt);
      expect(gen.frames.length, JSON.stringify(prompt.slice(0, 20))).toBe(20);
      await tok.updateComplete;
      expect(tok.shadowRoot!.querySelector('textarea')!.value.startsWith(prompt.slice(0, 300))).toBe(true);
    }
    // the long prompt: cut, and the cut said in words; the markup was shown as text, never run
    expect(tok.shadowRoot!.querySelector('p.error')!.textContent!.replace(/\s+/g, ' ')).toMatch(
      /too long: the last \d+ tokens were cut off/,
    );
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    await draw('a thick 7');
  }, 300_000);

  it('compares the prompt with other prompts and ranks test digits by the text encoder', async () => {
    const c = cell<DlT2iClip>('dl-t2i-clip');
    const r = await waitFor(() => c.result, 'the similarities', 120_000);
    expect(r.prompts.length).toBe(9);
    for (const s of r.prompts) expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-5);
    // ranked best first
    for (let i = 1; i < r.scores.length; i++) expect(r.scores[i]!).toBeLessThanOrEqual(r.scores[i - 1]!);
  });

  it('charts the measured adherence against guidance, the live setting marked, the label twin beside it', async () => {
    const curve = cell<DlT2iCurve>('dl-t2i-curve');
    await waitFor(() => curve.data && curve.labelData, 'both evaluations', 30_000);
    await curve.updateComplete;
    const plot = curve.shadowRoot!.querySelector<DlLinePlot>('dl-line-plot.adherence')!;
    const names = plot.series.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['digit', 'thickness', 'digit, label model']));
    const unseen = curve.data!.rows.filter((r) => r.family === 'unseen');
    const digit = plot.series.find((x) => x.name === 'digit')!;
    expect(digit.x).toEqual(unseen.map((r) => r.guidance).sort((a, b) => a - b));
    expect(plot.marker).toBe(t2iStore.values.w);
    const twin = plot.series.find((x) => x.name === 'thickness, label model')!;
    expect(Array.from(twin.y).every((v) => v > 0 && v < 0.6)).toBe(true); // no word reaches it: near a third
  });

  it('draws the second prompt from the same noise', async () => {
    const s = cell<DlT2iSwap>('dl-t2i-swap');
    const imgs = await waitFor(() => s.images, 'the two drawings', 180_000);
    expect(imgs[0].length).toBe(4 * 784);
    expect(imgs[1].length).toBe(4 * 784);
  });

  it("keeps the worker's tensor count stable over 100 prompt changes", async () => {
    const rpc = await inferenceWorker();
    const run = async (prompt: string) => {
      for await (const f of textToImageInWorker({
        prompt,
        negative: 'thin',
        guidance: 2,
        n: 1,
        seed: 3,
        steps: 2,
        inspect: true,
        previews: true,
      }))
        void f;
    };
    await run('warm up');
    const before = await rpc.call(rpc.api.numTensors());
    for (let i = 0; i < 100; i++)
      await run(`${i} ${'thick '.repeat(i % 7)}${String.fromCodePoint(0x1f600 + i)}`);
    expect(await rpc.call(rpc.api.numTensors())).toBe(before);
  }, 300_000);

  it('shows any typed text as tokens, never as markup (fuzzed)', async () => {
    const tok = cell<DlT2iTokens>('dl-t2i-tokens');
    const box = tok.shadowRoot!.querySelector('textarea')!;
    const typed = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom(
        '<img src=x onerror="window.__pwned=2">',
        '<start><end><pad>',
        '\u202Eseven',
        '%E0%A4%A',
      ),
    );
    await fc.assert(
      fc.asyncProperty(typed, async (text) => {
        box.value = text;
        box.dispatchEvent(new Event('input'));
        await tok.updateComplete;
        const e = tok.encoding!;
        const chips = [...tok.shadowRoot!.querySelectorAll('ol li .tok')].map((c) => c.textContent);
        expect(chips).toEqual(e.tokens.slice(0, e.length));
        expect(tok.shadowRoot!.querySelectorAll('img, script, b, iframe').length).toBe(0);
      }),
      { numRuns: 150 },
    );
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    box.value = 'a thick 7';
    box.dispatchEvent(new Event('change'));
  });

  it('raised no errors', () => {
    expect(errors).toEqual([]);
  });
});
