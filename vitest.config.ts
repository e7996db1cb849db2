import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, findChromium } from './src/cli/chromium.mjs';
import { lessonsPlugin } from './scripts/vite-plugin-lessons';
import { mnistPlugin } from './scripts/vite-plugin-mnist';
import { modelsPlugin } from './scripts/vite-plugin-models';
import { printLesson } from './scripts/print-lesson';

// Two suites: `node` (pure math, data, CLI code) and `browser` (widgets and lessons in real headless
// Chromium via Playwright, Debian's chromium; no browser download). scripts/test.mjs runs both.
export default defineConfig({
  plugins: [lessonsPlugin(), mnistPlugin(), modelsPlugin()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: findChromium(), args: chromiumArgs } }),
            instances: [{ browser: 'chromium', viewport: { width: 1200, height: 900 } }],
            // runs in Node with Playwright's page: a lesson opened in a page of its own, printed to PDF
            commands: { printLesson },
          },
        },
      },
    ],
  },
});
