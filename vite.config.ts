import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { lessonsPlugin } from './scripts/vite-plugin-lessons';
import { mnistPlugin } from './scripts/vite-plugin-mnist';
import { modelsPlugin } from './scripts/vite-plugin-models';
import { courseVersion, offlinePlugin } from './scripts/vite-plugin-offline';

// Cross-origin isolation lets TF.js's WASM backend run XNNPACK on several threads (SharedArrayBuffer);
// without these headers it falls back to one thread. The page loads nothing from other origins, so
// require-corp costs nothing. Static hosts need the same two headers for the speed-up.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The built page's Content-Security-Policy: nothing from another origin, no eval ('wasm-unsafe-eval'
 * only compiles the WASM backend), workers and scripts from the site or from blobs (TF.js's threaded WASM
 * starts its threads as blob workers, which inherit this policy and import the backend's code from a
 * blob), inline styles because Plot writes style elements into its charts and KaTeX sizes its formulas
 * with style attributes.
 * A <meta> so that it holds on any static host; the dev server runs without it (its client injects code).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function cspPlugin(): Plugin {
  return {
    name: 'diffusion-lab-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
      ),
  };
}

const version = courseVersion();

// base './': the built folder works from any host and sub-path (routing is in the URL hash).
export default defineConfig({
  base: './',
  define: { __COURSE_VERSION__: JSON.stringify(version) },
  plugins: [
    lessonsPlugin(),
    mnistPlugin(),
    modelsPlugin(),
    cspPlugin(),
    offlinePlugin(version),
    // Offline and installable: src/sw.ts (Workbox) precaches the app shell and the test digits and keeps
    // the models on first use; the page registers it and asks before updating (src/notebook/offline.ts).
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'prompt',
      manifest: {
        name: 'Diffusion Lab',
        short_name: 'Diffusion Lab',
        description: 'Learn how diffusion models work by training and sampling real ones in your browser.',
        start_url: './',
        display: 'standalone',
        background_color: '#fcfcfa',
        theme_color: '#2456c5',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,woff2}', 'data/mnist-test.bin'],
        globIgnores: ['models/**', 'sw.js'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  assetsInclude: ['**/*.wasm'],
  // the training worker imports TF.js as ES modules
  worker: { format: 'es' },
  server: { port: 5173, headers: isolation },
  preview: { headers: isolation },
});
