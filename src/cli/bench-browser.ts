/**
 * Browser benchmarks: a Vite dev server and headless Chromium (Debian's), driven by Playwright.
 * Forward lesson: script time per slider move with the 64-digit grid, its histogram and the schedule charts.
 */
import { chromium, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { chromiumArgs, findChromium } from './chromium.mjs';

export interface Stats {
  median: number;
  p95: number;
  max: number;
  n: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1]!, n: s.length };
}

export async function withBrowserPage<T>(fn: (page: Page, base: string) => Promise<T>): Promise<T | null> {
  const exe = findChromium();
  if (!exe) {
    console.log('browser benchmarks skipped: no Chromium (apt-get install chromium, or set CHROMIUM_PATH)');
    return null;
  }
  let server: ViteDevServer | null = null;
  const browser = await chromium.launch({ executablePath: exe, args: chromiumArgs });
  try {
    // no file watching: an edit elsewhere in the checkout must not reload the page under a long measurement
    server = await createServer({ server: { port: 0, watch: null }, logLevel: 'error' });
    await server.listen();
    const base = server.resolvedUrls!.local[0]!;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // tsx (esbuild keepNames) wraps functions passed to page.evaluate in __name(): give the page one.
    await page.addInitScript('globalThis.__name = (f) => f');
    return await fn(page, base);
  } finally {
    await browser.close();
    await server?.close();
  }
}

/** Script time (ms) from a slider move until every cell on the page has re-rendered, over `moves` moves. */
export async function benchForwardScrub(page: Page, base: string, moves = 200): Promise<Stats> {
  await page.goto(`${base}#/forward?t=0&backend=wasm`);
  await page.waitForFunction(
    () => {
      const c = document
        .querySelector('dl-forward-explorer')
        ?.shadowRoot?.querySelector('dl-image-grid')
        ?.shadowRoot?.querySelector('canvas');
      return !!c && c.width > 100;
    },
    null,
    { timeout: 60_000 },
  );
  const times = await page.evaluate(async (n) => {
    type Updatable = HTMLElement & { updateComplete: Promise<unknown> };
    const explorer = document.querySelector('dl-forward-explorer') as Updatable;
    const charts = document.querySelector('dl-schedule-charts') as Updatable;
    const input = explorer.shadowRoot!.querySelector('dl-slider')!.shadowRoot!.querySelector('input')!;
    const deep = (root: ParentNode): Updatable[] =>
      [...root.querySelectorAll('*')].flatMap((e) =>
        'updateComplete' in e ? [e as Updatable, ...deep((e as Element).shadowRoot ?? e)] : [],
      );
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      input.value = String((i * 997) % 1000);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await explorer.updateComplete;
      await charts.updateComplete;
      await Promise.all(
        [...deep(explorer.shadowRoot!), ...deep(charts.shadowRoot!)].map((e) => e.updateComplete),
      );
      out.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return out;
  }, moves);
  return stats(times);
}

/** Train/denoise timings of one backend inside the page (src/cli/bench-page.ts). */
export function benchInPage(
  page: Page,
  base: string,
  backend: string,
  preset: string,
  batch: number,
  steps: number,
): Promise<unknown> {
  return callBenchPage(page, base, backend, 'benchBackend', [backend, preset, batch, steps]);
}

/** The latent lesson's sampling (16 digits, `steps` DDIM steps, decoded) on one backend inside the page. */
export function benchLatentInPage(
  page: Page,
  base: string,
  backend: string,
  steps: number,
  repeats: number,
): Promise<unknown> {
  return callBenchPage(page, base, backend, 'benchLatentSampling', [backend, steps, repeats]);
}

/** The text-to-image lesson's drawing in the page (bench-page.ts benchTextToImage). */
export function benchTextToImageInPage(
  page: Page,
  base: string,
  backend: string,
  steps: number,
  repeats: number,
): Promise<unknown> {
  return callBenchPage(page, base, backend, 'benchTextToImage', [backend, steps, repeats]);
}

/** Open the app on `backend`, then call one export of src/cli/bench-page.ts inside the page. */
async function callBenchPage(
  page: Page,
  base: string,
  backend: string,
  fn: keyof typeof import('./bench-page'),
  args: unknown[],
): Promise<unknown> {
  // the page starts this backend too, so the app's own start-up cannot switch it under the bench
  await page.goto(`${base}#/?backend=${backend}`);
  return page.evaluate(
    async ([f, a]) => {
      const path = '/src/cli/bench-page.ts'; // served by the Vite dev server
      const m = (await import(/* @vite-ignore */ path)) as Record<string, (...x: unknown[]) => unknown>;
      return m[f as string]!(...(a as unknown[]));
    },
    [fn, args] as const,
  );
}

/**
 * The faster-sampling lesson as a student meets it: open it at 20 steps on WASM and time its DDIM run
 * (16 digits, 20 network calls, including reading the frames back), as the lesson itself reports it.
 */
export async function benchSamplingLesson(
  page: Page,
  base: string,
): Promise<{ ddimMs: number; ddpmMs: number; dpmMs: number; device: string }> {
  await page.goto(`${base}#/faster-sampling?steps=20&eta=0&seed=0&backend=wasm`);
  await page.waitForFunction(
    () => {
      const r = (
        document.querySelector('dl-sampler-race') as unknown as { results?: Record<string, unknown> }
      )?.results;
      return !!r?.ddpm && !!r.ddim && !!r['dpm++'];
    },
    null,
    { timeout: 300_000, polling: 200 },
  );
  return page.evaluate(() => {
    const el = document.querySelector('dl-sampler-race') as unknown as {
      results: Record<string, { ms: number }>;
    };
    const chip = document.querySelector('dl-backend-chip');
    return {
      ddimMs: el.results.ddim!.ms,
      ddpmMs: el.results.ddpm!.ms,
      dpmMs: el.results['dpm++']!.ms,
      device: (chip as unknown as { info?: { device?: string } })?.info?.device ?? '',
    };
  });
}

/**
 * Main-thread long tasks (> 50 ms) of a lesson: from the moment `from()` holds in the page (its model is
 * loaded and its cells are drawn: opening the page, parsing its code and decoding weights come before)
 * until `ready()` holds (the cells' runs are done). The longest and their total; a lesson whose longest
 * task stays under 100 ms while it samples never feels frozen.
 */
export async function benchLongTasks(
  page: Page,
  base: string,
  hash: string,
  from: string,
  ready: string,
  timeoutMs = 300_000,
): Promise<{ longestMs: number; totalMs: number; count: number; seconds: number }> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; ms: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${base}${hash}`);
  await page.waitForFunction(from, null, { timeout: timeoutMs, polling: 50 });
  const since = await page.evaluate(() => performance.now());
  const t0 = performance.now();
  await page.waitForFunction(ready, null, { timeout: timeoutMs, polling: 250 });
  const seconds = (performance.now() - t0) / 1000;
  const tasks = (
    await page.evaluate(
      () => (window as unknown as { __longTasks: { start: number; ms: number }[] }).__longTasks,
    )
  )
    .filter((t) => t.start >= since)
    .map((t) => t.ms);
  return {
    longestMs: Math.max(0, ...tasks),
    totalMs: tasks.reduce((a, b) => a + b, 0),
    count: tasks.length,
    seconds,
  };
}
