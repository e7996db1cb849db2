/**
 * Lesson prose: Markdown with embedded custom elements (live cells) and KaTeX math, compiled to HTML
 * at build time so a teacher edits prose without touching TypeScript and the page ships no TeX.
 * $$...$$ is display math, $...$ inline math. Math is cut out before Markdown runs, so `_` and `*`
 * inside formulas are never read as emphasis.
 */
import katex from 'katex';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: true, typographer: true });

export function renderLessonMarkdown(source: string, file = 'lesson'): string {
  const math: string[] = [];
  const keep = (tex: string, displayMode: boolean) => {
    try {
      math.push(katex.renderToString(tex, { displayMode, throwOnError: true, output: 'htmlAndMathml' }));
    } catch (e) {
      throw new Error(`${file}: bad TeX "${tex}": ${(e as Error).message}`);
    }
    return `@@MATH${math.length - 1}@@`;
  };
  const text = source
    .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex: string) => `\n\n${keep(tex.trim(), true)}\n\n`)
    .replace(/(?<![\\$])\$([^$\n]+?)\$/g, (_, tex: string) => keep(tex, false));
  return md.render(text).replace(/@@MATH(\d+)@@/g, (_, i: string) => math[Number(i)]!);
}
