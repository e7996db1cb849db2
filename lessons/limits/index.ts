import type { LessonModule } from '../../src/notebook/course';
import './cells';
import './bias-2d';
import './canvas-cell';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { limitsStore } from './params';

export default { html, store: limitsStore } satisfies LessonModule;
