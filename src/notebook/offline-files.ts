/**
 * What the built site keeps for offline use, shared by the service worker (src/sw.ts), the page
 * (offline.ts) and the build (scripts/vite-plugin-offline.ts). No imports: the service worker bundles it.
 */

/** The build's content version of the course files (compiled in by vite.config.ts; 'dev' without a build). */
export const COURSE_VERSION = typeof __COURSE_VERSION__ === 'string' ? __COURSE_VERSION__ : 'dev';

/** Every course-files cache starts with this; `dl-` so that "Clear what this browser saved" finds it. */
export const COURSE_CACHE_PREFIX = 'dl-course-';

/** The cache that holds the course files of one build (its content version). */
export function courseCacheName(version: string): string {
  return `${COURSE_CACHE_PREFIX}${version}`;
}

/** Course files: the models (weights, cards, measured tables) and the digits, cached on first use. */
export function isCourseFile(url: URL, scope: URL): boolean {
  if (!url.pathname.startsWith(scope.pathname)) return false;
  const rel = url.pathname.slice(scope.pathname.length);
  return rel.startsWith('models/') || rel.startsWith('data/');
}

/** `offline.json` beside the page: every file of the built site with its size, written by the build. */
export interface OfflineList {
  /** Content version of the course files (the same as the service worker's `?v=`). */
  version: string;
  /** Paths relative to the page, and their sizes in bytes. */
  files: { url: string; bytes: number }[];
}

/** A parsed offline list, or an error in plain words. */
export function parseOfflineList(json: unknown): OfflineList {
  const o = json as Partial<OfflineList> | null;
  if (
    !o ||
    typeof o.version !== 'string' ||
    !Array.isArray(o.files) ||
    !o.files.every(
      (f) =>
        f &&
        typeof f.url === 'string' &&
        !/^[a-z]+:|^\/|\.\./i.test(f.url) &&
        Number.isInteger(f.bytes) &&
        f.bytes >= 0,
    )
  )
    throw new Error('the list of course files is damaged');
  return { version: o.version, files: o.files.map((f) => ({ url: f.url, bytes: f.bytes })) };
}
