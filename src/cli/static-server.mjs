// A plain static server for a production build, as a static host would serve it (with the preview's
// cross-origin isolation headers), under a sub-path; it can be switched off, every connection refused
// at once, as when the Wi-Fi drops. Used by scripts/check-dist.mjs and the load bench (bench-load.ts).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves `dir` at http://127.0.0.1:<port><prefix>; resolves once listening. */
export async function serveBuild(dir, prefix = '/') {
  let down = false;
  const server = createServer(async (req, res) => {
    if (down) return req.socket.destroy();
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(prefix)) return res.writeHead(404).end();
    const rel = normalize(decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html');
    try {
      const body = await readFile(join(dir, rel));
      res
        .writeHead(200, {
          'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream',
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    site: `${origin}${prefix}`,
    /** Refuse every connection (true) or serve again (false). */
    setDown: (v) => {
      down = v;
    },
    close: () => server.close(),
  };
}
