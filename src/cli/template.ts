/**
 * Markdown templates with `{{name}}` fields, for model cards: the prose lives in a .md file beside the
 * code, the numbers come from the data. A field the template names but the values lack (or one given
 * but never used) is an error, so a card can never silently show a stale or missing figure.
 */
import { readFileSync } from 'node:fs';

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
