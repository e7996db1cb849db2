// `npm run data`: make the compact MNIST assets now (the dev server and build also make them on demand).
import { statSync } from 'node:fs';
import { mnistAssetPath } from './mnist-assets';

for (const split of ['train', 'test'] as const) {
  const t0 = performance.now();
  const path = mnistAssetPath(split);
  console.log(
    `MNIST ${split}: ${path} (${(statSync(path).size / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - t0)} ms)`,
  );
}
