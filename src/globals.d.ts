declare const __COURSE_VERSION__: string | undefined;
