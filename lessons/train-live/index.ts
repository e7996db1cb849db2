import type { LessonModule } from '../../src/notebook/course';
import './panel';
import html from './lesson.md';
import { liveStore } from './params';

export default { html, store: liveStore } satisfies LessonModule;
