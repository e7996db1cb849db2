/// <reference lib="webworker" />
/**
 * The service worker of the built site (vite-plugin-pwa builds it with Workbox; dev and tests run
 * without one). Two caches:
 * - the app shell, precached at install: the page, its scripts and styles, the WASM binaries and the
 *   test digits, which is all the first lesson needs (Workbox's manifest, revisioned per file);
 * - the course files (models/ and data/: weights, model cards, training digits), kept on first use and
 *   by the "Keep the whole course on this device" button, in a cache named after their content (the
 *   build's course version, compiled into this script), so a build with new weights is a new worker with
 *   a new cache, and the old cache goes when it takes over.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { COURSE_CACHE_PREFIX, COURSE_VERSION, courseCacheName, isCourseFile } from './notebook/offline-files';

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
clientsClaim(); // the first visit's page is served offline too, without a reload

const cacheName = courseCacheName(COURSE_VERSION);
const scope = new URL(self.registration.scope);

registerRoute(
  ({ url }) => url.origin === scope.origin && isCourseFile(url, scope),
  new CacheFirst({ cacheName }),
);

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith(COURSE_CACHE_PREFIX) && k !== cacheName)
            .map((k) => caches.delete(k)),
        ),
      ),
  );
});

// The page's update prompt asks the waiting worker to take over (workbox-window's messageSkipWaiting).
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
