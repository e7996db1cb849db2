import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import { LESSONS } from '../../lessons/manifest';
import { currentProjector, setProjector } from '../../src/notebook/theme';
import { loadBrowserCheckpoint, saveBrowserCheckpoint } from '../../src/train/idb-checkpoints';
import { collectErrors, differingPixels, gridPixels, nextFrame, waitFor, mountApp } from './helpers';

const errors = collectErrors();
let app: DlApp;

const lessonPage = () => app.querySelector('dl-lesson-page');
const explorer = () => app.querySelector('dl-forward-explorer');
const xr = () => explorer()?.shadowRoot;
const grid = () => xr()?.querySelector('dl-image-grid');
const rangeInput = () => xr()?.querySelector('dl-slider')?.shadowRoot?.querySelector('input');

/** Wait until the explorer and its grid have rendered everything pending (Lit: updateComplete is true). */
async function settled() {
  for (let i = 0; i < 50; i++) {
    const e = explorer() as (HTMLElement & { updateComplete: Promise<boolean> }) | null;
    const g = grid() as (HTMLElement & { updateComplete: Promise<boolean> }) | null | undefined;
    if (e && g && (await e.updateComplete) && (await g.updateComplete)) return;
    await nextFrame();
  }
}

async function openLesson(hash: string) {
  location.hash = hash;
  const t = new URLSearchParams(hash.split('?')[1]).get('t');
  await waitFor(
    () => gridPixels(grid()) && (t === null || rangeInput()?.value === t),
    `the lesson at ${hash}`,
    60_000,
  );
  await settled();
}

beforeAll(async () => {
  app = mountApp('#/');
  await app.updateComplete;
});

afterAll(() => app.remove());

describe('home page', () => {
  it('lists the lessons with what you learn and minutes, the ready ones linked', async () => {
    const cards = await waitFor(() => {
      const c = app.querySelectorAll('.lesson-card');
      return c.length > 0 && c;
    }, 'lesson cards');
    expect(cards.length).toBeGreaterThanOrEqual(9);
    const forward = cards[1]!;
    expect(cards[0]!.querySelector('a')?.getAttribute('href')).toBe('#/2d');
    expect(forward.querySelector('a')?.getAttribute('href')).toBe('#/forward');
    expect(forward.textContent).toMatch(/controlled destruction/);
    expect(forward.textContent).toMatch(/about 15 min/);
    const ready = LESSONS.filter((l) => l.load).length;
    expect(ready).toBeGreaterThanOrEqual(3);
    expect(app.querySelectorAll('.lesson-card.planned').length).toBe(cards.length - ready);
    expect(app.querySelectorAll('.lesson-card a').length).toBe(ready);
  });

  it('clears everything the course stored for the next class: settings, backend choice, saved training, caches', async () => {
    setProjector(true);
    localStorage.setItem('dl-backend-choice', '{"test":1}');
    const cache = await caches.open('dl-test-cache');
    await cache.put('/test-entry', new Response('x'));
    await saveBrowserCheckpoint('test-clear', new Uint8Array([1, 2, 3]));
    expect(await loadBrowserCheckpoint('test-clear')).not.toBeNull();
    const home = app.querySelector('dl-home')!;
    await home.clear(() => false); // the teacher said no: nothing changes
    expect(currentProjector()).toBe(true);
    await home.clear(() => true);
    expect(currentProjector()).toBe(false);
    expect(document.documentElement.classList.contains('projector')).toBe(false);
    expect(await loadBrowserCheckpoint('test-clear')).toBeNull();
    expect(Object.keys(localStorage).filter((k) => k.startsWith('dl-'))).toEqual([]);
    expect(await caches.keys()).toEqual([]);
    await home.updateComplete;
    expect(home.querySelector('.reset [role="status"]')!.textContent).toContain('Cleared');
    expect(home.querySelector<HTMLButtonElement>('button.clear-data')).not.toBeNull();
  });

  it('loads no TF.js on the home page; with the first lesson the chip shows the backend chosen by speed, each candidate measured', async () => {
    const chip = app.querySelector('dl-backend-chip')!;
    await chip.updateComplete;
    expect(chip.info).toBeNull();
    expect(chip.shadowRoot!.textContent).toContain('TF.js not loaded');
    location.hash = '#/forward';
    await waitFor(() => chip.info, 'the backend to start', 120_000);
    const measured = chip.info!.measured!;
    expect(measured.length).toBeGreaterThanOrEqual(2);
    expect(chip.info!.name).toBe(measured[0]!.name);
    await chip.updateComplete;
    expect(chip.shadowRoot!.textContent).toContain(chip.info!.name);
    expect(chip.shadowRoot!.querySelectorAll('ul.measured li').length).toBe(measured.length);
  });
});

