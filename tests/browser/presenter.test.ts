// Presenter mode in real Chromium: what the address hides and locks, the teacher's notes and answers,
// Page Down from cell to cell, and axe-core clean while presenting.
import axe from 'axe-core';
import { userEvent } from 'vitest/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import { parseTargets, stepCell, studentUrl } from '../../src/notebook/presenter';
import { qrMatrix } from '../../src/widgets/qr-code';
import jsQR from 'jsqr';
import { collectErrors, mountApp, nextFrame, waitFor } from './helpers';
import { ROUTES } from '../../lessons/manifest';
import { routeStepHash } from '../../src/notebook/course';

const errors = collectErrors();
let app: DlApp;
const explorer = () => app.querySelector('dl-forward-explorer')!;
const shown = (el: Element | null) =>
  !!el && getComputedStyle(el).display !== 'none' && !(el as HTMLElement).hidden;

async function open(hash: string) {
  location.hash = hash;
  await waitFor(() => explorer()?.shadowRoot?.querySelector('dl-image-grid'), 'the forward lesson', 30_000);
  await app.updateComplete;
  // the view is applied once the cells have rendered
  for (let i = 0; i < 5; i++) await nextFrame();
}

beforeAll(async () => {
  app = mountApp('#/forward?backend=wasm');
  await open('#/forward?t=100&backend=wasm');
});
afterAll(() => {
  app.remove();
  location.hash = '#/';
});

