import { LESSONS } from '../../lessons/manifest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
/** Small helpers for tests in real headless Chromium. */

/** Poll until fn returns a truthy value (or throw with the description after timeoutMs). */
export async function waitFor<T>(
  fn: () => T | null | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const nextFrame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

/** Collects console errors and uncaught errors from the moment it is called. */
export function collectErrors(): string[] {
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
    orig.apply(console, args);
  };
  window.addEventListener('error', (e) => errors.push(`uncaught: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) =>
    errors.push(`unhandled rejection: ${String(e.reason)}`),
  );
  return errors;
}

/** Pixels of the canvas inside a dl-image-grid. */
export function gridPixels(grid: Element | null | undefined): Uint8ClampedArray | null {
  const c = grid?.shadowRoot?.querySelector('canvas');
  if (!c || c.width < 2 || c.height < 2) return null; // an empty grid is a 28x1 strip
  return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
}

export function differingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  if (a.length !== b.length)
    throw new Error(`comparing pictures of different sizes (${a.length} and ${b.length} bytes)`);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i]) n++;
  return n;
}

/** Open the app at `hash` with the course's lessons, as src/main.ts does for the page. */
export function mountApp(hash: string): DlApp {
  location.hash = hash;
  const app = document.createElement('dl-app');
  app.lessons = LESSONS;
  document.body.append(app);
  return app;
}
