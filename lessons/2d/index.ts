import type { LessonModule } from '../../src/notebook/course';
import './forward';
import './lab';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { toyStore } from './params';

export default { html, store: toyStore } satisfies LessonModule;
