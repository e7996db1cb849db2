import type { LessonModule } from '../manifest';
import './panel';
import html from './lesson.md';
import { liveStore } from './params';

export default { html, store: liveStore } satisfies LessonModule;
