import type { LessonModule } from '../../src/notebook/course';
import { forwardStore } from './cells';
import '../../src/widgets/quiz';
import html from './lesson.md';

export default { html, store: forwardStore } satisfies LessonModule;
