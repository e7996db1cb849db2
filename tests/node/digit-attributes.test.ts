import { describe, expect, it } from 'vitest';
import { measureDigit, skeletonLength, thin } from '../../src/data/digit-attributes';

/** A bar of `w` whole pixels across and `len` rows, sheared so that it leans `deg` degrees right. */
function bar(w: number, len: number, deg = 0, n = 28): Float32Array {
  const img = new Float32Array(n * n);
  const s = Math.tan((deg * Math.PI) / 180);
  const top = Math.floor((n - len) / 2);
  for (let r = 0; r < len; r++) {
    const y = top + r;
    const left = Math.round(n / 2 - w / 2 - s * (y - n / 2)); // leaning right: higher rows further right
    for (let x = left; x < left + w; x++) img[y * n + x] = 1;
  }
  return img;
}

describe('digit attributes measured from pixels', () => {
  it('thinning leaves a one-pixel line as long as the bar, less about its width', () => {
    for (const w of [1, 3, 5]) {
      const mask = Uint8Array.from(bar(w, 20), (v) => (v >= 0.5 ? 1 : 0));
      const skel = thin(mask, 28);
      // one pixel per row where the skeleton is
      const rows = new Set<number>();
      let pixels = 0;
      skel.forEach((v, i) => {
        if (!v) return;
        pixels++;
        rows.add(Math.floor(i / 28));
      });
      expect(pixels).toBe(rows.size);
      expect(skeletonLength(skel, 28)).toBeGreaterThanOrEqual(20 - w - 1);
      expect(skeletonLength(skel, 28)).toBeLessThanOrEqual(20);
    }
  });

  it('measures the width of upright bars of known thickness within 10%, and orders them', () => {
    let last = 0;
    for (const w of [1, 2, 3, 4, 5, 6]) {
      const t = measureDigit(bar(w, 20)).thickness;
      expect(Math.abs(t - w) / w).toBeLessThan(0.1);
      expect(t).toBeGreaterThan(last);
      last = t;
    }
  });

  it('measures slanted bars: the slant within 2 degrees, the width across the stroke within 20%', () => {
    for (const deg of [-25, -10, 10, 25])
      for (const w of [2, 4]) {
        const a = measureDigit(bar(w, 20, deg));
        expect(Math.abs(a.slant - deg)).toBeLessThan(2);
        // the bar is w pixels wide along a row, w·cos(angle) across the stroke
        const across = w * Math.cos((deg * Math.PI) / 180);
        expect(Math.abs(a.thickness - across) / across).toBeLessThan(0.2);
      }
  });

  it('an upright bar has no slant, its bounding box and its centre where it was drawn', () => {
    const a = measureDigit(bar(4, 20));
    expect(a.slant).toBeCloseTo(0, 6);
    expect(a.width).toBe(4);
    expect(a.height).toBe(20);
    expect(a.area).toBe(80);
    expect(a.cx).toBeCloseTo(13.5, 6); // columns 12..15
    expect(a.cy).toBeCloseTo(13.5, 6); // rows 4..23
  });

  it('reads bytes and [0, 1] floats alike, and gives an empty image zeros, not NaN', () => {
    const f = bar(3, 18, 12);
    const b = Uint8Array.from(f, (v) => v * 255);
    expect(measureDigit(b)).toEqual(measureDigit(f));
    const empty = measureDigit(new Float32Array(784));
    for (const v of Object.values(empty)) expect(Number.isFinite(v)).toBe(true);
    expect(empty.thickness).toBe(0);
  });
});
