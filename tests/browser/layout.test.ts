// Every ready lesson (future ones included, from the manifest) fits the screens a class uses: projector
// mode at 1024x768, 1280x720 and 1920x1080, and normal mode at a phone's 390 px. No sideways scrolling, and
// no control or live cell reaching past the right edge; a formula that scrolls inside itself can be focused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { LESSONS } from '../../lessons/manifest';
import type { DlApp } from '../../src/notebook/app';
import { setProjector } from '../../src/notebook/theme';
import { mountApp, nextFrame, waitFor } from './helpers';

let app: DlApp;
beforeAll(async () => {
  app = mountApp('#/?backend=wasm');
  await app.updateComplete;
});
afterAll(async () => {
  setProjector(false);
  await page.viewport(1200, 900);
  app.remove();
});

/** Every element of the page, shadow roots included. */
function allElements(root: ParentNode = document): Element[] {
  return [...root.querySelectorAll('*')].flatMap((e) => [
    e,
    ...(e.shadowRoot ? allElements(e.shadowRoot) : []),
  ]);
}

/** What sticks out past the right edge: live cells and the controls inside them. */
function overflowing(): string[] {
  const w = innerWidth;
  return allElements()
    .filter((e) => /^(DL-|BUTTON|INPUT|SELECT|LABEL)/.test(e.tagName))
    .filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > w + 1;
    })
    .map(
      (e) =>
        `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ')[0] : ''} (right ${Math.round(e.getBoundingClientRect().right)} > ${w})`,
    );
}

const SCREENS = [
  { name: 'projector 1024x768', w: 1024, h: 768, projector: true },
  { name: 'projector 1280x720', w: 1280, h: 720, projector: true },
  { name: 'projector 1920x1080', w: 1920, h: 1080, projector: true },
  { name: 'phone 390 px', w: 390, h: 844, projector: false },
];

describe('layout on a classroom projector and a phone', () => {
  for (const lesson of LESSONS.filter((l) => l.load)) {
    it(`lesson "${lesson.id}" fits every screen`, async () => {
      location.hash = `#/${lesson.id}?backend=wasm`;
      await waitFor(
        () => app.querySelector('dl-lesson-page article h1')?.textContent?.trim() === lesson.title,
        `the ${lesson.id} lesson`,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 2000)); // the cells draw their first state
      for (const s of SCREENS) {
        await page.viewport(s.w, s.h);
        setProjector(s.projector);
        await nextFrame();
        await nextFrame();
        expect(overflowing(), `${lesson.id}, ${s.name}`).toEqual([]);
        expect(
          document.documentElement.scrollWidth,
          `${lesson.id}, ${s.name}: sideways scroll`,
        ).toBeLessThanOrEqual(innerWidth);
        // an inline formula that scrolls inside itself takes keyboard focus; one that fits does not
        const formulas = [
          ...document.querySelectorAll<HTMLElement>('article.lesson p .katex, article.lesson li .katex'),
        ];
        const scrolling = formulas.filter((k) => k.scrollWidth > k.clientWidth);
        scrollingFormulas += scrolling.length;
        expect(
          formulas.filter((k) => scrolling.includes(k) !== (k.tabIndex === 0)).map((k) => k.textContent),
          `${lesson.id}, ${s.name}: formulas focusable exactly when they scroll`,
        ).toEqual([]);
      }
    }, 120_000);
  }

  it('some formula did scroll on the phone, so the check above had something to check', () => {
    expect(scrollingFormulas).toBeGreaterThan(0);
  });
});

let scrollingFormulas = 0;
