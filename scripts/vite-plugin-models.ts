/**
 * Serves (dev) and copies (build) the shipped models: models/<name>/model.json + weights.bin + README.md (card)
 * + sampling.json (measured steps-vs-quality table) + eval.json/eval.md/samples.png (measured quality), at
 * `models/<name>/…` beside the page. Training checkpoints (models/<name>/checkpoint/) stay out of the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Plugin } from 'vite';
import { SERVED_FILES, SHIPPED_MODELS } from '../src/nets/registry';

const ROOT = 'models';
/** The file names served for any model (src/nets/registry.ts says which files a model has). */
const FILES = [
  ...new Set(
    Object.values(SHIPPED_MODELS).flatMap((m) =>
      SERVED_FILES.map((k) => (m.files as Record<string, string | undefined>)[k]).filter(
        (f): f is string => !!f,
      ),
    ),
  ),
];
const SHIPPED = new RegExp(`^[\\w-]+/(${FILES.map((f) => f.replace('.', '\\.')).join('|')})$`);

function shippedFiles(): string[] {
  if (!existsSync(ROOT)) return [];
  return readdirSync(ROOT)
    .filter((d) => statSync(join(ROOT, d)).isDirectory())
    .flatMap((d) => FILES.map((f) => `${d}/${f}`))
    .filter((rel) => existsSync(join(ROOT, rel)));
}

export function modelsPlugin(): Plugin {
  return {
    name: 'diffusion-lab-models',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/models\/(.+?)(\?.*)?$/.exec(req.url ?? '');
        const rel = m ? normalize(m[1]!) : '';
        if (!m || !SHIPPED.test(rel) || !existsSync(join(ROOT, rel))) return next();
        const body = readFileSync(join(ROOT, rel));
        res.setHeader(
          'Content-Type',
          rel.endsWith('.json')
            ? 'application/json'
            : rel.endsWith('.md')
              ? 'text/plain; charset=utf-8'
              : rel.endsWith('.png')
                ? 'image/png'
                : 'application/octet-stream',
        );
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Cache-Control', 'no-cache');
        res.end(body);
      });
    },
    generateBundle() {
      for (const rel of shippedFiles())
        this.emitFile({ type: 'asset', fileName: `models/${rel}`, source: readFileSync(join(ROOT, rel)) });
    },
  };
}
