import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BackendInfo } from '../runtime/backend';
import { startBackend } from '../runtime/session';
import '../widgets/backend-chip';
import '../widgets/qr-code';
import { startServiceWorker } from './offline';
import { studentUrl } from './presenter';
import './home';
import './lesson-page';
import type { DlLessonPage } from './lesson-page';
import { lessonIndex, routeStepHash, type ClassRoute, type LessonEntry } from './course';
import {
  applyPreferences,
  currentProjector,
  currentTheme,
  setPresenting,
  setProjector,
  setTheme,
  type Theme,
} from './theme';
import { boolParam, enumParam, formatHash, parseHash, parseParams, type Route } from './url-state';

/** Parameters that belong to the whole app rather than one lesson. */
const APP_PARAMS = {
  backend: enumParam(['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const, 'auto'),
  /** Presenter mode (src/notebook/presenter.ts). */
  present: boolParam(false),
};

/** Whether a key pressed in this element is typing (text fields, selects), not a shortcut. */
function typesText(el: HTMLElement): boolean {
  if (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)) return true;
  const nonText = ['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color'];
  return el.tagName === 'INPUT' && !nonText.includes((el as HTMLInputElement).type);
}

/** The notebook shell: header (backend chip, theme, projector), home or lesson, keyboard shortcuts. */
@customElement('dl-app')
export class DlApp extends LitElement {
  /** The course's lessons, in reading order (src/main.ts hands over lessons/manifest.ts). */
  @property({ attribute: false }) lessons: readonly LessonEntry[] = [];
  /** Timed class routes (lessons/manifest.ts ROUTES). */
  @property({ attribute: false }) routes: readonly ClassRoute[] = [];
  @state() private route: Route = parseHash(location.hash);
  @state() private backend: BackendInfo | null = null;
  @state() private backendError = '';
  @state() private theme: Theme = currentTheme();
  @state() private projector = currentProjector();
  /** The class link (QR code) panel is open. */
  @state() private classLink = false;
  /** A new version of the built site is waiting: this switches to it (and reloads). */
  @state() private applyUpdate: (() => void) | null = null;

  protected override createRenderRoot() {
    return this;
  }

  /** Whether the address asks for presenter mode. */
  private get presenting(): boolean {
    return parseParams(APP_PARAMS, this.route.query).present;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    setPresenting(this.presenting);
    applyPreferences(this.theme, this.projector);
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('keydown', this.onKey);
    startServiceWorker((apply) => (this.applyUpdate = apply));
    if (this.route.lesson) this.startTf();
  }

  /** TF.js started (it loads with the first lesson: the home page and the prose run no model). */
  @state() private tfStarted = false;

  private startTf() {
    if (this.tfStarted) return;
    this.tfStarted = true;
    const { backend } = parseParams(APP_PARAMS, this.route.query);
    // an address asking for a backend that does not exist is named in the chip, not silently dropped
    const asked = this.route.query.get('backend');
    const unknown = asked && asked !== backend ? asked : undefined;
    startBackend(backend === 'auto' ? undefined : backend).then(
      (info) => (this.backend = unknown ? { ...info, unknownRequest: unknown } : info),
      (e: Error) => (this.backendError = e.message),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('keydown', this.onKey);
  }

  private onHash = () => {
    const next = parseHash(location.hash);
    const sameLesson = next.lesson === this.route.lesson;
    this.route = next;
    if (next.lesson) this.startTf();
    setPresenting(this.presenting);
    if (sameLesson) this.querySelector<DlLessonPage>('dl-lesson-page')?.reloadParams();
    else window.scrollTo(0, 0);
  };

  private onKey = (e: KeyboardEvent) => {
    const el = e.composedPath()[0] as HTMLElement | undefined;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (el && typesText(el)) return; // "[", "p" and "d" are text there; a slider or a checkbox keeps the shortcuts
    if (e.key === '[' || e.key === ']') {
      const i = lessonIndex(this.lessons, this.route.lesson ?? '');
      const target = this.lessons[e.key === '[' ? i - 1 : i + 1];
      if (target?.load) location.hash = formatHash({ lesson: target.id, query: this.carryQuery() });
    } else if (e.key === 'd') {
      this.toggleTheme();
    } else if (e.key === 'p') {
      this.toggleProjector();
    } else if ((e.key === 'PageDown' || e.key === 'PageUp') && this.presenting) {
      // a presentation clicker: the next (or previous) live cell, even from a slider
      const page = this.querySelector<DlLessonPage>('dl-lesson-page');
      if (page?.stepCell(e.key === 'PageDown' ? 1 : -1)) e.preventDefault();
    }
  };

  /** Only the app-wide parameters travel from lesson to lesson. */
  private carryQuery(): URLSearchParams {
    const q = new URLSearchParams();
    const b = this.route.query.get('backend');
    if (b) q.set('backend', b);
    if (this.presenting) q.set('present', '1');
    return q;
  }

  /** On a step of a class route (route=…&step=…): where the class is, and the way to the next stop. */
  private renderRouteBar() {
    const q = this.route.query;
    const r = this.routes.find((x) => x.id === q.get('route'));
    const i = Number(q.get('step')) - 1;
    if (!r || !Number.isInteger(i) || !r.steps[i]) return '';
    const s = r.steps[i]!;
    const done = r.steps.slice(0, i).reduce((a, x) => a + x.minutes, 0);
    const total = r.steps.reduce((a, x) => a + x.minutes, 0);
    return html`<nav class="route-bar" aria-label="Class route">
      <strong>${r.title}</strong>
      <span
        >Step ${i + 1} of ${r.steps.length}: ${s.what} (${s.minutes} min; ${done} of ${total} min before
        it)</span
      >
      ${i > 0 ? html`<a class="route-prev" href=${routeStepHash(r, i - 1)}>← previous step</a>` : ''}
      ${i + 1 < r.steps.length ? html`<a class="route-next" href=${routeStepHash(r, i + 1)}>next step →</a>` : html`<span>end of the route</span>`}
    </nav>`;
  }

  /** The QR code of this view for students (without presenter mode), with the link as text. */
  private renderClassLink() {
    const url = studentUrl(location.href);
    return html`<section class="class-link-panel" aria-label="Link for the class">
      <dl-qr-code .text=${url} label="QR code of ${url}"></dl-qr-code>
      <p>Students scan this, or type: <code class="url">${url}</code></p>
      <button type="button" @click=${() => (this.classLink = false)}>Close</button>
    </section>`;
  }

  /** Enter or leave presenter mode by editing the address (so the mode travels with a copied link). */
  private togglePresenter() {
    const q = new URLSearchParams(this.route.query);
    if (this.presenting) q.delete('present');
    else q.set('present', '1');
    location.hash = formatHash({ lesson: this.route.lesson, query: q });
  }

  private toggleTheme() {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    setTheme(this.theme);
  }

  private toggleProjector() {
    this.projector = !this.projector;
    setProjector(this.projector);
  }

  override render() {
    const carry = this.carryQuery().toString();
    return html`
      <a
        class="skip"
        href="#main"
        @click=${(e: Event) => {
          e.preventDefault();
          this.querySelector<HTMLElement>('#main')?.focus();
        }}
        >Skip to content</a
      >
      <header class="topbar">
        <a class="brand" href="#/${carry ? '?' + carry : ''}">Diffusion Lab</a>
        <span class="spacer"></span>
        <dl-backend-chip
          .info=${this.backend}
          .error=${this.backendError}
          ?idle=${!this.tfStarted}
        ></dl-backend-chip>
        <button
          type="button"
          @click=${this.toggleTheme}
          aria-pressed=${this.theme === 'dark'}
          title="Dark theme (d)"
        >
          ${this.theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        <button
          type="button"
          @click=${this.toggleProjector}
          aria-pressed=${this.projector}
          title="Large type for projectors (p)"
        >
          Projector
        </button>
        <button
          type="button"
          class="class-link"
          @click=${() => (this.classLink = !this.classLink)}
          aria-expanded=${this.classLink}
          title="A QR code of this view for the class"
        >
          QR
        </button>
        <button
          type="button"
          class="present"
          @click=${this.togglePresenter}
          aria-pressed=${this.presenting}
          title="Presenter mode: large type, teacher notes and answers, Page Down to the next cell"
        >
          Present
        </button>
      </header>
      ${
        this.applyUpdate
          ? html`<div class="update-bar" role="status">
              A new version of Diffusion Lab is ready.
              <button type="button" @click=${this.applyUpdate}>Update now (reloads the page)</button>
              <button type="button" @click=${() => (this.applyUpdate = null)}>Later</button>
            </div>`
          : ''
      }
      ${this.renderRouteBar()} ${this.classLink ? this.renderClassLink() : ''}
      <main id="main" tabindex="-1">
        ${
          this.route.lesson
            ? html`<dl-lesson-page
                .lesson=${this.route.lesson}
                .lessons=${this.lessons}
                .carry=${carry}
              ></dl-lesson-page>`
            : html`<dl-home .lessons=${this.lessons} .routes=${this.routes} .carry=${carry}></dl-home>`
        }
      </main>
      <footer class="footer">
        Keys: <kbd>[</kbd> previous lesson · <kbd>]</kbd> next lesson · <kbd>d</kbd> dark/light ·
        <kbd>p</kbd> projector · Tab moves between controls, arrow keys move
        sliders${
          this.presenting ? html` · <kbd>Page Down</kbd> / <kbd>Page Up</kbd> next / previous cell` : ''
        }.
      </footer>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-app': DlApp;
  }
}
