// `npm test`: types, lint, the Node suites and, where a Chromium is found, the browser suites.
// Without Chromium the Node suites still run and pass; the browser suites are reported as skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { findChromium } from '../src/cli/chromium.mjs';

const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;
const step = (title, cmd, args) => {
  console.log(`\n▶ ${title}`);
  const code = run(cmd, args);
  if (code !== 0) {
    console.error(`\n✗ ${title} failed (exit ${code})`);
    process.exit(code);
  }
};

step('type check (tsc --noEmit)', 'npx', ['tsc', '--noEmit']);
step('lint (eslint, prettier --check)', 'npx', ['eslint', '.']);
step('format check', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']);

const chromium = findChromium();
const browserFiles = readdirSync('tests/browser').filter((f) => f.endsWith('.test.ts'));
const projects = chromium ? ['--project', 'node', '--project', 'browser'] : ['--project', 'node'];
mkdirSync('.cache', { recursive: true });
console.log(`\n▶ tests: ${chromium ? `Node and browser suites (Chromium at ${chromium})` : 'Node suites'}`);
const code = run('npx', [
  'vitest',
  'run',
  ...projects,
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=.cache/test-results.json',
]);

let distCode = 0;
if (chromium) {
  console.log('\n▶ production build from a sub-path, no other origin (scripts/check-dist.mjs)');
  distCode = run('node', ['scripts/check-dist.mjs']);
}

let summary = null;
try {
  summary = JSON.parse(readFileSync('.cache/test-results.json', 'utf8'));
} catch {
  /* vitest did not get far enough to write it */
}
if (!chromium) {
  console.log(
    `\nBrowser suites skipped (${browserFiles.length} files: ${browserFiles.join(', ')}): no Chromium was found.\n` +
      `To run them, install one (Debian/Ubuntu: sudo apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.`,
  );
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  const passed = summary.numPassedTests + (chromium && distCode === 0 ? 1 : 0);
  const failed = summary.numFailedTests + (distCode === 0 ? 0 : 1);
  console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
process.exit(code || distCode);
