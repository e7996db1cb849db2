/**
 * Markdown templates with `{{name}}` fields, for model cards: the prose lives in a .md file beside the
 * code, the numbers come from the data. A field the template names but the values lack (or one given
 * but never used) is an error, so a card can never silently show a stale or missing figure.
 */
import { readFileSync } from 'node:fs';
import type { OptimConfig } from '../train/trainer';

export function renderTemplate(template: string, values: Record<string, string | number>): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{\s*([A-Za-z][\w.]*)\s*\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the template needs a value for {{${name}}}`);
    used.add(name);
    return String(values[name]);
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`values the template never uses: ${unused.join(', ')}`);
  return out;
}

/** A template stored beside this module in cards/ (e.g. "ddpm.md"). */
export function cardTemplate(name: string): string {
  return readFileSync(new URL(`./cards/${name}`, import.meta.url), 'utf8');
}

/** A run's optimiser in a card's words: "Adam, lr 0.001 (linear warm-up over 200 steps), 0.0002 from step 6,000, …". */
export function optimiserText(cfg: OptimConfig): string {
  const later = (cfg.lrSteps ?? [])
    .map(([from, lr]) => `, ${lr} from step ${from.toLocaleString('en')}`)
    .join('');
  const betas =
    cfg.beta1 === undefined && cfg.beta2 === undefined
      ? ''
      : ` (β₁ ${cfg.beta1 ?? 0.9}, β₂ ${cfg.beta2 ?? 0.999})`;
  return `Adam${betas}, lr ${cfg.lr} (linear warm-up over ${cfg.warmup} steps)${later}, global-norm clip ${cfg.clipNorm}, batch ${cfg.batch}, seed ${cfg.seed}`;
}

/** The mean of the last 20 reported losses, for a card: "0.0359 (<what>, mean of the last 20 reports)". */
export function recentLossText(history: [number, number][], what?: string): string {
  const last = history.slice(-20);
  const mean = last.length ? last.reduce((a, [, l]) => a + l, 0) / last.length : NaN;
  return `${Number.isFinite(mean) ? mean.toFixed(4) : '–'} (${what ? `${what}, ` : ''}mean of the last ${last.length} reports)`;
}
