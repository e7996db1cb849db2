import type { LessonModule } from '../../src/notebook/course';
import './predictor';
import './loss-by-t';
import './reverse';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { noiseStore } from './params';

export default { html, store: noiseStore } satisfies LessonModule;
