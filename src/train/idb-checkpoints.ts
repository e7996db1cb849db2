/**
 * Checkpoints in the browser: one IndexedDB record per key, written in a single transaction, so a
 * save interrupted by a closed tab leaves the previous checkpoint intact.
 */
const DB = 'diffusion-lab';
const STORE = 'checkpoints';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(
        new Error(`IndexedDB unavailable: ${req.error?.message ?? 'unknown error'} (private browsing?)`),
      );
  });
}

async function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () =>
        reject(
          new Error(`saving in the browser failed: ${tx.error?.message ?? 'aborted'} (storage full?)`, {
            cause: tx.error, // a QuotaExceededError when the browser's storage is full
          }),
        );
    });
  } finally {
    db.close();
  }
}

export function saveBrowserCheckpoint(key: string, bytes: Uint8Array): Promise<unknown> {
  return run('readwrite', (s) => s.put(bytes, key));
}

export async function loadBrowserCheckpoint(key: string): Promise<Uint8Array | null> {
  const v = await run<unknown>('readonly', (s) => s.get(key));
  return v instanceof Uint8Array ? v : null;
}

export function deleteBrowserCheckpoint(key: string): Promise<unknown> {
  return run('readwrite', (s) => s.delete(key));
}

/** Delete every checkpoint this browser keeps for the course (the whole database). */
export function deleteAllBrowserCheckpoints(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = () => resolve();
    req.onerror = () =>
      reject(new Error(`could not clear the saved checkpoints: ${req.error?.message ?? 'unknown error'}`));
    // another tab still has it open: the deletion waits for it, which is not worth blocking the page on
    req.onblocked = () => resolve();
  });
}
