import type { LessonModule } from '../../src/notebook/course';
import './tokens';
import './clip';
import './generate';
import './swap';
import './curve';
import '../../src/widgets/quiz';
import html from './lesson.md';
import { t2iStore } from './params';

export default { html, store: t2iStore } satisfies LessonModule;
