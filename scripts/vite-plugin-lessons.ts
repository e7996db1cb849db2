/** `import lesson from './lesson.md'` gives the lesson's HTML (see lesson-markdown.ts). */
import type { Plugin } from 'vite';
import { renderLessonMarkdown } from './lesson-markdown';

export function lessonsPlugin(): Plugin {
  return {
    name: 'diffusion-lab-lessons',
    transform(code, id) {
      if (!id.endsWith('.md')) return null;
      return { code: `export default ${JSON.stringify(renderLessonMarkdown(code, id))};`, map: null };
    },
  };
}
