/**
 * Lesson prose: Markdown with embedded custom elements (live cells) and KaTeX math, compiled to HTML
 * at build time so a teacher edits prose without touching TypeScript and the page ships no TeX.
 * $$...$$ is display math, $...$ inline math. Math is cut out before Markdown runs, so `_` and `*`
 * inside formulas are never read as emphasis. Measured figures are written as `{{ file.json:path | format }}`
 * and filled in from the committed data (lesson-data.ts), outside math.
 */
import { readFileSync } from 'node:fs';
import katex from 'katex';
import MarkdownIt from 'markdown-it';
import { resolveDataRefs, type ReadJson } from './lesson-data';

const md = new MarkdownIt({ html: true, typographer: true });

/** Read a committed JSON file (path from the repository root). */
export const readRepoJson: ReadJson = (file) => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no file ${file}`);
  }
  return JSON.parse(text) as unknown;
};

export function renderLessonMarkdown(
  source: string,
  file = 'lesson',
  readJson: ReadJson = readRepoJson,
): string {
  const math: string[] = [];
  const keep = (tex: string, displayMode: boolean) => {
    try {
      const out = katex.renderToString(tex, { displayMode, throwOnError: true, output: 'htmlAndMathml' });
      // a display formula wider than the page scrolls sideways: focusable, so a keyboard can scroll it too
      math.push(
        displayMode
          ? out.replace('<span class="katex-display">', '<span class="katex-display" tabindex="0">')
          : out,
      );
    } catch (e) {
      throw new Error(`${file}: bad TeX "${tex}": ${(e as Error).message}`);
    }
    return `@@MATH${math.length - 1}@@`;
  };
  const text = source
    .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex: string) => `\n\n${keep(tex.trim(), true)}\n\n`)
    .replace(/(?<![\\$])\$([^$\n]+?)\$/g, (_, tex: string) => keep(tex, false));
  return (
    md
      .render(resolveDataRefs(text, readJson, file))
      .replace(/@@MATH(\d+)@@/g, (_, i: string) => math[Number(i)]!)
      // a table wider than the page scrolls inside itself (styles.css): focusable, so a keyboard can scroll it
      .replace(/<table>/g, '<table tabindex="0">')
  );
}
