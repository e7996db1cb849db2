import type { LessonModule } from '../../src/notebook/course';
import './gallery';
import './interpolate';
import './family-train';
import '../../src/notebook/live-train/panel';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { familyStore } from './params';

export default { html, store: familyStore } satisfies LessonModule;
