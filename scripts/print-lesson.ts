/**
 * A Vitest browser command (vitest.config.ts): open a lesson in a page of its own, lay it out as print
 * does on A4 (print media, the printable width), report what would be wrong on a handout, and print it
 * to PDF with Chromium. Used by tests/browser/print.test.ts.
 */
import { createServer } from 'vite';
import type { BrowserCommand } from 'vitest/node';

/** A4 at 96 dpi, less Chromium's default margins of about 1 cm on each side. */
const PRINTABLE = { width: 718, height: 1047 };

export interface PrintReport {
  /** Controls (buttons, inputs, sliders, selects) that would print. */
  controls: string[];
  /** Display formulas wider than the printable width. */
  wideFormulas: number;
  /** The TeX of those formulas (for the message when the check fails). */
  wideTex: string[];
  formulas: number;
  /** The header toolbar or the footer would print. */
  chrome: boolean;
  /** Text of teacher notes or answers that would print (none: the handout is the students'). */
  teacherText: number;
  pages: number;
  pdfBytes: number;
}

export const printLesson: BrowserCommand<[hash: string, ready: string]> = async (ctx, hash, ready) => {
  // the app as a student gets it, from a plain Vite dev server (the test runner's own server instruments
  // modules for the test frame, which a separate page cannot use)
  const server = await createServer({ server: { port: 0, watch: null }, logLevel: 'error' });
  await server.listen();
  const origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  const page = await ctx.context.newPage();
  try {
    await page.setViewportSize(PRINTABLE);
    await page.goto(`${origin}/index.html${hash}`);
    await page.waitForFunction(ready, null, { timeout: 120_000 }).catch(async (e: Error) => {
      const body = await page.evaluate(() => document.body.outerHTML.slice(0, 1500).replace(/\n/g, ' '));
      throw new Error(`${e.message}; the page at ${page.url()}: ${body}`);
    });
    await page.emulateMedia({ media: 'print' });
    // KaTeX's fonts: measured before they load, a formula is laid out in a wider fallback font
    await page.evaluate(async () => {
      await document.fonts.ready;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });
    const report = await page.evaluate(() => {
      const visible = (e: Element) => {
        const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
      };
      const controls: string[] = [];
      const walk = (root: Document | ShadowRoot) => {
        for (const e of root.querySelectorAll('*')) {
          if (/^(BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName) && visible(e))
            controls.push(`${e.tagName.toLowerCase()}.${e.className}`);
          if (e.shadowRoot) walk(e.shadowRoot);
        }
      };
      walk(document);
      const formulas = [...document.querySelectorAll<HTMLElement>('.katex-display')];
      const width = document.querySelector('article.lesson')!.getBoundingClientRect().right;
      const wide = formulas.filter(
        (f) => f.scrollWidth > f.clientWidth + 1 || f.getBoundingClientRect().right > width + 1,
      );
      return {
        controls,
        wideTex: wide.map((f) => f.querySelector('annotation')?.textContent?.slice(0, 60) ?? '?'),
        formulas: formulas.length,
        wideFormulas: formulas.filter(
          (f) => f.scrollWidth > f.clientWidth + 1 || f.getBoundingClientRect().right > width + 1,
        ).length,
        chrome: [...document.querySelectorAll('.topbar, .footer')].some(visible),
        teacherText: [...document.querySelectorAll('.teacher-note, .answer')].filter(visible).length,
      };
    });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
    return { ...report, pages, pdfBytes: pdf.length } satisfies PrintReport;
  } finally {
    await page.close();
    await server.close();
  }
};
