/**
 * Numbers from data in lesson prose: `{{ expression | format }}` is replaced at build time by a value
 * read from a committed JSON file, so a measured figure in the text cannot drift from its table.
 *
 * A reference names a file (from the repository root) and a path into it:
 *   models/ddpm-mnist/sampling.json:rows[sampler=ddim,eta=0,steps=50].result.fid
 * `rows[k=v,…]` picks the one array element whose fields equal those values (numbers compare as
 * numbers; a dotted key such as `source.steps` reaches into the element; exactly one element must match),
 * `rows[2]` an index, `.name` a field.
 * An expression combines references and numbers with + - * / and parentheses, operators written with
 * spaces around them: `{{ A / B - 1 | %0 }}` ("11%").
 * Formats: `.1` (one decimal), `int` (rounded, with thousands separators: 43,569), `%0` / `%1` (a share
 * as a percentage with 0 or 1 decimals: 0.765 → 76.5%), `x1` (a ratio: 2.8×). Without a format a
 * number prints with up to 3 significant decimals.
 * A lesson names the files it reads once, `{{data S = models/ddpm-mnist/sampling.json}}` (which prints
 * nothing), and then writes `S:rows[…].result.fid`.
 * Anything that does not resolve (a missing file, field, or an ambiguous filter) fails the build with
 * the lesson's name and the reference.
 */

export type ReadJson = (file: string) => unknown;

const REF = /^[\w./-]+\.json:\S+$/;

const ALIAS = /\{\{\s*data\s+(\w+)\s*=\s*([\w./-]+\.json)\s*\}\}\n?/g;

/** The `{{data NAME = file.json}}` definitions of a source, and the source without them. */
function aliases(source: string): { names: Map<string, string>; rest: string } {
  const names = new Map<string, string>();
  const rest = source.replace(ALIAS, (_, name: string, file: string) => (names.set(name, file), ''));
  return { names, rest };
}

/** An expression with NAME:path written out as file.json:path. */
function expand(expr: string, names: Map<string, string>, where: string): string {
  return expr.replace(/(^|\s)(\w+):(?=\S)/g, (m, sp: string, name: string) => {
    const file = names.get(name);
    if (!file) throw new Error(`${where}: "${name}:" is not a data file named by {{data ${name} = …}}`);
    return `${sp}${file}:`;
  });
}

/** Replace every `{{ … }}` in `source`. `readJson` reads a repository file (memoised by the caller). */
export function resolveDataRefs(source: string, readJson: ReadJson, where = 'lesson'): string {
  const { names, rest } = aliases(source);
  return rest.replace(/\{\{([^{}]+)\}\}/g, (_, body: string) => {
    const [expr, fmt] = body.split('|').map((s) => s.trim()) as [string, string | undefined];
    try {
      return format(evaluate(expand(expr, names, where), readJson), fmt);
    } catch (e) {
      throw new Error(`${where}: {{${body}}}: ${(e as Error).message}`);
    }
  });
}

/** Every JSON file the `{{ … }}` references of `source` read (for the dev server to watch). */
export function dataFiles(source: string): string[] {
  const { names, rest } = aliases(source);
  const files = new Set<string>(names.values());
  for (const [, body] of rest.matchAll(/\{\{([^{}]+)\}\}/g))
    for (const tok of body!.split('|')[0]!.trim().split(/\s+/))
      if (REF.test(tok)) files.add(tok.slice(0, tok.indexOf('.json:') + 5));
  return [...files];
}

function evaluate(expr: string, readJson: ReadJson): number {
  const toks = expr.split(/\s+/).flatMap((t) => (REF.test(t) ? [t] : t.split(/(?=[()])|(?<=[()])/)));
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const atom = (): number => {
    const t = next();
    if (t === undefined) throw new Error('the expression ends too early');
    if (t === '(') {
      const v = sum();
      if (next() !== ')') throw new Error('a parenthesis is not closed');
      return v;
    }
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    if (REF.test(t)) return lookup(t, readJson);
    throw new Error(`"${t}" is neither a number nor a file.json:path reference`);
  };
  const product = (): number => {
    let v = atom();
    while (peek() === '*' || peek() === '/') v = next() === '*' ? v * atom() : v / atom();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + product() : v - product();
    return v;
  };
  const v = sum();
  if (i < toks.length) throw new Error(`unexpected "${toks[i]}"`);
  if (!Number.isFinite(v)) throw new Error(`the value is not a finite number (${v})`);
  return v;
}

function lookup(ref: string, readJson: ReadJson): number {
  const cut = ref.indexOf('.json:') + 5;
  const file = ref.slice(0, cut);
  let node: unknown = readJson(file);
  const path = ref.slice(cut + 1);
  for (const [, field, filter] of path.matchAll(/\.?([^.[\]]*)(?:\[([^\]]*)\])?/g)) {
    if (field === '' && filter === undefined) continue;
    if (field) {
      if (node === null || typeof node !== 'object' || !(field in node))
        throw new Error(`${file} has no field "${field}" there`);
      node = (node as Record<string, unknown>)[field];
    }
    if (filter !== undefined) node = pick(node, filter, file);
  }
  if (typeof node !== 'number')
    throw new Error(`${ref} is not a number (${JSON.stringify(node)?.slice(0, 60)})`);
  return node;
}

function pick(node: unknown, filter: string, file: string): unknown {
  if (!Array.isArray(node)) throw new Error(`${file}: [${filter}] applied to something that is not a list`);
  if (/^\d+$/.test(filter)) {
    if (Number(filter) >= node.length) throw new Error(`${file}: index ${filter} is past the end`);
    return node[Number(filter)];
  }
  const conds = filter.split(',').map((c) => {
    const [k, v] = c.split('=');
    if (!k || v === undefined) throw new Error(`${file}: "${c}" is not key=value`);
    return [k.trim(), v.trim()] as const;
  });
  const hits = node.filter((el) =>
    conds.every(([k, v]) => {
      // a dotted key reaches into the element: source.sampler=ddpm
      const x = k.split('.').reduce<unknown>((o, f) => (o as Record<string, unknown> | undefined)?.[f], el);
      return typeof x === 'number' ? x === Number(v) : String(x) === v;
    }),
  );
  if (hits.length !== 1)
    throw new Error(`${file}: [${filter}] matches ${hits.length} elements; it must match exactly one`);
  return hits[0];
}

function format(v: number, fmt: string | undefined): string {
  if (fmt === undefined || fmt === '') return String(Math.round(v * 1000) / 1000);
  const dec = /^\.(\d)$/.exec(fmt);
  if (dec) return v.toFixed(Number(dec[1]));
  if (fmt === 'int') return Math.round(v).toLocaleString('en');
  const pct = /^%(\d)$/.exec(fmt);
  if (pct) return `${(v * 100).toFixed(Number(pct[1]))}%`;
  const ratio = /^x(\d)$/.exec(fmt);
  if (ratio) return `${v.toFixed(Number(ratio[1]))}×`;
  throw new Error(`unknown format "${fmt}" (use .N, int, %N or xN)`);
}
