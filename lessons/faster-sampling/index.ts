import type { LessonModule } from '../manifest';
import './race';
import './quality';
import html from './lesson.md';
import { fastStore } from './params';

export default { html, store: fastStore } satisfies LessonModule;
