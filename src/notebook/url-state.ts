/**
 * Typed URL state: one declarative table of parameters per lesson (TensorFlow Playground's idea),
 * serialized in the hash as `#/forward?t=250&schedule=cosine&seed=3`, so any view can be shared as a
 * link and restored exactly. Bad values in a hand-edited URL fall back to the default (or are clamped),
 * never throw.
 */

export interface ParamSpec<T> {
  readonly default: T;
  parse(raw: string): T | undefined;
  format(value: T): string;
}

export function intParam(def: number, min: number, max: number): ParamSpec<number> {
  return {
    default: def,
    parse: (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) return undefined;
      return Math.min(max, Math.max(min, Number(raw)));
    },
    format: (v) => String(v),
  };
}

export function enumParam<E extends string>(values: readonly E[], def: E): ParamSpec<E> {
  return {
    default: def,
    parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as E) : undefined),
    format: (v) => v,
  };
}

/** A number in [min, max] on a grid of `step` (a hand-edited value is clamped and rounded to it). */
export function numberParam(def: number, min: number, max: number, step: number): ParamSpec<number> {
  return {
    default: def,
    parse: (raw) => {
      if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) return undefined;
      const v = Math.min(max, Math.max(min, Number(raw)));
      return Number((Math.round(v / step) * step).toFixed(6));
    },
    format: (v) => String(v),
  };
}

/** Free text (a prompt), at most `maxLength` characters in the URL: longer text keeps its beginning. */
export function textParam(def: string, maxLength: number): ParamSpec<string> {
  return {
    default: def,
    parse: (raw) => raw.slice(0, maxLength),
    format: (v) => v.slice(0, maxLength),
  };
}

export function boolParam(def: boolean): ParamSpec<boolean> {
  return {
    default: def,
    parse: (raw) =>
      raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined,
    format: (v) => (v ? '1' : '0'),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of specs of different types
export type ParamTable = Record<string, ParamSpec<any>>;
export type ValuesOf<P extends ParamTable> = { [K in keyof P]: P[K] extends ParamSpec<infer T> ? T : never };

export function defaults<P extends ParamTable>(table: P): ValuesOf<P> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(table)) out[k] = spec.default;
  return out as ValuesOf<P>;
}

export function parseParams<P extends ParamTable>(table: P, query: URLSearchParams): ValuesOf<P> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(table)) {
    const raw = query.get(k);
    const v = raw === null ? undefined : spec.parse(raw);
    out[k] = v === undefined ? spec.default : v;
  }
  return out as ValuesOf<P>;
}

/** Writes every parameter of the table into query (keeps keys that belong to other tables). */
export function writeParams<P extends ParamTable>(
  table: P,
  values: ValuesOf<P>,
  query: URLSearchParams,
): void {
  for (const [k, spec] of Object.entries(table)) query.set(k, spec.format(values[k]));
}

export interface Route {
  /** Lesson id, or null for the home page. */
  lesson: string | null;
  query: URLSearchParams;
}

/** decodeURIComponent, or the text as it is when it holds a malformed escape (a typed "#/forward%"). */
function decodeOr(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const q = h.indexOf('?');
  const path = (q >= 0 ? h.slice(0, q) : h).replace(/^\/+|\/+$/g, '');
  return {
    lesson: path ? decodeOr(path) : null,
    query: new URLSearchParams(q >= 0 ? h.slice(q + 1) : ''),
  };
}

export function formatHash(route: Route): string {
  const qs = route.query.toString();
  return `#/${route.lesson ? encodeURIComponent(route.lesson) : ''}${qs ? '?' + qs : ''}`;
}
