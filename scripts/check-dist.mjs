// The production build as a visitor meets it, in headless Chromium. Builds into .cache/dist-check, serves
// it under /some/sub/path/ with a plain static server (with the cross-origin isolation headers that the
// preview sends) and checks, each as a named check:
// 1. the forward lesson loads from a sub-path and asks no other origin for anything;
// 2. offline after one visit: lessons visited once reload and work with the server gone;
// 3. "Keep the whole course on this device", then with the server gone every lesson loads its models,
//    samples, and trains;
// 4. the built home page (with its offline section, which only a build has) passes axe-core;
// throughout: no request to another origin, no console or page error, and no Content-Security-Policy
// violation (the built page carries a strict policy in a <meta>). Run by `npm test` when Chromium is
// present; writes .cache/dist-check.json ({ passed, failed }) for its summary.
import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright';
import { build } from 'vite';
import { chromiumArgs, findChromium } from '../src/cli/chromium.mjs';
import { serveBuild } from '../src/cli/static-server.mjs';

const OUT = '.cache/dist-check';
const PREFIX = '/some/sub/path/';
await build({ logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true } });

const served = await serveBuild(OUT, PREFIX);
const { origin, site } = served;

const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs });

/** A fresh browser profile whose page reports every problem into `problems`. */
async function openPage(problems) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`),
    );
  });
  const page = await context.newPage();
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))
      problems.push(`request to another origin: ${u}`);
  });
  page.on('requestfailed', (r) => {
    // ERR_ABORTED: cancelled because the check moved on to another page, not a failure to fetch
    if (r.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on(
    'console',
    (m) => m.type() === 'error' && problems.push(`console error: ${m.text().slice(0, 300)}`),
  );
  page.on('pageerror', (e) => problems.push(`page error: ${e.message.slice(0, 300)}`));
  return { context, page };
}

/** Opens a lesson with a fresh load of the page (not a same-document hash change). */
async function open(page, hash) {
  await page.goto('about:blank');
  await page.goto(`${site}${hash}`);
}

/** What each lesson shows once its data and models are in and it has run them (WASM backend). */
const WORKS = {
  '2d': async (page) => {
    await page.waitForFunction(() => !!document.querySelector('dl-2d-lab')?.shadowRoot, null, {
      timeout: 60_000,
    });
    await page.evaluate(async () => {
      const lab = document.querySelector('dl-2d-lab');
      await lab.train();
      await lab.sample();
    });
    await page.waitForFunction(() => !!document.querySelector('dl-2d-lab').result, null, { timeout: 60_000 });
  },
  forward: async (page) =>
    page.waitForFunction(
      () =>
        (document
          .querySelector('dl-forward-explorer')
          ?.shadowRoot?.querySelector('dl-image-grid')
          ?.shadowRoot?.querySelector('canvas')?.width ?? 0) > 100,
      null,
      { timeout: 60_000 },
    ),
  'predicting-noise': async (page) =>
    page.waitForFunction(() => !!document.querySelector('dl-noise-predictor')?.result, null, {
      timeout: 120_000,
    }),
  'train-live': async (page) => {
    await page.waitForFunction(
      () =>
        document.querySelector('dl-train-panel')?.shadowRoot?.querySelector('button.start')?.disabled ===
        false,
      null,
      { timeout: 120_000 },
    );
    await page.evaluate(() =>
      document.querySelector('dl-train-panel').shadowRoot.querySelector('button.start').click(),
    );
    await page.waitForFunction(() => document.querySelector('dl-train-panel').session.step >= 3, null, {
      timeout: 120_000,
    });
    await page.evaluate(() =>
      document.querySelector('dl-train-panel').shadowRoot.querySelector('button.start').click(),
    );
  },
  'faster-sampling': async (page) =>
    page.waitForFunction(
      () => {
        const race = document.querySelector('dl-sampler-race');
        if (race && !race.running) race.shadowRoot?.querySelector('button.run')?.click();
        return race?.results && Object.keys(race.results).length === 3 && !race.running;
      },
      null,
      { timeout: 180_000, polling: 500 },
    ),
  latent: async (page) =>
    page.waitForFunction(() => !!document.querySelector('dl-latent-encode')?.result, null, {
      timeout: 120_000,
    }),
  'gan-vae': async (page) => {
    await page.waitForFunction(() => document.querySelector('dl-family-gallery')?.rows?.length === 7, null, {
      timeout: 180_000,
    });
    await page.evaluate(() => document.querySelector('dl-family-train[family="gan"]').start());
    await page.waitForFunction(
      () => !!document.querySelector('dl-family-train[family="gan"]').snapshot,
      null,
      {
        timeout: 180_000,
      },
    );
    await page.evaluate(() => document.querySelector('dl-family-train[family="gan"]').pause());
  },
  'at-work': async (page) =>
    page.waitForFunction(() => !!document.querySelector('dl-denoise-level')?.shown, null, {
      timeout: 180_000,
    }),
  limits: async (page) => {
    await page.waitForFunction(
      () =>
        !!document.querySelector('dl-limits-text')?.shown &&
        !!document.querySelector('dl-limits-bias')?.shown,
      null,
      { timeout: 180_000 },
    );
    await page.evaluate(() => document.querySelector('dl-limits-bias-2d').train());
    await page.waitForFunction(() => !!document.querySelector('dl-limits-bias-2d').result, null, {
      timeout: 120_000,
    });
    await page.evaluate(() => document.querySelector('dl-limits-canvas').draw());
    await page.waitForFunction(() => !!document.querySelector('dl-limits-canvas').shown, null, {
      timeout: 180_000,
    });
  },
  'text-to-image': async (page) =>
    page.waitForFunction(() => document.querySelector('dl-t2i-generate')?.frames?.length === 20, null, {
      timeout: 180_000,
    }),
};

const results = [];
async function check(name, body) {
  const problems = [];
  const t0 = Date.now();
  try {
    await body(problems);
  } catch (e) {
    problems.push(e.message.split('\n')[0]);
  }
  results.push({ name, problems });
  const s = ((Date.now() - t0) / 1000).toFixed(0);
  if (problems.length) console.error(`✗ ${name} (${s} s):\n  ${[...new Set(problems)].join('\n  ')}`);
  else console.log(`✓ ${name} (${s} s)`);
}

await check(
  `the built app served under ${PREFIX} loads the forward lesson, every request to its own origin`,
  async (problems) => {
    const { context, page } = await openPage(problems);
    await open(page, '#/forward?t=500&backend=wasm');
    await WORKS.forward(page);
    const csp = await page.evaluate(
      () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
    );
    if (!csp || /unsafe-eval'/.test(csp.replace("'wasm-unsafe-eval'", '')))
      problems.push(`the page's Content-Security-Policy is missing or allows eval: ${csp}`);
    await context.close();
  },
);

