import type { LessonModule } from '../../src/notebook/course';
import './race';
import './quality';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { fastStore } from './params';

export default { html, store: fastStore } satisfies LessonModule;
