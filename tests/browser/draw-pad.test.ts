// The drawing pad under any sequence of pointer events (fuzzed with fast-check): strokes starting or
// ending outside it, moves without a press, presses without a release, far-away coordinates. Whatever
// happens, every drawing it reports is 28x28 values in [-1, 1], and nothing throws.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/widgets/draw-pad';
import type { DlDrawPad } from '../../src/widgets/draw-pad';
import { collectErrors } from './helpers';

const errors = collectErrors();
let pad: DlDrawPad;

beforeAll(async () => {
  pad = document.createElement('dl-draw-pad');
  document.body.append(pad);
  await pad.updateComplete;
});
afterAll(() => pad.remove());

const kind = fc.constantFrom('pointerdown', 'pointermove', 'pointerup', 'pointerleave');
const coord = fc.oneof(fc.double({ min: -50, max: 400, noNaN: true }), fc.constantFrom(-1e7, 1e7, 0));

describe('the drawing pad (fuzzed)', () => {
  it('reports only 784 values in [-1, 1], whatever the pointer does', () => {
    const canvas = pad.shadowRoot!.querySelector('canvas')!;
    const reports: Float32Array[] = [];
    pad.addEventListener('dl-draw', (e) => reports.push(e.data));
    fc.assert(
      fc.property(fc.array(fc.tuple(kind, coord, coord), { maxLength: 40 }), (events) => {
        reports.length = 0;
        pad.clear();
        const r = canvas.getBoundingClientRect();
        for (const [type, x, y] of events)
          canvas.dispatchEvent(
            new PointerEvent(type, { clientX: r.left + x, clientY: r.top + y, pointerId: 1, bubbles: true }),
          );
        canvas.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, bubbles: true }));
        expect(reports.length).toBeGreaterThan(0); // the clear at least
        for (const d of reports) {
          expect(d.length).toBe(784);
          expect(d.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('raised no errors', () => {
    expect(errors).toEqual([]);
  });
});