describe('the forward-process lesson', () => {
  it('renders prose, math and live cells from the URL', async () => {
    await openLesson('#/forward?t=300&schedule=cosine&seed=3');
    const page = lessonPage()!;
    expect(page.querySelector('h1')?.textContent).toMatch(/forward process/i);
    expect(page.querySelectorAll('.katex').length).toBeGreaterThan(20);
    expect(page.textContent).not.toMatch(/\$\w/); // no raw TeX left
    expect(page.querySelector('dl-schedule-charts')).not.toBeNull();
    expect(page.querySelector('dl-chain-vs-jump')).not.toBeNull();
    // the state in the URL is what the controls show
    expect(rangeInput()!.value).toBe('300');
    expect((xr()!.querySelector('select.schedule') as HTMLSelectElement).value).toBe('cosine');
    expect((xr()!.querySelector('input.seed') as HTMLInputElement).value).toBe('3');
  });

  it('moving the slider (by keyboard) changes the rendered pixels and the URL', async () => {
    await openLesson('#/forward?t=100&schedule=linear&seed=0');
    const before = gridPixels(grid())!;
    const input = rangeInput()!;
    input.focus();
    await userEvent.keyboard('{End}{ArrowLeft}');
    await settled();
    const t = Number(input.value);
    expect(t).toBe(999); // End: t = T = 1000, then one step back
    const after = gridPixels(grid())!;
    expect(differingPixels(before, after)).toBeGreaterThan(1000);
    await waitFor(() => location.hash.includes(`t=${t}`), 'the URL to follow the slider', 2000);
  });

  it('keyboard shortcuts still work with a slider focused, not while typing in a number field', async () => {
    await openLesson('#/forward?t=100&schedule=linear&seed=0');
    const input = rangeInput()!;
    input.focus();
    const was = currentProjector();
    await userEvent.keyboard('p'); // the slider has focus: "p" toggles projector mode
    expect(currentProjector()).toBe(!was);
    await userEvent.keyboard('p');
    expect(currentProjector()).toBe(was);
    const seed = app
      .querySelector('dl-forward-explorer')!
      .shadowRoot!.querySelector<HTMLInputElement>('input[type="number"]')!;
    seed.focus();
    await userEvent.keyboard('p'); // typing in a number field is not a shortcut
    expect(currentProjector()).toBe(was);
  });

  it('every cell has a copy-link button; its link opens the same view at that cell', async () => {
    await openLesson('#/forward?t=321&seed=4');
    const links = [...app.querySelectorAll<HTMLButtonElement>('article .cell-link button')];
    const cells = [
      ...app.querySelectorAll(
        'article dl-forward-explorer, article dl-chain-vs-jump, article dl-schedule-charts',
      ),
    ];
    expect(links.length).toBe(cells.length);
    const charts = app.querySelector('article dl-schedule-charts')!;
    const button = charts.nextElementSibling!.querySelector('button')!;
    button.click();
    const link = new URL(button.dataset.link!);
    const q = new URLSearchParams(link.hash.split('?')[1]);
    expect(q.get('t')).toBe('321');
    expect(q.get('seed')).toBe('4');
    expect(q.get('cell')).toBe('dl-schedule-charts');
    // opening that link puts the cell on screen
    const other = mountApp(link.hash);
    try {
      const target = await waitFor(
        () => other.querySelector<HTMLElement>('article dl-schedule-charts[tabindex="-1"]'),
        'the linked cell',
        60_000,
      );
      await waitFor(() => document.activeElement === target, 'the cell to take focus');
      const r = target.getBoundingClientRect();
      expect(r.top).toBeLessThan(innerHeight);
      expect(r.bottom).toBeGreaterThan(0);
    } finally {
      other.remove();
    }
  });

  it('at t = 0 the grid shows the clean digits, at t = T = 1000 noise of unit spread', async () => {
    await openLesson('#/forward?t=0&seed=5');
    const clean = gridPixels(grid())!;
    // clean MNIST: mostly black background, some white ink, few greys
    let black = 0;
    for (let i = 0; i < clean.length; i += 4) if (clean[i]! < 8) black++;
    expect(black / (clean.length / 4)).toBeGreaterThan(0.6);
    const readout = xr()!.querySelector('.readout')!.textContent!.replace(/\s+/g, ' ');
    expect(readout).toMatch(/= 1\.000 · x ?0 \+ 0\.000 · ε · signal-to-noise ratio ∞/);
    await openLesson('#/forward?t=1000&seed=5');
    const noise = gridPixels(grid())!;
    let dark = 0;
    for (let i = 0; i < noise.length; i += 4) if (noise[i]! < 8) dark++;
    // pure N(0,1) noise mapped from [-1,1]: P(x < -0.94) ≈ 0.17, plus the gaps between images
    expect(dark / (noise.length / 4)).toBeLessThan(0.35);
  });

  it('restores the exact view from a shared link (same seed, same picture)', async () => {
    await openLesson('#/forward?t=420&schedule=sigmoid&ztsnr=1&seed=11');
    const a = gridPixels(grid())!;
    await openLesson('#/forward?t=10&seed=2');
    await openLesson('#/forward?t=420&schedule=sigmoid&ztsnr=1&seed=11');
    expect(differingPixels(a, gridPixels(grid())!)).toBe(0);
    expect((xr()!.querySelector('input.ztsnr') as HTMLInputElement).checked).toBe(true);
  });

  it('the chain of small steps and the one jump agree (KS test) when run in the page', async () => {
    await openLesson('#/forward?t=150&seed=1');
    const cell = app.querySelector('dl-chain-vs-jump')!;
    const button = await waitFor(() => {
      const b = cell.shadowRoot?.querySelector<HTMLButtonElement>('button.run');
      return b && !b.disabled && b;
    }, 'the run button');
    expect(button.textContent).toMatch(/150 small steps/); // x_150: 150 steps from x_0
    button.click();
    const verdict = await waitFor(() => cell.shadowRoot?.querySelector('.verdict'), 'the result', 60_000);
    expect(verdict.textContent).toMatch(/the same distribution/);
    expect(gridPixels(cell.shadowRoot!.querySelector('dl-image-grid.chain'))).not.toBeNull();
  });

  it('Play sweeps t forward, and Pause stops it', async () => {
    await openLesson('#/forward?t=0');
    const play = xr()!.querySelector<HTMLButtonElement>('button.play')!;
    play.click();
    await waitFor(() => Number(rangeInput()!.value) > 50, 't to advance');
    play.click();
    await nextFrame();
    const stopped = Number(rangeInput()!.value);
    await new Promise((r) => setTimeout(r, 200));
    expect(Number(rangeInput()!.value)).toBe(stopped);
  });

  it('shows the schedule charts with a marker that follows t', async () => {
    await openLesson('#/forward?t=500&schedule=linear');
    const charts = app.querySelector('dl-schedule-charts')!;
    const plot = await waitFor(
      () => charts.shadowRoot?.querySelector('dl-line-plot.coefficients'),
      'the chart',
    );
    await waitFor(() => plot.shadowRoot?.querySelector('svg'), 'the chart svg');
    expect(plot.shadowRoot!.querySelector('.readout')!.textContent).toMatch(/t = 500: ᾱ_t = 0\.07/);
  });

  it('the check at the end gives feedback on a wrong and on the right answer, through the radios and the button', async () => {
    await openLesson('#/forward?t=100&seed=0');
    const quiz = app.querySelector('dl-quiz')!;
    const sr = quiz.shadowRoot!;
    expect(sr.querySelector('legend')!.textContent).toContain('step 700');
    const radios = [...sr.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
    expect(radios.length).toBe(3);
    const check = sr.querySelector<HTMLButtonElement>('button')!;
    expect(check.disabled).toBe(true); // nothing chosen yet
    radios[1]!.click();
    await (quiz as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    check.click();
    await (quiz as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(sr.querySelector('[role="status"]')!.textContent).toMatch(/Not quite\. There is no network/);
    radios[0]!.click();
    await (quiz as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    check.click();
    await (quiz as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(sr.querySelector('[role="status"]')!.textContent).toMatch(/Right\. The small Gaussian steps/);
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('navigation', () => {
  it('an unknown lesson says so and links home', async () => {
    location.hash = '#/no-such-lesson';
    const err = await waitFor(() => app.querySelector('dl-lesson-page .error'), 'the error');
    expect(err.textContent).toMatch(/no lesson called/);
    expect(err.querySelector('a')?.getAttribute('href')).toBe('#/');
  });

  it('an address naming a backend that does not exist says so in the chip, and the app still runs', async () => {
    const other = mountApp('#/forward?backend=quantum');
    try {
      const chip = await waitFor(() => other.querySelector('dl-backend-chip'), 'the chip');
      await waitFor(() => chip.info, 'the backend', 120_000);
      expect(chip.info!.unknownRequest).toBe('quantum');
      await chip.updateComplete;
      expect(chip.shadowRoot!.textContent).toMatch(/called\s+quantum, which does not exist/);
    } finally {
      other.remove();
    }
  });
});
