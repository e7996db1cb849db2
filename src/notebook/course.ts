/**
 * What the notebook shell knows of a lesson. The list itself lives in lessons/manifest.ts and is handed
 * to <dl-app> by src/main.ts, so the shell never imports the lessons (the layers point one way).
 */
export interface LessonModule {
  /** The lesson's prose and live cells, compiled from Markdown at build time. */
  html: string;
  /** The lesson's URL-backed parameters (a ParamStore), re-read when the address changes. */
  store?: { reload(): void };
}

export interface LessonEntry {
  /** URL id: #/forward */
  id: string;
  title: string;
  /** What you will learn, one sentence. */
  summary: string;
  /** Estimated reading-and-playing time. */
  minutes: number;
  prerequisites: string[];
  load?: () => Promise<LessonModule>;
}

/** One stop of a class route: a live cell of a lesson, and the minutes the plan gives it. */
export interface RouteStep {
  lesson: string;
  cell: string;
  minutes: number;
  /** What the class does there, in one line. */
  what: string;
}

/** A timed route through the course for one class (a 45- or 90-minute plan). */
export interface ClassRoute {
  id: string;
  title: string;
  steps: RouteStep[];
}

/** The address of step i of a route: presenter mode, that lesson, opened at that cell. */
export function routeStepHash(route: ClassRoute, i: number): string {
  const s = route.steps[i]!;
  return `#/${s.lesson}?present=1&route=${route.id}&step=${i + 1}&cell=${s.cell}`;
}

/** Position of a lesson in the list, -1 if it is not there. */
export function lessonIndex(lessons: readonly LessonEntry[], id: string): number {
  return lessons.findIndex((l) => l.id === id);
}
