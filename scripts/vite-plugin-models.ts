/**
 * Serves (dev) and copies (build) the shipped models: models/<name>/model.json + weights.bin + README.md (card)
 * + sampling.json (measured steps-vs-quality table) + eval.json/eval.md/samples.png (measured quality), at
 * `models/<name>/…` beside the page, and each card rendered as a readable page, `card.html` (the lessons
 * link to it). Training checkpoints (models/<name>/checkpoint/) stay out of the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import MarkdownIt from 'markdown-it';
import type { Plugin } from 'vite';
import { SERVED_FILES, SHIPPED_MODELS, type ShippedModel } from '../src/nets/registry';
import { roundedToFloat16 } from '../src/nets/weights-format';

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

/** The served files the registry names for each shipped model (a folder it does not name is not served). */
function shippedFiles(): string[] {
  return Object.values(SHIPPED_MODELS)
    .flatMap((m) =>
      SERVED_FILES.map((k) => (m.files as Record<string, string | undefined>)[k]).flatMap((f) =>
        f ? [`${m.id}/${f}`] : [],
      ),
    )
    .filter((rel) => existsSync(join(ROOT, rel)));
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: true });

/** A model card (README.md) as a standalone page: readable type, wide tables scroll, nothing fetched. */
export function cardPage(markdown: string, id: string): string {
  const body = md.render(markdown);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Model card: ${id} · Diffusion Lab</title>
<style>
body{font:1.05rem/1.55 system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem 1.2rem 3rem;color:#1d1d1f;background:#fcfcfa}
@media (prefers-color-scheme: dark){body{color:#e8e8e6;background:#161615}a{color:#8ab4ff}th,td{border-color:#555}}
table{border-collapse:collapse;display:block;overflow-x:auto;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}
img{max-width:100%;height:auto}code{font-size:.92em}pre{overflow-x:auto}
</style></head><body>
<p><a href="../../">← Diffusion Lab</a></p>
<main>${body}</main>
</body></html>
`;
}

/** models/<id>/card.html, for every model folder with a card. */
function cardPages(): { rel: string; html: string }[] {
  if (!existsSync(ROOT)) return [];
  return readdirSync(ROOT)
    .filter((d) => existsSync(join(ROOT, d, 'README.md')))
    .map((d) => ({
      rel: `${d}/card.html`,
      html: cardPage(readFileSync(join(ROOT, d, 'README.md'), 'utf8'), d),
    }));
}

/**
 * A model's model.json + weights.bin as served: as committed, or (registry `servedAs: 'float16'`) with every
 * weight rounded to IEEE float16 and the manifest saying so, half the bytes.
 */
export function servedWeights(id: string): { json: string; bin: Uint8Array } {
  const key = `${id}:${statSync(join(ROOT, id, 'weights.bin')).mtimeMs}:${statSync(join(ROOT, id, 'model.json')).mtimeMs}`;
  const hit = servedCache.get(id);
  if (hit?.key === key) return hit.files;
  const files = convert(id);
  servedCache.set(id, { key, files });
  return files;
}
const servedCache = new Map<string, { key: string; files: { json: string; bin: Uint8Array } }>();

function convert(id: string): { json: string; bin: Uint8Array } {
  const json = readFileSync(join(ROOT, id, 'model.json'), 'utf8');
  const bin = new Uint8Array(readFileSync(join(ROOT, id, 'weights.bin')));
  const m = Object.values(SHIPPED_MODELS).find((x) => x.id === id) as ShippedModel | undefined;
  if (m?.servedAs !== 'float16') return { json, bin };
  const half = roundedToFloat16(json, bin);
  return { json: JSON.stringify(half.json), bin: half.bin };
}

/** One served file of a model folder (weights possibly rounded to float16, see servedWeights). */
function servedFile(rel: string): Uint8Array | string {
  const [id, file] = rel.split('/') as [string, string];
  if (file === 'model.json') return servedWeights(id).json;
  if (file === 'weights.bin') return servedWeights(id).bin;
  return readFileSync(join(ROOT, rel));
}

/** What the build copies: every shipped model file and every card page, under models/. */
export function modelAssets(): { fileName: string; source: Uint8Array | string }[] {
  return [
    ...shippedFiles().map((rel) => ({ fileName: `models/${rel}`, source: servedFile(rel) })),
    ...cardPages().map(({ rel, html }) => ({ fileName: `models/${rel}`, source: html })),
  ];
}

export function modelsPlugin(): Plugin {
  return {
    name: 'diffusion-lab-models',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/models\/(.+?)(\?.*)?$/.exec(req.url ?? '');
        const rel = m ? normalize(m[1]!) : '';
        const card = /^([\w-]+)\/card\.html$/.exec(rel);
        if (card && existsSync(join(ROOT, card[1]!, 'README.md'))) {
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.setHeader('Cache-Control', 'no-cache');
          res.end(cardPage(readFileSync(join(ROOT, card[1]!, 'README.md'), 'utf8'), card[1]!));
          return;
        }
        if (!m || !SHIPPED.test(rel) || !shippedFiles().includes(rel)) return next();
        const served = servedFile(rel);
        const body = typeof served === 'string' ? Buffer.from(served) : served;
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
      for (const a of modelAssets()) this.emitFile({ type: 'asset', ...a });
    },
  };
}
