export function serveBuild(
  dir: string,
  prefix?: string,
): Promise<{ origin: string; site: string; setDown(v: boolean): void; close(): void }>;
