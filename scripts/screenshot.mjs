// Screenshot a page of the running dev server in headless Chromium: node scripts/screenshot.mjs URL out.png [wait-ms] [width]
import { chromium } from 'playwright';
import { chromiumArgs, findChromium } from '../src/cli/chromium.mjs';

const [url = 'http://localhost:5173/', out = 'shot.png', wait = '3000', width = '1200'] =
  process.argv.slice(2);
const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs });
const page = await browser.newPage({
  viewport: { width: Number(width), height: 900 },
  colorScheme: process.env.DARK ? 'dark' : 'light',
});
if (process.env.PROJECTOR) await page.addInitScript("localStorage.setItem('dl-projector', '1')");
page.on(
  'console',
  (m) => (m.type() === 'error' || m.type() === 'warning') && console.log(`[${m.type()}] ${m.text()}`),
);
page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
await page.goto(url);
await page.waitForTimeout(Number(wait));
await page.screenshot({ path: out, fullPage: true });
await browser.close();
