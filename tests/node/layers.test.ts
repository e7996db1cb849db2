// The layer rule in eslint.config.js: a wrong import fails `npm run lint`, a right one passes.
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
