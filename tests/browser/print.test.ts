// Printing a lesson as a handout, in real Chromium: print layout on A4, then a PDF.
import { commands } from 'vitest/browser';
import { describe, expect, it } from 'vitest';
import type { PrintReport } from '../../scripts/print-lesson';

declare module 'vitest/browser' {
  interface BrowserCommands {
    printLesson(hash: string, ready: string): Promise<PrintReport>;
  }
}

describe('a printed lesson', () => {
  it('the forward lesson prints without controls, toolbar or teacher notes, every formula inside the page', async () => {
    const r = await commands.printLesson(
      '#/forward?t=300&backend=wasm',
      `(() => { const e = document.querySelector('dl-forward-explorer'); return !!e && !!e.shadowRoot && !!e.shadowRoot.querySelector('dl-image-grid') && document.querySelectorAll('dl-quiz').length > 0; })()`,
    );
    expect(r.controls).toEqual([]);
    expect(r.chrome).toBe(false);
    expect(r.teacherText).toBe(0);
    expect(r.formulas).toBeGreaterThanOrEqual(4); // q(x_t | x_{t-1}), the jump in two lines, the SNR
    expect(r.wideTex).toEqual([]);
    expect(r.wideFormulas).toBe(0);
    expect(r.pages).toBeGreaterThan(1);
    expect(r.pdfBytes).toBeGreaterThan(10_000);
  }, 180_000);
});
