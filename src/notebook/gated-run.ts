/**
 * A cell's expensive async work, run one way everywhere: the work of the current arguments, with an
 * abort signal; single-flight (a new run stops the old one and waits for it to unwind, so two never
 * share the backend); started on its own, debounced, only when cheap enough, and otherwise left for a
 * button that calls run(); and a status the view renders: idle, waiting (for the button), pending,
 * complete or error (with the message shown in the cell, never an unhandled rejection).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type RunStatus = 'idle' | 'waiting' | 'pending' | 'complete' | 'error';

export interface GatedRunOptions<A> {
  /** The current arguments, or null while the cell cannot run (e.g. the model is still loading). */
  args(): A | null;
  /** What identifies a result: a change of key drops the old result and may start a run. */
  key(a: A): string;
  /** Whether a run with these arguments may start on its own (else it waits for run()). */
  cheap(a: A): boolean;
  /** The work; it must stop soon after `signal` aborts. */
  task(a: A, signal: AbortSignal): Promise<void>;
  /** Called when the key changes, before any new run (drop stale results here). */
  reset?(): void;
  /** Prefix of the error shown in the cell ("Sampling failed"). */
  errorPrefix: string;
  /** Quiet time after the last change before an automatic start (ms, default 250). */
  debounceMs?: number;
}

export class GatedRun<A> implements ReactiveController {
  status: RunStatus = 'idle';
  error = '';
  private ctl: AbortController | null = null;
  private current: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastKey: string | null = null;
  /** run() calls in progress (including one waiting for a stopped run to unwind). */
  private inRun = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: GatedRunOptions<A>,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.checkIdle();
  }

  /** Whether a run is in flight. */
  get running(): boolean {
    return this.status === 'pending';
  }

  /** Call whenever the arguments may have changed: a new key drops the result and starts a run if cheap. */
  argsChanged(): void {
    const a = this.opts.args();
    if (a === null) return;
    const key = this.opts.key(a);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.stop();
    this.opts.reset?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.opts.cheap(a)) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.run();
      }, this.opts.debounceMs ?? 250);
    } else {
      this.set('waiting');
      this.checkIdle();
    }
  }

  /**
   * Resolves once nothing is scheduled or running: the result of the latest arguments is shown, or
   * its error, or the cell waits for its button. (Tests await this instead of polling.)
   */
  settled(): Promise<void> {
    if (!this.timer && this.inRun === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.timer || this.inRun > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Run now with the current arguments (stopping any run first). Never rejects: errors go to `error`. */
  async run(): Promise<void> {
    this.inRun++;
    try {
      await this.runOnce();
    } finally {
      this.inRun--;
      this.checkIdle();
    }
  }

  private async runOnce(): Promise<void> {
    const a = this.opts.args();
    if (a === null) return;
    this.ctl?.abort();
    const ctl = new AbortController();
    this.ctl = ctl;
    await this.current?.catch(() => undefined); // let a stopped run unwind first
    if (ctl.signal.aborted) return;
    this.error = '';
    this.set('pending');
    this.current = this.opts.task(a, ctl.signal);
    try {
      await this.current;
      if (this.ctl === ctl) this.set(ctl.signal.aborted ? 'idle' : 'complete');
    } catch (e) {
      if (this.ctl !== ctl) return;
      this.error = `${this.opts.errorPrefix}: ${e instanceof Error ? e.message : String(e)}`;
      this.set('error');
    }
  }

  /** Stop the run in flight, if any. */
  stop(): void {
    this.ctl?.abort();
    this.ctl = null; // the stopped run no longer owns the status: its end (or failure) changes nothing
    if (this.status === 'pending') this.set('idle');
  }

  private set(s: RunStatus): void {
    this.status = s;
    this.host.requestUpdate();
  }
}
