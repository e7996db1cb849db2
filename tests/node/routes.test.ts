import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LESSONS, ROUTES } from '../../lessons/manifest';
import { routeStepHash } from '../../src/notebook/course';

describe('class routes', () => {
  it('every stop is a live cell of a ready lesson', () => {
    for (const r of ROUTES)
      for (const s of r.steps) {
        const lesson = LESSONS.find((l) => l.id === s.lesson);
        expect(lesson?.load, `${r.id}: ${s.lesson}`).toBeDefined();
        expect(readFileSync(`lessons/${s.lesson}/lesson.md`, 'utf8')).toContain(`<${s.cell}>`);
        expect(s.minutes).toBeGreaterThan(0);
      }
  });

  it('the minutes add up to the length the route is named for', () => {
    for (const r of ROUTES) {
      const total = r.steps.reduce((a, s) => a + s.minutes, 0);
      expect(total, r.id).toBe(Number(r.id));
      expect(r.title).toContain(`${r.id}-minute`);
    }
  });

  it('a step is a presenter-mode link to its cell', () => {
    expect(routeStepHash(ROUTES[0]!, 1)).toBe(
      `#/${ROUTES[0]!.steps[1]!.lesson}?present=1&route=45&step=2&cell=${ROUTES[0]!.steps[1]!.cell}`,
    );
  });
});
