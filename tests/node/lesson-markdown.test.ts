import { describe, expect, it } from 'vitest';
import { renderLessonMarkdown } from '../../scripts/lesson-markdown';
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

  it('the forward lesson compiles, and the manifest lists it first', () => {
    const html = renderLessonMarkdown(readFileSync('lessons/forward/lesson.md', 'utf8'));
    for (const tag of ['dl-forward-explorer', 'dl-chain-vs-jump', 'dl-schedule-charts'])
      expect(html).toContain(`<${tag}>`);
    expect(LESSONS[0]!.id).toBe('forward');
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
  });

  it('every ready lesson compiles, and each live cell it names is defined by its module', () => {
    for (const l of LESSONS.filter((x) => x.load)) {
      const md = readFileSync(`lessons/${l.id}/lesson.md`, 'utf8');
      const html = renderLessonMarkdown(md, `${l.id}/lesson.md`);
      const tags = [...new Set([...html.matchAll(/<(dl-[a-z-]+)>/g)].map((m) => m[1]!))];
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
});