describe('presenter mode', () => {
  it('reads hide and lock lists, ignoring anything that is not a cell or a class', () => {
    expect(parseTargets('dl-a, dl-b.seed,script,dl-c.x y,')).toEqual([
      { tag: 'dl-a' },
      { tag: 'dl-b', control: 'seed' },
    ]);
    expect(parseTargets(null)).toEqual([]);
  });

  it('walks cells forward and back, skipping hidden ones', () => {
    const cells = ['a', 'b', 'c'].map(() => document.createElement('div'));
    cells[1]!.hidden = true;
    expect(stepCell(cells, null, 1)).toBe(cells[0]);
    expect(stepCell(cells, cells[0]!, 1)).toBe(cells[2]);
    expect(stepCell(cells, cells[2]!, 1)).toBeNull();
    expect(stepCell(cells, cells[2]!, -1)).toBe(cells[0]);
  });

  it('a student link hides nothing and shows no teacher notes or answers', async () => {
    await open('#/forward?t=100&hide=dl-chain-vs-jump&backend=wasm');
    expect(document.documentElement.classList.contains('presenter')).toBe(false);
    expect(shown(app.querySelector('dl-chain-vs-jump'))).toBe(true);
    expect(shown(app.querySelector('.teacher-note'))).toBe(false);
    expect(shown(app.querySelector('.answer'))).toBe(false);
  });

  it('hides and locks exactly what the address says, and shows the notes and answers', async () => {
    await open(
      '#/forward?t=100&present=1&hide=dl-chain-vs-jump,dl-forward-explorer.seed&lock=dl-forward-explorer.schedule&backend=wasm',
    );
    const root = document.documentElement.classList;
    expect(root.contains('presenter') && root.contains('projector')).toBe(true);
    expect(shown(app.querySelector('dl-chain-vs-jump'))).toBe(false);
    const sr = explorer().shadowRoot!;
    expect(shown(sr.querySelector('input.seed')!.closest('label'))).toBe(false);
    const schedule = sr.querySelector<HTMLSelectElement>('select.schedule')!;
    expect(shown(schedule)).toBe(true);
    expect(schedule.closest('[inert]')).not.toBeNull(); // shown, but takes no input
    expect(shown(sr.querySelector('.t-slider'))).toBe(true); // not named: untouched
    expect(shown(app.querySelector('.teacher-note'))).toBe(true);
    expect(shown(app.querySelector('.answer'))).toBe(true);
    // a re-render keeps the view: move t, the seed stays hidden
    location.hash = location.hash.replace('t=100', 't=200');
    await waitFor(() => sr.querySelector('.readout')?.textContent?.includes('0.'), 'the re-render');
    for (let i = 0; i < 3; i++) await nextFrame();
    expect(shown(sr.querySelector('input.seed')!.closest('label'))).toBe(false);
  });

  it('draws the charts with thicker lines and a larger legend', async () => {
    const plot = app.querySelector('dl-schedule-charts')!.shadowRoot!.querySelector('dl-line-plot.log-snr')!;
    const line = await waitFor(() => plot.shadowRoot!.querySelector('g[stroke-width="2"] path'), 'a line');
    expect(parseFloat(getComputedStyle(line).strokeWidth)).toBeGreaterThanOrEqual(4);
    const legend = plot.shadowRoot!.querySelector('[class*="-swatches"]')!;
    expect(parseFloat(getComputedStyle(legend).fontSize)).toBeGreaterThanOrEqual(20); // 1.1rem of projector type
  });

  it('Page Down moves to the next shown cell, even from a focused slider', async () => {
    const slider = explorer().shadowRoot!.querySelector('dl-slider')!.shadowRoot!.querySelector('input')!;
    slider.focus();
    const before = slider.value;
    await userEvent.keyboard('{PageDown}');
    expect(slider.value).toBe(before); // the clicker's key is not a slider step in presenter mode
    expect(document.activeElement?.localName).toBe('dl-schedule-charts'); // dl-chain-vs-jump is hidden
    await userEvent.keyboard('{PageUp}');
    expect(document.activeElement?.localName).toBe('dl-forward-explorer');
  });

  it('the QR code decodes back to the view, without the presenter settings', async () => {
    app.querySelector<HTMLButtonElement>('header button.class-link')!.click();
    const qr = await waitFor(() => app.querySelector('.class-link-panel dl-qr-code'), 'the QR code');
    await (qr as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    const text = (qr as HTMLElement & { text: string }).text;
    expect(text).toBe(studentUrl(location.href));
    expect(new URL(text).hash).not.toMatch(/present|hide=|lock=/);
    expect(text).toContain('t=200');
    // rasterise the modules the SVG draws (4 pixels each, quiet zone of 4 modules) and decode them
    const m = qrMatrix(text);
    const px = 4;
    const side = (m.length + 8) * px;
    const data = new Uint8ClampedArray(side * side * 4).fill(255);
    m.forEach((row, r) =>
      row.forEach((dark, c) => {
        if (!dark) return;
        for (let y = 0; y < px; y++)
          for (let x = 0; x < px; x++) {
            const i = (((r + 4) * px + y) * side + (c + 4) * px + x) * 4;
            data[i] = data[i + 1] = data[i + 2] = 0;
          }
      }),
    );
    expect(jsQR(data, side, side)?.data).toBe(text);
    // the SVG draws exactly those modules
    const path = qr.shadowRoot!.querySelector('path')!.getAttribute('d')!;
    expect(path.split('M').length - 1).toBe(m.flat().filter(Boolean).length);
    app.querySelector<HTMLButtonElement>('.class-link-panel button')!.click();
  });

  it('is clean under axe-core while presenting', async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    const bad = r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
    expect(bad).toEqual([]);
  });

  it('leaving presenter mode shows everything again', async () => {
    app.querySelector<HTMLButtonElement>('header button.present')!.click();
    await waitFor(() => !location.hash.includes('present=1') || null, 'the address without present');
    for (let i = 0; i < 3; i++) await nextFrame();
    expect(document.documentElement.classList.contains('presenter')).toBe(false);
    expect(shown(app.querySelector('dl-chain-vs-jump'))).toBe(true);
    expect(explorer().shadowRoot!.querySelector('select.schedule')!.closest('[inert]')).toBeNull();
    const plot = app.querySelector('dl-schedule-charts')!.shadowRoot!.querySelector('dl-line-plot.log-snr')!;
    expect(
      parseFloat(getComputedStyle(plot.shadowRoot!.querySelector('g[stroke-width="2"] path')!).strokeWidth),
    ).toBeLessThan(4);
  });

  it('a class route opens each stop at its cell, in presenter mode, with the way to the next', async () => {
    const r = ROUTES[0]!;
    app.routes = ROUTES;
    location.hash = routeStepHash(r, 0);
    await waitFor(() => app.querySelector('.route-bar'), 'the route bar', 30_000);
    expect(app.querySelector('.route-bar')!.textContent!.replace(/\s+/g, ' ')).toContain(
      `Step 1 of ${r.steps.length}`,
    );
    expect(document.documentElement.classList.contains('presenter')).toBe(true);
    await waitFor(
      () => document.activeElement?.localName === r.steps[0]!.cell || null,
      'the first stop focused',
      30_000,
    );
    app.querySelector<HTMLAnchorElement>('.route-bar a.route-next')!.click();
    await waitFor(
      () => document.activeElement?.localName === r.steps[1]!.cell || null,
      'the second stop focused',
      30_000,
    );
    expect(app.querySelector('.route-bar')!.textContent).toContain('Step 2');
  });

  it('raised no errors', () => {
    expect(errors).toEqual([]);
  });
});
