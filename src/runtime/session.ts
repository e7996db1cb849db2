/**
 * The app's one TF.js backend, chosen once at start-up (URL ?backend= may ask for one) and shared by
 * every cell. Loaded lazily so the first paint does not wait for TF.js.
 */
import type { BackendInfo, BackendName } from './backend';

let ready: Promise<BackendInfo> | null = null;

export function startBackend(requested?: BackendName): Promise<BackendInfo> {
  ready ??= import('./backend').then((m) => m.initBackend(requested));
  return ready;
}

/** The running backend; starts the default choice if nothing started it yet. */
export function backendReady(): Promise<BackendInfo> {
  return startBackend();
}
