import type { LessonModule } from '../manifest';
import './panel';
import html from './lesson.md';

export default { html } satisfies LessonModule;
