import { defineConfig } from 'vite';
import { lessonsPlugin } from './scripts/vite-plugin-lessons';
import { mnistPlugin } from './scripts/vite-plugin-mnist';
import { modelsPlugin } from './scripts/vite-plugin-models';

// Cross-origin isolation lets TF.js's WASM backend run XNNPACK on several threads (SharedArrayBuffer);
// without these headers it falls back to one thread. The page loads nothing from other origins, so
// require-corp costs nothing. Static hosts need the same two headers for the speed-up.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// base './': the built folder works from any host and sub-path (routing is in the URL hash).
export default defineConfig({
  base: './',
  plugins: [lessonsPlugin(), mnistPlugin(), modelsPlugin()],
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  assetsInclude: ['**/*.wasm'],
  // the training worker imports TF.js as ES modules
  worker: { format: 'es' },
  server: { port: 5173, headers: isolation },
  preview: { headers: isolation },
});
