/**
 * A lesson's live parameters, kept in step with the URL hash. Cells read `values`, write with `set()`,
 * and listen for 'change'. Scrubbing replaces the history entry instead of pushing one per frame.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { parseHash, parseParams, writeParams, formatHash, type ParamTable, type ValuesOf } from './url-state';

export class ParamStore<P extends ParamTable> extends EventTarget {
  values: ValuesOf<P>;

  constructor(
    readonly table: P,
    private readonly win: Pick<Window, 'location' | 'history'> = window,
    readonly urlDelayMs = 200,
  ) {
    super();
    this.values = parseParams(table, parseHash(win.location.hash).query);
  }

  private pending: ReturnType<typeof setTimeout> | null = null;

  /**
   * Update values now (listeners hear at once); the URL follows within `urlDelayMs`. Browsers throttle
   * history updates, so a slider scrubbing at 60 frames a second writes the address a few times a second.
   */
  set(partial: Partial<ValuesOf<P>>): void {
    const next = { ...this.values, ...partial };
    const changed = (Object.keys(partial) as (keyof P)[]).some((k) => next[k] !== this.values[k]);
    if (!changed) return;
    this.values = next;
    this.pending ??= setTimeout(() => this.flush(), this.urlDelayMs);
    this.dispatchEvent(new Event('change'));
  }

  /** Write the current values into the address now. */
  flush(): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    const route = parseHash(this.win.location.hash);
    writeParams(this.table, this.values, route.query);
    this.win.history.replaceState(this.win.history.state, '', formatHash(route));
  }

  /** Re-read the URL (after the user edits it or goes back). */
  reload(): void {
    // Our own writes use replaceState, which fires no hashchange: a reload means the user (or a link)
    // changed the address, so it wins over a write still due from scrubbing.
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    this.values = parseParams(this.table, parseHash(this.win.location.hash).query);
    this.dispatchEvent(new Event('change'));
  }
}

/** Re-renders a Lit host whenever the store changes. */
export class StoreController<P extends ParamTable> implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();
  constructor(
    private readonly host: ReactiveControllerHost,
    readonly store: ParamStore<P>,
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    this.store.addEventListener('change', this.onChange);
  }
  hostDisconnected(): void {
    this.store.removeEventListener('change', this.onChange);
  }
}
