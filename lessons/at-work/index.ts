import type { LessonModule } from '../../src/notebook/course';
import './restore-cells';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { atWorkStore } from './params';

export default { html, store: atWorkStore } satisfies LessonModule;
