import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ and what each may import (besides itself and npm packages). The arrow points one
 * way: diffusion, data, runtime <- nets, text <- train / pipelines / metrics <- widgets <- notebook <- lessons,
 * with src/cli and scripts/ on top. An import against it fails `npm run lint` (and so `npm test`); see
 * docs/architecture.md. tests/node/layers.test.ts checks that the rule catches a wrong import.
 */
export const LAYERS = {
  diffusion: [],
  data: [],
  runtime: [],
  text: ['diffusion', 'data'],
  nets: ['diffusion', 'data'],
  train: ['diffusion', 'data', 'text', 'runtime', 'nets'],
  pipelines: ['diffusion', 'data', 'text', 'runtime', 'nets'],
  metrics: ['diffusion', 'data', 'text', 'nets'],
  widgets: ['diffusion', 'data', 'runtime'],
  notebook: ['diffusion', 'data', 'text', 'runtime', 'nets', 'train', 'pipelines', 'metrics', 'widgets'],
  cli: ['diffusion', 'data', 'text', 'runtime', 'nets', 'train', 'pipelines', 'metrics'],
};
const ALL = Object.keys(LAYERS);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const below = (layer) =>
  `src/${layer} may import only ${LAYERS[layer].join(', ') || 'npm packages'} (docs/architecture.md)`;

/** no-restricted-imports patterns for a file in src/<layer>/ (imports there read "../<folder>/…"). */
function layerRule(layer) {
  const banned = ALL.filter((l) => l !== layer && !LAYERS[layer].includes(l));
  return [
    'error',
    {
      patterns: [
        ...banned.map((l) => ({ regex: `^\\.\\./${escape(l)}(/|$)`, message: below(layer) })),
        {
          regex: '(^|/)lessons(/|$)',
          message: 'src/ never imports lessons/: src/main.ts hands the lesson list to <dl-app>',
        },
        { regex: '(^|/)scripts/', message: 'src/ never imports scripts/ (build tools sit on top of src/)' },
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        console: 'readonly',
        process: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        requestAnimationFrame: 'readonly',
        cancelAnimationFrame: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        DecompressionStream: 'readonly',
        Response: 'readonly',
        location: 'readonly',
        history: 'readonly',
        localStorage: 'readonly',
        HTMLElement: 'readonly',
        customElements: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...ALL.map((layer) => ({
    files: [`src/${layer}/**/*.{ts,mjs}`],
    rules: { 'no-restricted-imports': layerRule(layer) },
  })),
  {
    // A lesson uses src/ below the CLI, never another lesson (shared pieces move down a layer).
    files: ['lessons/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\./)',
              message: 'lessons never import each other or the manifest: move shared pieces down to src/',
            },
            { regex: '/src/cli(/|$)', message: 'lessons never import src/cli (Node entry points)' },
            { regex: '(^|/)scripts/', message: 'lessons never import scripts/ (build tools)' },
          ],
        },
      ],
    },
  },
);
