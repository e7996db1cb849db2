/**
 * Cold loads of the built site, lesson by lesson (part of `npm run bench`): the production build served
 * from localhost with the preview's headers, each lesson opened in a fresh browser profile (empty cache, no
 * service worker) on WASM, timed from navigation to its first usable control (the first enabled input,
 * button or select inside a live cell), with the bytes the page had received by then (its resource timing)
 * and once the page is quiet (every response, workers' included).
 */
import { chromium } from 'playwright';
import { build } from 'vite';
import { chromiumArgs, findChromium } from './chromium.mjs';
import { serveBuild } from './static-server.mjs';

export interface LessonLoad {
  lesson: string;
  /** Navigation to the first usable control, ms. */
  usableMs: number;
  /** Bytes received by then, and after the page went quiet (models loaded). */
  usableBytes: number;
  quietBytes: number;
}

/** The home page and every ready lesson of the build, cold. */
export async function benchLessonLoads(): Promise<LessonLoad[] | null> {
  const exe = findChromium();
  if (!exe) return null;
  const out = '.cache/bench-dist';
  await build({ logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  const served = await serveBuild(out);
  const base = served.origin;
  const browser = await chromium.launch({ executablePath: exe, args: chromiumArgs });
  const results: LessonLoad[] = [];
  try {
    const probe = await browser.newPage();
    await probe.goto(`${base}/`);
    await probe.waitForSelector('.lesson-list a[href^="#/"]');
    const ids = await probe.evaluate(() =>
      [...document.querySelectorAll('.lesson-list a[href^="#/"]')].map((a) =>
        a.getAttribute('href')!.slice(2),
      ),
    );
    await probe.close();
    for (const lesson of ['', ...ids]) {
      const context = await browser.newContext({
        serviceWorkers: 'block',
        viewport: { width: 1200, height: 900 },
      });
      const page = await context.newPage();
      await page.addInitScript('globalThis.__name = (f) => f');
      let bytes = 0;
      page.on('requestfinished', (r) => {
        void r.sizes().then(
          (s) => (bytes += s.responseBodySize + s.responseHeadersSize),
          () => undefined,
        );
      });
      await page.goto(`${base}/#/${lesson}${lesson ? '?backend=wasm' : ''}`);
      const [usableMs, usableBytes] = await page.evaluate(
        () =>
          new Promise<[number, number]>((resolve) => {
            const usable = (): boolean => {
              const controls = (root: ParentNode): boolean =>
                [...root.querySelectorAll('*')].some(
                  (e) =>
                    (/^(INPUT|BUTTON|SELECT|TEXTAREA)$/.test(e.tagName) &&
                      !(e as HTMLInputElement).disabled) ||
                    (e.shadowRoot ? controls(e.shadowRoot) : false),
                );
              // a live cell: a dl- element the lesson's prose places (not the end-of-lesson quiz)
              const cells = [...document.querySelectorAll('article.lesson *')].filter(
                (e) => e.localName.startsWith('dl-') && e.localName !== 'dl-quiz',
              );
              // the home page has no cells: its first lesson link is its control
              return location.hash.length > 2
                ? cells.some((c) => c.shadowRoot && controls(c.shadowRoot))
                : !!document.querySelector('.lesson-list a');
            };
            const received = () =>
              performance
                .getEntriesByType('navigation')
                .concat(performance.getEntriesByType('resource'))
                .reduce((a, e) => a + ((e as PerformanceResourceTiming).transferSize || 0), 0);
            const tick = () =>
              usable() ? resolve([performance.now(), received()]) : requestAnimationFrame(tick);
            tick();
          }),
      );
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(1000);
      results.push({ lesson: lesson || 'home', usableMs, usableBytes, quietBytes: bytes });
      await context.close();
    }
  } finally {
    await browser.close();
    served.close();
  }
  return results;
}
