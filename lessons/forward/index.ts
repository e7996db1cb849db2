import type { LessonModule } from '../manifest';
import { forwardStore } from './cells';
import html from './lesson.md';

export default { html, store: forwardStore } satisfies LessonModule;
