/**
 * `npm run bench`: speed and memory figures (never asserted in tests: shared machines are noisy).
 * Prints one line per measurement and a summary table.
 */
import { benchForwardScrub, withBrowserPage } from './bench-browser';

const FRAME_BUDGET_MS = 16;

async function main() {
  console.log(
    `Diffusion Lab benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
  );
  const scrub = await withBrowserPage((page, base) => benchForwardScrub(page, base));
  if (scrub) {
    console.log(
      `forward lesson, 64-digit grid + histogram + charts, per slider move (Chromium): median ${scrub.median.toFixed(2)} ms, ` +
        `p95 ${scrub.p95.toFixed(2)} ms, max ${scrub.max.toFixed(2)} ms over ${scrub.n} moves; ` +
        `budget ${FRAME_BUDGET_MS} ms, p95/budget = ${(scrub.p95 / FRAME_BUDGET_MS).toFixed(2)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
