import { describe, expect, it } from 'vitest';
import { renderLessonMarkdown } from '../../scripts/lesson-markdown';
import { dataFiles, resolveDataRefs } from '../../scripts/lesson-data';
import { LESSONS } from '../../lessons/manifest';
import { readdirSync, readFileSync } from 'node:fs';

describe('lesson Markdown', () => {
  it('renders math with KaTeX and leaves underscores inside math alone', () => {
    const html = renderLessonMarkdown(
      'Let $x_t = a_t b_t$ and\n\n$$\\bar\\alpha_t = \\prod_{i \\le t} \\alpha_i$$\n\n*emph*',
    );
    expect(html).toContain('class="katex"');
    expect(html).toContain('katex-display');
    expect(html).not.toContain('<em>t = a</em>');
    expect(html).toContain('<em>emph</em>');
    expect(html).not.toContain('$');
  });

  it('keeps custom elements (live cells) as elements', () => {
    expect(renderLessonMarkdown('<dl-forward-explorer></dl-forward-explorer>')).toContain(
      '<dl-forward-explorer></dl-forward-explorer>',
    );
  });

  it('fails the build on bad TeX, naming the file', () => {
    expect(() => renderLessonMarkdown('$\\frac{1}$', 'x.md')).toThrow(/x\.md: bad TeX/);
  });

  it('the forward lesson compiles, and the manifest lists the 2-D warm-up first, then it', () => {
    const html = renderLessonMarkdown(readFileSync('lessons/forward/lesson.md', 'utf8'));
    for (const tag of ['dl-forward-explorer', 'dl-chain-vs-jump', 'dl-schedule-charts'])
      expect(html).toContain(`<${tag}>`);
    expect(LESSONS[0]!.id).toBe('2d');
    expect(LESSONS[1]!.id).toBe('forward');
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
  });

  it('every ready lesson compiles, and each live cell it names is defined by its module', () => {
    for (const l of LESSONS.filter((x) => x.load)) {
      const md = readFileSync(`lessons/${l.id}/lesson.md`, 'utf8');
      const html = renderLessonMarkdown(md, `${l.id}/lesson.md`);
      const tags = [...new Set([...html.matchAll(/<(dl-[a-z0-9-]+)>/g)].map((m) => m[1]!))];
      expect(tags.length, l.id).toBeGreaterThan(0);
      const own = readdirSync(`lessons/${l.id}`)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(`lessons/${l.id}/${f}`, 'utf8'));
      // cells that several lessons share live in src/ and are imported by the lesson's index.ts
      const index = readFileSync(`lessons/${l.id}/index.ts`, 'utf8');
      const shared = [...index.matchAll(/^import '\.\.\/\.\.\/(src\/[^']+)';/gm)].map((m) =>
        readFileSync(`${m[1]}.ts`, 'utf8'),
      );
      const sources = [...own, ...shared].join('\n');
      for (const t of tags) expect(sources, `${l.id}: <${t}>`).toContain(`@customElement('${t}')`);
    }
  });

  describe('numbers from data', () => {
    const data: Record<string, unknown> = {
      'runs/t.json': {
        rows: [
          { sampler: 'ddim', eta: 0, steps: 10, result: { fid: 21.8018, share: 0.765 } },
          { sampler: 'ddim', eta: 0.5, steps: 10, result: { fid: 24.6, share: 0.73 } },
          { sampler: 'ddpm', steps: 10, result: { fid: 24.83, share: 0.805 } },
        ],
        step: 43569,
      },
    };
    const read = (f: string) => {
      if (!(f in data)) throw new Error(`no file ${f}`);
      return data[f];
    };
    const r = (src: string) => resolveDataRefs(src, read, 't.md');

    it('fills in figures from a file and a path, with formats, aliases and arithmetic', () => {
      expect(r('FID {{ runs/t.json:rows[sampler=ddim,eta=0,steps=10].result.fid | .1 }}.')).toBe('FID 21.8.');
      // a dotted key reaches into each element
      expect(r('{{ runs/t.json:rows[result.share=0.805].steps }}')).toBe('10');
      expect(
        r(
          '{{data T = runs/t.json}}\nat {{ T:step | int }}: {{ T:rows[sampler=ddim,eta=0.5].result.share | %1 }}',
        ),
      ).toBe('at 43,569: 73.0%');
      // 24.83 / 21.8018 - 1 = 0.1389…: "14% worse"
      expect(
        r(
          '{{data T = runs/t.json}}{{ T:rows[sampler=ddpm].result.fid / T:rows[eta=0].result.fid - 1 | %0 }}',
        ),
      ).toBe('14%');
      expect(
        r(
          '{{data T = runs/t.json}}{{ ( T:rows[0].result.fid + 2 ) * 2 | .2 }} {{ T:rows[2].result.share | x2 }}',
        ),
      ).toBe('47.60 0.81×');
      expect(dataFiles('{{data T = runs/t.json}} {{ runs/u.json:a / T:b }}').sort()).toEqual([
        'runs/t.json',
        'runs/u.json',
      ]);
    });

    it('fails the build, naming the lesson and the reference, on anything that does not resolve', () => {
      expect(() => r('{{ runs/x.json:a }}')).toThrow(
        /t\.md: \{\{ runs\/x\.json:a \}\}: no file runs\/x\.json/,
      );
      expect(() => r('{{ runs/t.json:rows[sampler=ddim].result.fid }}')).toThrow(/matches 2 elements/);
      expect(() => r('{{ runs/t.json:rows[sampler=gan].result.fid }}')).toThrow(/matches 0 elements/);
      expect(() => r('{{ runs/t.json:rows[7].result.fid }}')).toThrow(/past the end/);
      expect(() => r('{{ runs/t.json:rows[0].result.kid }}')).toThrow(/no field "kid"/);
      expect(() => r('{{ runs/t.json:rows[0].result }}')).toThrow(/is not a number/);
      expect(() => r('{{ runs/t.json:step | %% }}')).toThrow(/unknown format/);
      expect(() => r('{{ T:step }}')).toThrow(/"T:" is not a data file/);
      expect(() => r('{{ runs/t.json:step / 0 }}')).toThrow(/not a finite number/);
      expect(() => r('{{ ( runs/t.json:step }}')).toThrow(/not closed/);
      expect(() => r('{{ runs/t.json:step step }}')).toThrow(/unexpected "step"/);
    });

    /**
     * Figures a lesson may type by hand because nobody measured them here: quoted from a paper or a
     * released configuration, or arithmetic on an architecture. Anything else that looks measured (a
     * percentage, a ratio, a time, a decimal) must come from data.
     */
    const NOT_MEASURED: Record<string, string[]> = {
      latent: ['8×', '48×'], // Stable Diffusion's 512×512×3 → 64×64×4: 8× per side, 48× fewer numbers
      'text-to-image': ['10%'], // chance for ten digits
      limits: ['60%', '10%', '10 s'], // the experiments' settings: the big class's share, one of ten asked, one press of Train
      'gan-vae': ['3.32', '1.00', '80%'], // log2 10 (ten equal classes); real against real; the share "classes holding 80%" counts to
    };

    it('no ready lesson types a measured figure into its prose', () => {
      for (const l of LESSONS.filter((x) => x.load)) {
        const prose = readFileSync(`lessons/${l.id}/lesson.md`, 'utf8')
          .replace(/\$\$[\s\S]+?\$\$/g, ' ') // display math
          .replace(/\$[^$\n]+\$/g, ' ') // inline math
          .replace(/`[^`]*`/g, ' ') // code
          .replace(/\{\{[^{}]*\}\}/g, ' ') // figures from data
          .replace(/<[^>]+>/g, ' ') // live cells
          .replace(/\]\([^)]*\)/g, ']') // link targets
          .replace(/\b(sections?|eqs?\.|Table|Algorithm) \d+(\.\d+)*/g, ' '); // places in a paper
        const measured =
          /(?<![\w.])\d[\d,]*(\.\d+)?(\s?(%|ms\b|s\b|seconds?\b|minutes?\b|hours?\b|dB\b)|×(?!\d))|(?<![\w.=×])\d+\.\d+(?![\d×])|(?<![\w.])\d+ of \d+/g;
        const found = [...prose.matchAll(measured)]
          .map((m) => m[0].trim())
          .filter((x) => !/^0\.\d+$/.test(x)) // thresholds and settings below 1 (confidence 0.9, η=0.5, β)
          .filter((x) => !(NOT_MEASURED[l.id] ?? []).includes(x));
        expect(found, `${l.id}: write these as {{ file.json:path }}`).toEqual([]);
      }
    });
  });
});
