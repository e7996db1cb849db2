/**
 * The build's list of everything the site serves (`offline.json`: path and size of each file), read by
 * the page's "Keep the whole course on this device" button, and the content version of the course
 * files (models and digits) that names the service worker's cache of them (src/sw.ts).
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import type { OfflineList } from '../src/notebook/offline-files';
import { mnistAssets } from './vite-plugin-mnist';
import { modelAssets } from './vite-plugin-models';

/** Twelve hex digits of the SHA-256 of every model file and digit set the build copies. */
export function courseVersion(): string {
  const h = createHash('sha256');
  for (const a of [...modelAssets(), ...mnistAssets()].sort((x, y) => x.fileName.localeCompare(y.fileName)))
    h.update(a.fileName).update('\0').update(a.source).update('\0');
  return h.digest('hex').slice(0, 12);
}

export function offlinePlugin(version: string): Plugin {
  return {
    name: 'diffusion-lab-offline-list',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle)
        // not source maps, nor KaTeX's .woff/.ttf fallbacks (every browser the course runs in takes .woff2)
        .filter((f) => !/\.(map|woff|ttf)$/.test(f.fileName))
        .map((f) => ({
          url: f.fileName,
          bytes:
            f.type === 'chunk'
              ? Buffer.byteLength(f.code)
              : typeof f.source === 'string'
                ? Buffer.byteLength(f.source)
                : f.source.byteLength,
        }))
        .sort((a, b) => a.url.localeCompare(b.url));
      const list: OfflineList = { version, files };
      this.emitFile({ type: 'asset', fileName: 'offline.json', source: JSON.stringify(list) });
    },
  };
}
