/** The lesson's point clouds, made once per choice (the drawn one from the drawing). */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fromInk, moons, spiral } from './toy-2d';
import type { ToyData } from './params';

/** Points in each cloud. */
export const TOY_POINTS = 2000;

export function toyPoints(kind: ToyData, drawing: Float32Array | null, seed = 1): Float32Array {
  if (kind === 'spiral') return spiral(TOY_POINTS, seed);
  if (kind === 'moons') return moons(TOY_POINTS, seed);
  if (!drawing) throw new Error('draw a shape on the pad first');
  return fromInk(drawing, 28, TOY_POINTS, seed);
}

/** The student's drawing, shared by the lesson's cells (null until something is drawn). */
export const toyDrawing = new (class extends EventTarget {
  value: Float32Array | null = null;
  set(d: Float32Array | null): void {
    this.value = d;
    this.dispatchEvent(new Event('change'));
  }
})();

/** Re-renders a cell whenever the drawing changes. */
export class DrawingController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    toyDrawing.addEventListener('change', this.onChange);
  }
  hostDisconnected(): void {
    toyDrawing.removeEventListener('change', this.onChange);
  }
}
