import { defineConfig } from 'vite';
import { lessonsPlugin } from './scripts/vite-plugin-lessons';
import { mnistPlugin } from './scripts/vite-plugin-mnist';
import { modelsPlugin } from './scripts/vite-plugin-models';

// base './': the built folder works from any host and sub-path (routing is in the URL hash).
export default defineConfig({
  base: './',
  plugins: [lessonsPlugin(), mnistPlugin(), modelsPlugin()],
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  assetsInclude: ['**/*.wasm'],
  // the training worker imports TF.js as ES modules
  worker: { format: 'es' },
  server: { port: 5173 },
});
