/**
 * Offline use of the built site, page side: registering the service worker (src/sw.ts) with an update
 * prompt, and keeping the whole course on this device before class (every file of `offline.json`, with
 * progress, the total size and a plain-words message when the browser's storage is too small).
 */
import { Workbox } from 'workbox-window';
import {
  COURSE_VERSION,
  courseCacheName,
  isCourseFile,
  parseOfflineList,
  type OfflineList,
} from './offline-files';

/**
 * Registers the service worker of a built site (never in development or tests, which have none), after
 * the page has loaded so that it does not compete with the lesson for the network. `onUpdate` is called
 * when a new version is waiting, with the function that switches to it (and reloads).
 */
export function startServiceWorker(onUpdate: (apply: () => void) => void): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const wb = new Workbox('./sw.js');
  wb.addEventListener('waiting', () =>
    onUpdate(() => {
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    }),
  );
  // another tab updated: this one's scripts are the old version, so offer the reload here too
  wb.addEventListener('controlling', (e) => {
    if (e.isUpdate) onUpdate(() => location.reload());
  });
  const go = () => void wb.register().catch(() => undefined); // without it the site still works online
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go, { once: true });
}

/** The build's list of files, or an error in plain words (offline, or a development server). */
export async function fetchOfflineList(): Promise<OfflineList> {
  let res: Response;
  try {
    res = await fetch('./offline.json', { cache: 'no-store' });
  } catch {
    throw new Error('the list of course files could not be fetched: is this device online?');
  }
  if (!res.ok) throw new Error(`the list of course files is not on this site (HTTP ${res.status})`);
  return parseOfflineList(await res.json());
}

/** Whole megabytes for people. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

export interface KeepProgress {
  /** Bytes on this device so far (files already kept count at once). */
  done: number;
  total: number;
  /** The file being fetched. */
  file: string;
}

/** Whether this device keeps every course file of the list (the shell is precached by the service worker). */
export async function keepsWholeCourse(list: OfflineList): Promise<boolean> {
  if (!('caches' in window) || !navigator.serviceWorker?.controller || list.version !== COURSE_VERSION)
    return false;
  try {
    const cache = await caches.open(courseCacheName(COURSE_VERSION));
    const scope = new URL('./', location.href);
    for (const f of list.files) {
      const url = new URL(f.url, location.href);
      if (isCourseFile(url, scope) && !(await cache.match(url.href))) return false;
    }
    return true;
  } catch {
    return false; // no Cache Storage here (a private window): the button will say why
  }
}

/**
 * Fetches every file of the course that this device does not keep yet and keeps it: course files go
 * straight into the service worker's cache of them, the app shell through the service worker's
 * precache. Checks the storage quota first. Resolves with the total size.
 */
export async function keepWholeCourse(
  list: OfflineList,
  onProgress: (p: KeepProgress) => void,
  signal?: AbortSignal,
): Promise<number> {
  if (!('caches' in window))
    throw new Error('this browser cannot keep files for offline use (no Cache Storage here)');
  if (list.version !== COURSE_VERSION)
    throw new Error('a newer version of the course has been published: update this page first (reload it)');
  if (!navigator.serviceWorker)
    throw new Error('this browser cannot keep the course for offline use (no service workers here)');
  // the shell (page, scripts, WASM, test digits) is precached when the service worker installs
  const ready = await Promise.race([
    navigator.serviceWorker.ready,
    new Promise<null>((r) => setTimeout(() => r(null), 30_000)),
  ]);
  if (!ready)
    throw new Error('the offline helper of this site has not started; reload the page once and try again');
  const total = list.files.reduce((a, f) => a + f.bytes, 0);
  const scope = new URL('./', location.href);
  const cache = await caches.open(courseCacheName(COURSE_VERSION));
  const missing = [];
  let done = 0;
  for (const f of list.files) {
    const url = new URL(f.url, location.href);
    if (!isCourseFile(url, scope) || (await cache.match(url.href))) done += f.bytes;
    else missing.push({ ...f, url });
  }
  const need = total - done;
  const est = await navigator.storage?.estimate?.();
  if (est?.quota !== undefined && est.usage !== undefined && est.quota - est.usage < need * 1.1)
    throw new Error(
      `this browser lets the course keep ${megabytes(Math.max(0, est.quota - est.usage))} more, and the course needs ${megabytes(need)}: free some space (or leave private browsing) and try again`,
    );
  void navigator.storage?.persist?.(); // ask the browser not to evict the course when space runs low
  onProgress({ done, total, file: '' });
  for (const f of missing) {
    signal?.throwIfAborted();
    const name = f.url.pathname.split('/').pop() ?? f.url.href;
    let res: Response;
    try {
      res = await fetch(f.url, { signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new Error(
        `the connection dropped while fetching ${name}; what was kept so far stays, try again to finish`,
      );
    }
    if (!res.ok || !res.body) throw new Error(`${name} could not be fetched (HTTP ${res.status})`);
    const chunks: Uint8Array[] = [];
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        chunks.push(value);
        done += value.byteLength;
        onProgress({ done: Math.min(done, total), total, file: name });
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new Error(
        `the connection dropped while fetching ${name}; what was kept so far stays, try again to finish`,
      );
    }
    try {
      await cache.put(f.url.href, new Response(new Blob(chunks as BlobPart[]), { headers: res.headers }));
    } catch {
      throw new Error(
        `this browser would not store ${name} (is its storage full?); what was kept so far stays`,
      );
    }
  }
  onProgress({ done: total, total, file: '' });
  return total;
}
