// axe-core over the home page and every ready lesson (future ones included, from the manifest), with the
// live cells drawn: no serious or critical violation.
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSONS } from '../../lessons/manifest';
import type { DlApp } from '../../src/notebook/app';
import { mountApp, waitFor } from './helpers';

let app: DlApp;
beforeAll(async () => {
  app = mountApp('#/?backend=wasm');
  await app.updateComplete;
});
afterAll(() => app.remove());

/** Serious and critical violations on the page as it is now, one line each. */
async function violations(): Promise<string[]> {
  const r = await axe.run(document, { resultTypes: ['violations'] });
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .map((n) => JSON.stringify(n.target))
          .slice(0, 3)
          .join(', ')}`,
    );
}

describe('accessibility (axe-core)', () => {
  it('the home page', async () => {
    await waitFor(() => app.querySelector('dl-home'), 'the home page');
    expect(await violations()).toEqual([]);
  });

  for (const lesson of LESSONS.filter((l) => l.load)) {
    it(`lesson "${lesson.id}", its cells drawn`, async () => {
      location.hash = `#/${lesson.id}?backend=wasm`;
      // every live cell of the lesson is on the page and has rendered once
      await waitFor(
        () => app.querySelector('dl-lesson-page article h1')?.textContent?.trim() === lesson.title,
        `the ${lesson.id} lesson`,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 3000));
      expect(await violations(), lesson.id).toEqual([]);
    }, 120_000);
  }
});
