import type { LessonModule } from '../../src/notebook/course';
import '../../src/notebook/live-train/panel';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { liveStore } from '../../src/notebook/live-train/params';

export default { html, store: liveStore } satisfies LessonModule;
