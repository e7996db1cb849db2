import type { LessonModule } from '../../src/notebook/course';
import './encode';
import './interpolate';
import './forward';
import './sample';
import './cost';
import '../../src/notebook/live-train/panel';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { latentStore } from './params';

export default { html, store: latentStore } satisfies LessonModule;
