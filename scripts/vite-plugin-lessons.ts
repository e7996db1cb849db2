/**
 * `import lesson from './lesson.md'` gives the lesson's HTML (see lesson-markdown.ts). The JSON files its
 * `{{ … }}` figures come from are watched, so the dev server rebuilds the lesson when a table changes.
 */
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { dataFiles } from './lesson-data';
import { renderLessonMarkdown } from './lesson-markdown';

export function lessonsPlugin(): Plugin {
  return {
    name: 'diffusion-lab-lessons',
    transform(code, id) {
      if (!id.endsWith('.md')) return null;
      for (const f of dataFiles(code)) this.addWatchFile(resolve(f));
      return { code: `export default ${JSON.stringify(renderLessonMarkdown(code, id))};`, map: null };
    },
  };
}