/** Waits until the service worker controls the page and has precached the shell. */
const controlled = (page) =>
  page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', null, {
    timeout: 60_000,
  });

await check(
  'offline after one visit: the lessons visited reload and work with the server gone',
  async (problems) => {
    const { context, page } = await openPage(problems);
    const visited = ['forward', 'predicting-noise'];
    await open(page, '');
    await controlled(page);
    for (const id of visited) {
      await open(page, `#/${id}?backend=wasm`);
      await WORKS[id](page);
    }
    served.setDown(true);
    await context.setOffline(true);
    for (const id of visited) {
      await open(page, `#/${id}?backend=wasm`);
      await WORKS[id](page);
    }
    await context.close();
    served.setDown(false);
  },
);

await check(
  '"Keep the whole course on this device", then offline every lesson samples and trains',
  async (problems) => {
    const { context, page } = await openPage(problems);
    await open(page, '');
    await controlled(page);
    const button = page.locator('button.keep-offline');
    await button.waitFor({ timeout: 30_000 });
    const label = await button.textContent();
    if (!/\(\d+ MB\)/.test(label)) problems.push(`the button does not give the total size: "${label}"`);
    await button.click();
    await page.waitForFunction(
      () => /^Done: /.test(document.querySelector('.offline .status')?.textContent ?? ''),
      null,
      {
        timeout: 180_000,
      },
    );
    served.setDown(true);
    await context.setOffline(true);
    const lessons = await page.evaluate(() =>
      [...document.querySelectorAll('.lesson-list a[href^="#/"]')].map((a) =>
        a.getAttribute('href').slice(2),
      ),
    );
    const missing = Object.keys(WORKS).filter((id) => !lessons.includes(id));
    const untested = lessons.filter((id) => !WORKS[id]);
    if (missing.length || untested.length)
      problems.push(`lessons on the home page ${lessons.join(', ')}; no check for: ${untested.join(', ')}`);
    for (const id of lessons) {
      if (!WORKS[id]) continue;
      await open(page, `#/${id}?backend=wasm`);
      try {
        await WORKS[id](page);
      } catch (e) {
        problems.push(`${id} offline: ${e.message.split('\n')[0]}`);
      }
    }
    await context.close();
    served.setDown(false);
  },
);

await check(
  'the built home page, with its offline section, has no serious or critical axe-core finding',
  async (problems) => {
    // a profile of its own that lets axe-core's script in (the policy would refuse it, rightly)
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await open(page, '');
    await page.locator('button.keep-offline').waitFor({ timeout: 30_000 });
    await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    problems.push(...found);
    await context.close();
  },
);

await browser.close();
served.close();
const failed = results.filter((r) => r.problems.length).length;
await writeFile('.cache/dist-check.json', JSON.stringify({ passed: results.length - failed, failed }));
process.exit(failed ? 1 : 0);
