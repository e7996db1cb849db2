/**
 * `npm run bench`: speed and memory figures (never asserted in tests: shared machines are noisy).
 * Prints one line per measurement, then the ratios the issues ask for. Options: --quick (fewer steps),
 * --no-browser, --no-peer, --load-only (only the cold loads of the built site, per lesson).
 */
import { cpus } from 'node:os';
import { UNET_PRESETS } from '../nets/unet';
import {
  benchForwardScrub,
  benchInPage,
  benchLatentInPage,
  benchTextToImageInPage,
  benchLongTasks,
  benchSamplingLesson,
  withBrowserPage,
} from './bench-browser';
import {
  benchNodeDenoise,
  benchNodeLatent,
  benchNodeTraining,
  benchPeer,
  type PeerBench,
} from './bench-train';
import { benchLessonLoads } from './bench-load';
import { latentUNet } from '../train/live-settings';

const FRAME_BUDGET_MS = 16;
/** The shipped DDPM's U-Net since it was grown (`npm run train -- ddpm --grow 1,2,2`). */
const GROWN = { ...UNET_PRESETS.shipped, depth: [1, 2, 2] as const };
const has = (f: string) => process.argv.includes(f);
const f1 = (x: number) => x.toFixed(1);

async function main() {
  const quick = has('--quick');
  if (has('--load-only')) return printLessonLoads();
  console.log(
    `Diffusion Lab benchmarks — ${new Date().toISOString()} — ${cpus()[0]?.model}, ${cpus().length} cores, node ${process.version}`,
  );

  // 1. DDPM training on TF.js WASM in Node (one thread), batch 64 as the PyTorch figures.
  const node: Record<string, number> = {};
  for (const preset of ['classroom', 'shipped'] as const) {
    const r = await benchNodeTraining(preset, 64, quick ? 1 : 3);
    node[preset] = r.msPerStep;
    console.log(
      `train  node-wasm  ${preset.padEnd(9)} batch 64: ${f1(r.msPerStep)} ms/step, ${f1(r.imagesPerSecond)} images/s, TF.js holds ${f1(r.tfMB)} MB`,
    );
    const d = await benchNodeDenoise(preset, 16, quick ? 2 : 5);
    console.log(
      `sample node-wasm  ${preset.padEnd(9)} batch 16: ${f1(d)} ms per denoising step (1000-step DDPM: ${f1(d)} s)`,
    );
  }

  // 1c. Latent diffusion: the same U-Net code at the shipped width on 8x8x4 latents, same batch, side by side.
  {
    const l = await benchNodeLatent(latentUNet('shipped'), 64, quick ? 2 : 5);
    const pixelDenoise = await benchNodeDenoise('shipped', 16, quick ? 2 : 5);
    console.log(
      `train  node-wasm  latent    batch 64: ${f1(l.trainMs)} ms/step (8x8x4 latents, width 32) -> pixel / latent = ${(node.shipped! / l.trainMs).toFixed(1)}x (target >= 8x)`,
    );
    console.log(
      `sample node-wasm  latent    batch 16: ${f1(l.denoiseMs16)} ms per denoising step (pixel ${f1(pixelDenoise)} ms: ${(pixelDenoise / l.denoiseMs16).toFixed(1)}x); ` +
        `decoding 16 latents ${f1(l.decodeMs16)} ms; 20-step DDIM of 16 digits, decoding included: ${f1(l.sample20Ms16)} ms`,
    );
  }

  // 1a. The shipped net as it is now: grown at step 41,709 to two residual blocks per side at 14×14 and 7×7.
  const r = await benchNodeTraining('shipped', 64, quick ? 1 : 3, 0, GROWN);
  node.grown = r.msPerStep;
  console.log(
    `train  node-wasm  grown     batch 64: ${f1(r.msPerStep)} ms/step, ${f1(r.imagesPerSecond)} images/s, TF.js holds ${f1(r.tfMB)} MB ` +
      `(the shipped net since step 41,709: depth ${GROWN.depth.join(',')}; ${f1(r.msPerStep / node.shipped!)}x the plain shipped preset)`,
  );

  // 1b. The same step shared with a worker thread (npm run train -- ddpm --workers 1), where there are 2 cores.
  if (cpus().length >= 2) {
    const r = await benchNodeTraining('shipped', 64, quick ? 1 : 3, 1);
    node.shipped2 = r.msPerStep;
    console.log(
      `train  node-wasm  shipped   batch 64, 2 threads (--workers 1): ${f1(r.msPerStep)} ms/step, ${f1(r.imagesPerSecond)} images/s ` +
        `-> ${(node.shipped! / r.msPerStep).toFixed(2)}x the 1-thread speed`,
    );
  }

  // 2. The PyTorch peer: the same network, the same batch.
  if (!has('--no-peer')) {
    for (const [threads, ch, preset] of [
      [1, 32, 'shipped'],
      [2, 32, 'shipped'],
      [1, 16, 'classroom'],
      [1, 32, 'grown'],
    ] as const) {
      const p = benchPeer(64, quick ? 2 : 4, ch, threads, preset === 'grown' ? GROWN.depth : undefined);
      if (typeof p === 'string') {
        console.log(`peer   pytorch skipped: ${p}`);
        break;
      }
      const r = p as PeerBench;
      console.log(
        `train  pytorch    ${preset.padEnd(9)} batch 64, ${threads} thread${threads > 1 ? 's' : ''}: ${r.msPerStep} ms/step (${r.params.toLocaleString('en')} params) ` +
          `-> TF.js WASM (1 thread) / PyTorch = ${(node[preset]! / r.msPerStep).toFixed(2)}x (target <= 3x)` +
          (threads === 2 && node.shipped2
            ? `; TF.js WASM (2 threads) / PyTorch (2 threads) = ${(node.shipped2 / r.msPerStep).toFixed(2)}x`
            : ''),
      );
    }
  }

  // 3. Browser: cold loads of the built site, the forward lesson's frame time, and training/sampling per backend.
  if (!has('--no-browser')) {
    await printLessonLoads();
    await withBrowserPage(async (page, base) => {
      const scrub = await benchForwardScrub(page, base);
      console.log(
        `forward lesson, 64-digit grid + histogram + charts, per slider move: median ${scrub.median.toFixed(2)} ms, ` +
          `p95 ${scrub.p95.toFixed(2)} ms, max ${scrub.max.toFixed(2)} ms over ${scrub.n} moves; budget ${FRAME_BUDGET_MS} ms, p95/budget = ${(scrub.p95 / FRAME_BUDGET_MS).toFixed(2)}`,
      );
      const lesson = await benchSamplingLesson(page, base);
      console.log(
        `faster-sampling lesson, WASM, 16 digits in 20 steps: DDIM ${f1(lesson.ddimMs)} ms (target < 2000 ms: ${lesson.ddimMs < 2000 ? 'met' : 'not met'}), ` +
          `DDPM respaced ${f1(lesson.ddpmMs)} ms, DPM-Solver++ ${f1(lesson.dpmMs)} ms; ${lesson.device || 'wasm'}`,
      );
      const latent = (await benchLatentInPage(page, base, 'wasm', 20, quick ? 3 : 7)) as
        string | { device: string; ms: number[] };
      if (typeof latent === 'string') console.log(`latent lesson, wasm: ${latent}`);
      else {
        const med = [...latent.ms].sort((a, b) => a - b)[Math.floor(latent.ms.length / 2)]!;
        console.log(
          `latent lesson, WASM, 16 digits in 20 DDIM steps, decoding included: median ${f1(med)} ms over ${latent.ms.length} runs ` +
            `(${latent.ms.map(f1).join(', ')}; target < 500 ms: ${med < 500 ? 'met' : 'not met'}); ${latent.device}`,
        );
      }
      const t2i = (await benchTextToImageInPage(page, base, 'wasm', 20, quick ? 3 : 7)) as
        string | { device: string; ms: number[] };
      if (typeof t2i === 'string') console.log(`text-to-image lesson, wasm: ${t2i}`);
      else {
        const med = [...t2i.ms].sort((a, b) => a - b)[Math.floor(t2i.ms.length / 2)]!;
        console.log(
          `text-to-image lesson, WASM, 4 images in 20 DDIM steps with guidance (2 predictions per step), prompt encoding and decoding included: ` +
            `median ${f1(med)} ms over ${t2i.ms.length} runs (${t2i.ms.map(f1).join(', ')}; target < 1000 ms: ${med < 1000 ? 'met' : 'not met'}); ${t2i.device}`,
        );
      }
      // the latent lesson as a student opens it: encode, interpolate, noise and sample, all on the page's thread
      const lt = await benchLongTasks(
        page,
        base,
        '#/latent?backend=wasm',
        `(() => { const s = document.querySelector('dl-latent-sample'); return !!s && s.runner && s.runner.running; })()`,
        `(() => { const s = document.querySelector('dl-latent-sample'); return !!s && s.frames && s.frames.length > 0; })()`,
      );
      console.log(
        `latent lesson, WASM, while it samples its 16 latents (${f1(lt.seconds)} s): longest main-thread task ${f1(lt.longestMs)} ms ` +
          `(target < 100 ms: ${lt.longestMs < 100 ? 'met' : 'not met'}), ${lt.count} tasks over 50 ms, ${f1(lt.totalMs)} ms in all`,
      );
      // the sampler race as a student opens it at 20 steps: the samplers run in the sampling worker
      const rt = await benchLongTasks(
        page,
        base,
        '#/faster-sampling?steps=20&eta=0&seed=0&backend=wasm',
        `(() => !!document.querySelector('dl-sampler-race')?.running)()`,
        `(() => { const r = document.querySelector('dl-sampler-race')?.results; return !!(r && r.ddpm && r.ddim && r['dpm++']); })()`,
      );
      console.log(
        `faster-sampling lesson, WASM, while the 20-step race runs (${f1(rt.seconds)} s): longest main-thread task ${f1(rt.longestMs)} ms ` +
          `(target < 100 ms: ${rt.longestMs < 100 ? 'met' : 'not met'}), ${rt.count} tasks over 50 ms, ${f1(rt.totalMs)} ms in all`,
      );
      for (const backend of ['webgpu', 'webgl', 'wasm']) {
        for (const preset of backend === 'wasm' ? ['classroom', 'shipped'] : ['classroom']) {
          const r = (await benchInPage(page, base, backend, preset, 16, quick ? 1 : 2)) as
            | string
            | {
                device: string;
                msPerTrainStep: number;
                imagesPerSecond: number;
                msPerDenoiseStep16: number;
                tfMB: number;
              };
          if (typeof r === 'string') console.log(`chromium ${backend}: ${r}`);
          else
            console.log(
              `chromium ${backend.padEnd(6)} ${preset.padEnd(9)} batch 16: ${f1(r.msPerTrainStep)} ms/step, ${f1(r.imagesPerSecond)} images/s; ` +
                `${f1(r.msPerDenoiseStep16)} ms per denoising step (batch 16); ${f1(r.tfMB)} MB; on ${r.device}`,
            );
        }
      }
    });
  }
}

/** Cold loads of the built site, per lesson: time and bytes to the first usable control. */
async function printLessonLoads(): Promise<void> {
  const loads = await benchLessonLoads();
  if (!loads) return console.log('lesson loads skipped: no Chromium');
  const mb = (b: number) => (b / 1e6).toFixed(2);
  for (const l of loads)
    console.log(
      `cold load, built site, localhost, WASM: ${l.lesson.padEnd(16)} first usable control ${f1(l.usableMs)} ms, ${mb(l.usableBytes)} MB by then, ${mb(l.quietBytes)} MB once quiet`,
    );
  const first = loads.find((l) => l.lesson === 'forward');
  if (first)
    console.log(
      `first lesson: ${f1(first.usableMs)} ms (goal < 2000: ${first.usableMs < 2000 ? 'met' : 'not met'}), ${mb(first.usableBytes)} MB (goal < 3: ${first.usableBytes < 3e6 ? 'met' : 'not met'})`,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
