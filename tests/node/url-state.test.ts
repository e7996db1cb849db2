import { describe, expect, it } from 'vitest';
import { ParamStore } from '../../src/notebook/store';
import {
  boolParam,
  enumParam,
  formatHash,
  intParam,
  parseHash,
  parseParams,
  writeParams,
} from '../../src/notebook/url-state';

const table = {
  t: intParam(250, 0, 999),
  schedule: enumParam(['linear', 'cosine'] as const, 'linear'),
  ztsnr: boolParam(false),
};

describe('URL state', () => {
  it('parses the lesson and parameters from the hash', () => {
    const r = parseHash('#/forward?t=300&schedule=cosine&ztsnr=1&backend=wasm');
    expect(r.lesson).toBe('forward');
    expect(parseParams(table, r.query)).toEqual({ t: 300, schedule: 'cosine', ztsnr: true });
    expect(parseHash('').lesson).toBeNull();
    // a malformed escape typed into the address is read as it is, never thrown (a blank page otherwise)
    expect(parseHash('#/forward%').lesson).toBe('forward%');
    expect(parseHash('#/for%E0%A4%Award?t=1').query.get('t')).toBe('1');
    expect(parseHash('#/').lesson).toBeNull();
  });

  it('round-trips every value through format and parse, keeping other keys', () => {
    const r = parseHash('#/forward?backend=wasm');
    writeParams(table, { t: 7, schedule: 'cosine', ztsnr: true }, r.query);
    const back = parseHash(formatHash(r));
    expect(back.lesson).toBe('forward');
    expect(back.query.get('backend')).toBe('wasm');
    expect(parseParams(table, back.query)).toEqual({ t: 7, schedule: 'cosine', ztsnr: true });
  });

  it('falls back to defaults or clamps when a hand-edited URL is wrong', () => {
    const q = new URLSearchParams('t=abc&schedule=quadratic&ztsnr=maybe');
    expect(parseParams(table, q)).toEqual({ t: 250, schedule: 'linear', ztsnr: false });
    expect(parseParams(table, new URLSearchParams('t=5000')).t).toBe(999);
    expect(parseParams(table, new URLSearchParams('t=-3')).t).toBe(0);
    expect(parseParams(table, new URLSearchParams('t=2.5')).t).toBe(250);
  });

  it('a store updates listeners at once and the address shortly after', async () => {
    const win = {
      location: { hash: '#/forward?backend=wasm&t=10' },
      history: {
        state: null,
        replaceState(_s: unknown, _u: string, url: string) {
          win.location.hash = url;
        },
      },
    };
    const store = new ParamStore(table, win as unknown as Window, 5);
    expect(store.values.t).toBe(10);
    let heard = 0;
    store.addEventListener('change', () => heard++);
    store.set({ t: 11 });
    store.set({ t: 12 });
    store.set({ t: 12 }); // no change: no event
    expect(heard).toBe(2);
    expect(win.location.hash).toContain('t=10');
    await new Promise((r) => setTimeout(r, 20));
    expect(parseParams(table, parseHash(win.location.hash).query).t).toBe(12);
    expect(parseHash(win.location.hash).query.get('backend')).toBe('wasm');
    win.location.hash = '#/forward?t=99&schedule=cosine';
    store.reload();
    expect(store.values).toEqual({ t: 99, schedule: 'cosine', ztsnr: false });
  });
});
