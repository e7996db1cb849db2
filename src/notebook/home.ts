import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { deleteAllBrowserCheckpoints } from '../train/idb-checkpoints';
import { forgetAllLocal } from './theme';
import { fetchOfflineList, keepWholeCourse, keepsWholeCourse, megabytes, type KeepProgress } from './offline';
import type { OfflineList } from './offline-files';
import { routeStepHash, type ClassRoute, type LessonEntry } from './course';

/** The home page: every lesson with what you will learn and how long it takes. */
@customElement('dl-home')
export class DlHome extends LitElement {
  /** Query string to carry into lesson links (e.g. backend=wasm). */
  @property() carry = '';
  /** The lessons, in reading order. */
  @property({ attribute: false }) lessons: readonly LessonEntry[] = [];
  /** Timed class routes. */
  @property({ attribute: false }) routes: readonly ClassRoute[] = [];

  protected override createRenderRoot() {
    return this; // light DOM: shares the page's typography
  }

  override render() {
    const suffix = this.carry ? `?${this.carry}` : '';
    return html`<section class="home">
      <h1>Diffusion Lab</h1>
      <p class="lead">
        Learn how diffusion models work by running real ones in your browser: noise real MNIST digits, train a
        small model on your own computer, and sample from it. Nothing leaves your machine.
      </p>
      <ol class="lesson-list">
        ${this.lessons.map((l, i) =>
          l.load
            ? html`<li class="lesson-card">
                <span class="num">${i + 1}</span><a href="#/${l.id}${suffix}">${l.title}</a>
                <p>${l.summary}</p>
                <span class="meta">about ${l.minutes} min</span>
              </li>`
            : html`<li class="lesson-card planned" aria-disabled="true">
                <span class="num">${i + 1}</span><span class="title">${l.title}</span>
                <p>${l.summary}</p>
                <span class="meta">in preparation</span>
              </li>`,
        )}
      </ol>
      ${
        this.routes.length
          ? html`<section class="routes" aria-labelledby="routes-h">
              <h2 id="routes-h">Teaching a class</h2>
              <p>
                A route opens each stop in presenter mode (large type, teacher's notes, Page Down from cell to
                cell) and shows the way to the next one. The QR button gives students the same view.
              </p>
              <ul>
                ${this.routes.map(
                  (r) =>
                    html`<li>
                      <a class="route" href=${routeStepHash(r, 0)}>${r.title}</a>: ${r.steps.length} stops,
                      ${r.steps.map((s) => `${s.what.replace(/[.?!]$/, '')} (${s.minutes} min)`).join(' · ')}
                    </li>`,
                )}
              </ul>
            </section>`
          : nothing
      }
      ${this.renderOffline()}
      <section class="reset" aria-labelledby="reset-h">
        <h2 id="reset-h">Before the next class</h2>
        <p>
          This browser remembers the light or dark theme, projector mode, which TF.js backend was fastest, any
          training saved with <em>Save in this browser</em> and any files kept for offline use. Clear them to
          hand the machine to the next student.
        </p>
        <button type="button" class="clear-data" @click=${() => void this.clear()}>
          Clear what this browser saved
        </button>
        ${this.cleared ? html`<span class="status" role="status">${this.cleared}</span>` : nothing}
      </section>
    </section>`;
  }

  /** The built site's list of files (none in development, or before it arrives). */
  @state() offlineList: OfflineList | null = null;
  /** Keeping the course: progress while it runs, then what happened. */
  @state() keeping: KeepProgress | null = null;
  @state() offlineMessage = '';
  @state() keptAll = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (import.meta.env.PROD)
      fetchOfflineList().then(
        async (list) => {
          this.offlineList = list;
          this.keptAll = await keepsWholeCourse(list); // false, never a rejection, where nothing can be kept
        },
        () => undefined, // offline or not a built site: the section stays hidden
      );
  }

  /** Before class: download every lesson's files once, so the class works without the network. */
  private renderOffline() {
    const list = this.offlineList;
    if (!list) return nothing;
    const total = list.files.reduce((a, f) => a + f.bytes, 0);
    const p = this.keeping;
    return html`<section class="offline" aria-labelledby="offline-h">
      <h2 id="offline-h">Without the network</h2>
      <p>
        Lessons you open are kept in this browser and work offline afterwards. Before a class on flaky Wi-Fi,
        keep the whole course on this device: every model and the training digits, ${megabytes(total)} in all.
      </p>
      <button type="button" class="keep-offline" ?disabled=${!!p} @click=${() => void this.keepOffline(list)}>
        ${this.keptAll ? 'Check the offline copy again' : `Keep the whole course on this device (${megabytes(total)})`}
      </button>
      ${
        p
          ? html`<progress max=${p.total} value=${p.done} aria-label="Keeping the course offline"></progress>
              <span class="status" role="status"
                >${megabytes(p.done)} of ${megabytes(p.total)}${p.file ? ` · ${p.file}` : ''}</span
              >`
          : this.offlineMessage
            ? html`<span class="status" role="status">${this.offlineMessage}</span>`
            : this.keptAll
              ? html`<span class="status" role="status">The whole course is on this device.</span>`
              : nothing
      }
    </section>`;
  }

  private async keepOffline(list: OfflineList): Promise<void> {
    this.offlineMessage = '';
    this.keeping = { done: 0, total: 0, file: '' };
    try {
      const total = await keepWholeCourse(list, (p) => (this.keeping = p));
      this.keptAll = true;
      this.offlineMessage = `Done: the whole course (${megabytes(total)}) is on this device and works without the network.`;
    } catch (e) {
      this.offlineMessage = `Not finished: ${(e as Error).message}.`;
    } finally {
      this.keeping = null;
    }
  }

  /** What the last clearing did (shown beside the button). */
  @state() cleared = '';

  /** Forget the preferences and delete the saved checkpoints, after asking. */
  async clear(
    ask: () => boolean = () =>
      confirm(
        'Clear everything this course stored in this browser? The theme, projector mode, the remembered backend, every saved training run (download its weights first to keep it) and any offline copies will be gone.',
      ),
  ): Promise<void> {
    if (!ask()) return;
    forgetAllLocal();
    try {
      await deleteAllBrowserCheckpoints();
      if ('caches' in window) for (const k of await caches.keys()) await caches.delete(k);
      this.cleared =
        'Cleared: theme, projector mode, the remembered backend, saved training and offline copies are gone from this browser.';
    } catch (e) {
      this.cleared = `Preferences cleared, but ${(e as Error).message}.`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-home': DlHome;
  }
}
