// `npm test`: types, lint, the Node suites and, where a Chromium is found, the browser suites.
// Without Chromium the Node suites still run and pass; the browser suites are reported as skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  console.log(
    '\n▶ the production build: sub-path, one origin, Content-Security-Policy, offline (scripts/check-dist.mjs)',
  );
  rmSync('.cache/dist-check.json', { force: true });
  distCode = run('node', ['scripts/check-dist.mjs']);
}

let dist = null;
try {
  dist = chromium ? JSON.parse(readFileSync('.cache/dist-check.json', 'utf8')) : null;
} catch {
  /* the build failed before any check ran */
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
  const passed = summary.numPassedTests + (dist?.passed ?? 0);
  const failed = summary.numFailedTests + (dist?.failed ?? (distCode === 0 ? 0 : 1));
  console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
process.exit(code || distCode);
