// The layer rule in eslint.config.js: a wrong import fails `npm run lint`, a right one passes.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleErrors(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return r!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import layers (ESLint no-restricted-imports)', () => {
  it('fails an import against the arrow, with a message naming the layer rule', async () => {
    const cases: [string, string][] = [
      ['src/diffusion/bad.ts', "import { UNet } from '../nets/unet';"],
      ['src/nets/bad.ts', "import type { TrainConfig } from '../train/ddpm-trainer';"],
      ['src/metrics/bad.ts', "import { imagesTensor } from '../train/classifier-trainer';"],
      ['src/pipelines/bad.ts', "export { evaluate } from '../metrics/evaluate';"],
      ['src/widgets/bad.ts', "import { shippedDdpm } from '../notebook/controllers';"],
      ['src/notebook/bad.ts', "import { LESSONS } from '../../lessons/manifest';"],
      ['src/cli/bad.ts', "import { findChromium } from '../../scripts/chromium.mjs';"],
      ['lessons/forward/bad.ts', "import { modelInfo } from '../predicting-noise/predictor';"],
      ['lessons/forward/bad.ts', "import { LESSONS } from '../manifest';"],
      ['lessons/forward/bad.ts', "import { arg } from '../../src/cli/args';"],
    ];
    for (const [file, code] of cases)
      expect(await ruleErrors(file, code), `${file}: ${code}`).toHaveLength(1);
    expect((await ruleErrors('src/diffusion/bad.ts', "import '../nets/unet';"))[0]).toMatch(
      /src\/diffusion may import only npm packages/,
    );
  });

  it('passes imports that follow it', async () => {
    const cases: [string, string][] = [
      ['src/nets/ok.ts', "import { mulberry32 } from '../diffusion/random';"],
      [
        'src/train/ok.ts',
        "import { UNet } from '../nets/unet';\nimport { fillNormal } from '../diffusion/random';",
      ],
      ['src/notebook/ok.ts', "import { evaluate } from '../metrics/evaluate';"],
      [
        'src/cli/ok.ts',
        "import { DdpmTrainer } from '../train/ddpm-trainer';\nimport { findChromium } from './chromium.mjs';",
      ],
      [
        'lessons/forward/ok.ts',
        "import { fastStore } from './params';\nimport { cellStyles } from '../../src/widgets/cell-styles';",
      ],
      ['src/main.ts', "import { LESSONS } from '../lessons/manifest';"],
    ];
    for (const [file, code] of cases) expect(await ruleErrors(file, code), `${file}: ${code}`).toEqual([]);
  });
});

/** Relative static imports of every source file: file -> the files it imports. */
function importGraph(): Map<string, string[]> {
  const ts = (dir: string) =>
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => normalize(join(dir, f)));
  const files = [...ts('src'), ...ts('lessons')];
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
      const p = join(dirname(f), m[1] ?? m[2]!);
      const hit = [`${p}.ts`, p, join(p, 'index.ts')].find((c) => files.includes(c));
      if (hit) deps.push(hit);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** The first import cycle found by depth-first search, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (u: string): string[] | null => {
    state.set(u, 1);
    stack.push(u);
    for (const v of graph.get(u) ?? []) {
      if (state.get(v) === 1) return [...stack.slice(stack.indexOf(v)), v];
      if (!state.has(v)) {
        const c = visit(v);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(u, 2);
    return null;
  };
  for (const f of graph.keys()) {
    if (state.has(f)) continue;
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('the import graph', () => {
  it('has no cycles (and the search finds one that is there)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycle(graph)).toBeNull();
    const withCycle = new Map(graph);
    const random = 'src/diffusion/random.ts'; // src/nets/named-weights.ts imports it
    withCycle.set(random, [...(graph.get(random) ?? []), 'src/nets/named-weights.ts']);
    const c = findCycle(withCycle)!;
    expect(c[0]).toBe(c.at(-1));
    expect(c).toContain(random);
  });
});
