export const CHROMIUM_CANDIDATES: string[];
export function findChromium(): string | undefined;
export const chromiumArgs: string[];
