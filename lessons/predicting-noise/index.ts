import type { LessonModule } from '../manifest';
import './predictor';
import './loss-by-t';
import html from './lesson.md';
import { noiseStore } from './params';

export default { html, store: noiseStore } satisfies LessonModule;
