// The production build works as a static folder from any sub-path and asks no other origin for anything.
// Builds into .cache/dist-check, serves it under /some/sub/path/ with a plain static server, opens the
// forward lesson in headless Chromium, and fails on any request to another origin, any failed request,
// any console error, or a grid that never draws. Run by `npm test` when Chromium is present.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright';
import { build } from 'vite';
import { chromiumArgs, findChromium } from '../src/cli/chromium.mjs';

const OUT = '.cache/dist-check';
const PREFIX = '/some/sub/path/';
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

await build({ logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true } });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith(PREFIX)) return res.writeHead(404).end();
  const rel = normalize(url.pathname.slice(PREFIX.length) || 'index.html');
  try {
    const body = await readFile(join(OUT, rel));
    res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const problems = [];
const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs });
try {
  const page = await browser.newPage();
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))
      problems.push(`request to another origin: ${u}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${origin}${PREFIX}#/forward?t=500&backend=wasm`);
  await page.waitForFunction(
    () => {
      const chip = document.querySelector('dl-backend-chip');
      const c = document
        .querySelector('dl-forward-explorer')
        ?.shadowRoot?.querySelector('dl-image-grid')
        ?.shadowRoot?.querySelector('canvas');
      return chip?.info?.name === 'wasm' && c && c.width > 100;
    },
    null,
    { timeout: 60_000 },
  );
} catch (e) {
  problems.push(`the built lesson did not come up: ${e.message}`);
} finally {
  await browser.close();
  server.close();
}
if (problems.length) {
  console.error(`✗ built app under ${PREFIX}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `✓ built app served under ${PREFIX} loads the forward lesson on WASM with every request to its own origin`,
);
