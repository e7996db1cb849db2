/** Light/dark theme and the large-type projector mode: remembered per browser, applied to <html>. */

export type Theme = 'light' | 'dark';

const KEY_THEME = 'dl-theme';
const KEY_PROJECTOR = 'dl-projector';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage blocked (private mode, file://): preferences just are not remembered
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* see stored() */
  }
}

export function currentTheme(): Theme {
  const s = stored(KEY_THEME);
  if (s === 'light' || s === 'dark') return s;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function currentProjector(): boolean {
  return stored(KEY_PROJECTOR) === '1';
}

/** Whether the page is in presenter mode (set from the address by the app: `present=1`). */
let presenting = false;

export function applyPreferences(theme = currentTheme(), projector = currentProjector()): void {
  const root = document.documentElement;
  root.dataset.theme = theme;
  // presenter mode brings the projector's large type with it
  root.classList.toggle('projector', projector || presenting);
  root.classList.toggle('presenter', presenting);
}

/** Enter or leave presenter mode (not remembered: it lives in the address, so it travels with a link). */
export function setPresenting(on: boolean): void {
  presenting = on;
  applyPreferences();
}

export function setTheme(theme: Theme): void {
  store(KEY_THEME, theme);
  applyPreferences(theme);
}

export function setProjector(on: boolean): void {
  store(KEY_PROJECTOR, on ? '1' : '0');
  applyPreferences(undefined, on);
}

/**
 * Forget everything the course keeps in localStorage (every key it writes starts with "dl-": the theme,
 * projector mode, the remembered fastest backend), back to the system's theme and normal type.
 */
export function forgetAllLocal(): void {
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith('dl-')) localStorage.removeItem(k);
  } catch {
    /* see stored() */
  }
  applyPreferences();
}
