/**
 * `npm run probe -- --browser-family [--family gan|vae] [--preset best|collapse] [--minutes M] [--every S]
 * [--backend wasm]`: the lesson "Diffusion vs GAN vs VAE" in headless Chromium; its live cell trains the
 * family from scratch with the lesson's settings (in its worker, on the chosen backend), and every S
 * seconds the probe reads the cell's monitor: the share of confident digits and the class histogram of
 * 100 samples of the EMA weights, judged in the worker by the project's classifier. Writes
 * models/probe-browser-<family>[-<preset>].md and the same rows as .json beside it.
 */
import { classEntropyBits, classesHolding } from '../metrics/families';
import { arg } from './args';
import { withBrowserPage } from './bench-browser';
import { writeFileAtomic } from './files';

interface Row {
  minutes: number;
  step: number;
  trainingMinutes: number;
  confident: number;
  classesFor80: number;
  entropyBits: number;
  classShares: number[];
}

type Cell = HTMLElement & {
  preset: string;
  progress: { step: number; wallSeconds: number } | null;
  snapshot: { step: number; classShares: number[]; confident: number } | null;
  start(fresh?: boolean): Promise<void>;
  pause(): void;
};

export async function probeBrowserFamilyCli(): Promise<void> {
  const family = (arg('family') ?? 'gan') as 'gan' | 'vae';
  const preset = arg('preset') ?? 'best';
  const minutes = Number(arg('minutes') ?? '5');
  const every = Number(arg('every') ?? '30');
  const backend = arg('backend') ?? 'wasm';
  const file = `models/probe-browser-${family}${preset === 'best' ? '' : `-${preset}`}`;
  const command = `npm run probe -- --browser-family --family ${family}${preset === 'best' ? '' : ` --preset ${preset}`} --minutes ${minutes} --every ${every} --backend ${backend}`;
  const rows: Row[] = [];
  await withBrowserPage(async (page, base) => {
    const sel = `dl-family-train[family="${family}"]`;
    await page.goto(`${base}#/gan-vae?backend=${backend}`);
    await page.waitForFunction((s) => !!document.querySelector(s), sel, { timeout: 300_000 });
    const device = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium');
    // the digits and the classifier are fetched and the worker started before the clock starts
    await page.evaluate(
      async ([s, p]) => {
        const c = document.querySelector(s!) as Cell;
        c.preset = p!;
        await c.start();
        await new Promise<void>((r) => {
          const t = setInterval(() => c.progress && (clearInterval(t), r()), 50);
        });
      },
      [sel, preset],
    );
    const started = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, every * 1000));
      const s = await page.evaluate((x) => {
        const c = document.querySelector(x) as Cell;
        return { progress: c.progress, snapshot: c.snapshot };
      }, sel);
      if (!s.snapshot || !s.progress) continue;
      const m = (performance.now() - started) / 60e3;
      rows.push({
        minutes: m,
        step: s.snapshot.step,
        trainingMinutes: s.progress.wallSeconds / 60,
        confident: s.snapshot.confident,
        classesFor80: classesHolding(s.snapshot.classShares),
        entropyBits: classEntropyBits(s.snapshot.classShares),
        classShares: s.snapshot.classShares,
      });
      const r = rows.at(-1)!;
      console.log(
        `${m.toFixed(1)} min, step ${r.step}: ${(100 * r.confident).toFixed(0)}% confident, 80% in ${r.classesFor80} classes, ${r.entropyBits.toFixed(2)} bits`,
      );
      if (m >= minutes) break;
    }
    await page.evaluate((x) => (document.querySelector(x) as Cell).pause(), sel);
    const md = `# The live ${family.toUpperCase()} of the lesson in the browser${preset === 'best' ? '' : ` (${preset} preset)`}

Command: \`${command}\`. The cell of "Diffusion vs GAN vs VAE" in headless Chromium (${device}, ${backend}), trained
from scratch with the lesson's settings in its worker; every ${every} s the probe reads the cell's monitor: 100 samples
of the EMA weights judged by models/mnist-classifier in the worker (confident: probability above 0.9). Minutes are
wall time since the first step. The same rows as data: ${file.slice('models/'.length)}.json.

| minutes | step | confident | classes holding 80% | class entropy (bits) |
|---|---|---|---|---|
${rows.map((r) => `| ${r.minutes.toFixed(1)} | ${r.step} | ${(100 * r.confident).toFixed(0)}% | ${r.classesFor80} | ${r.entropyBits.toFixed(2)} |`).join('\n')}
`;
    writeFileAtomic(`${file}.md`, md);
    writeFileAtomic(
      `${file}.json`,
      JSON.stringify(
        { command, device: `${device}, ${backend}`, family, preset, rows, last: rows.at(-1) },
        null,
        1,
      ) + '\n',
    );
  });
}
