import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { lessonIndex, type LessonEntry, type LessonModule } from './course';
import { formatHash, parseHash } from './url-state';
import { applyView, clearView, parseTargets, stepCell, type PresenterView } from './presenter';

/** One lesson: its prose and live cells, with previous/next navigation. */
@customElement('dl-lesson-page')
export class DlLessonPage extends LitElement {
  /** Lesson id from the URL. */
  @property() lesson = '';
  /** Query string to carry into navigation links (e.g. backend=wasm). */
  @property() carry = '';
  /** The lessons, in reading order. */
  @property({ attribute: false }) lessons: readonly LessonEntry[] = [];

  @state() private module: LessonModule | null = null;
  @state() private error = '';

  protected override createRenderRoot() {
    return this; // light DOM: KaTeX and lesson typography are global styles
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lesson') || changed.has('lessons')) void this.load();
  }

  private async load(): Promise<void> {
    const id = this.lesson;
    this.module = null;
    this.focusedCell = null;
    this.error = '';
    const entry = this.lessons.find((l) => l.id === id);
    if (!entry?.load) {
      this.error = entry ? `“${entry.title}” is still in preparation.` : `There is no lesson called “${id}”.`;
      return;
    }
    try {
      const m = await entry.load();
      m.store?.reload(); // the module may be cached from an earlier visit with other parameters
      if (this.lesson === id) this.module = m;
    } catch (e) {
      if (this.lesson === id)
        this.error = `This lesson could not load: ${(e as Error).message}. Reload to try again.`;
    }
  }

  /** Elements the presenter view hid or locked, and the observers that keep it applied. */
  private touched: HTMLElement[] = [];
  private observers: MutationObserver[] = [];

  /** The presenter view the address asks for, or null outside presenter mode. */
  private view(): PresenterView | null {
    const q = parseHash(location.hash).query;
    if (q.get('present') !== '1') return null;
    return { hide: parseTargets(q.get('hide')), lock: parseTargets(q.get('lock')) };
  }

  /** Hide and lock what the address says (presenter mode), or undo it; kept applied as cells re-render. */
  private applyPresenterView(): void {
    clearView(this.touched);
    this.touched = [];
    this.observers.forEach((o) => o.disconnect());
    this.observers = [];
    const article = this.querySelector('article.lesson');
    const view = this.view();
    if (!article || !view) return;
    const cells = cellsOf(article);
    this.touched = applyView(cells, view);
    // a cell that re-renders may re-create a control: mark it again
    for (const cell of cells.filter(
      (c) => c.shadowRoot && [...view.hide, ...view.lock].some((t) => t.tag === c.localName && t.control),
    )) {
      const o = new MutationObserver(() => {
        o.disconnect();
        this.touched.push(...applyView([cell], view));
        o.observe(cell.shadowRoot!, { childList: true, subtree: true });
      });
      o.observe(cell.shadowRoot!, { childList: true, subtree: true });
      this.observers.push(o);
    }
  }

  /** Move focus to the next (1) or previous (-1) live cell; false when there is none that way. */
  stepCell(dir: 1 | -1): boolean {
    const article = this.querySelector('article.lesson');
    if (!article) return false;
    // focus inside a cell's shadow root shows here as the cell itself
    const target = stepCell(cellsOf(article), document.activeElement, dir);
    if (!target) return false;
    target.setAttribute('tabindex', '-1');
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
    return true;
  }

  /** Re-checks which formulas scroll when the width changes (a phone turned, a window resized). */
  private readonly onResize = () => {
    const article = this.querySelector('article.lesson');
    if (article) markScrollingFormulas(article);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('resize', this.onResize);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observers.forEach((o) => o.disconnect());
    window.removeEventListener('resize', this.onResize);
  }

  protected override updated(): void {
    const article = this.querySelector('article.lesson');
    if (!article || article.hasAttribute('data-links')) return;
    article.setAttribute('data-links', '');
    for (const cell of cellsOf(article))
      if (cell.localName !== 'dl-quiz') cell.after(cellLink(cell.localName)); // a quiz has no view to share
    // cells render their insides after this: apply the presenter view once they have
    void Promise.all(
      cellsOf(article).map((c) => (c as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete),
    ).then(() => this.applyPresenterView());
    this.focusWantedCell();
    markScrollingFormulas(article);
    void document.fonts?.ready.then(() => this.onResize()); // KaTeX's fonts change the formulas' widths
  }

  /** The cell the address last asked for (`cell=`), so a new one (a class route's next stop) is scrolled to. */
  private focusedCell: string | null = null;

  /** A link to one cell (…&cell=dl-sampler-race) opens the lesson there. */
  private focusWantedCell(): void {
    const article = this.querySelector('article.lesson');
    const wanted = parseHash(location.hash).query.get('cell');
    if (!article || !wanted || wanted === this.focusedCell) return;
    this.focusedCell = wanted;
    const target = cellsOf(article).find((c) => c.tagName.toLowerCase() === wanted);
    if (!target) return;
    target.setAttribute('tabindex', '-1');
    requestAnimationFrame(() => {
      target.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    });
  }

  /** Re-read URL parameters (back/forward or a hand-edited address). */
  reloadParams(): void {
    this.module?.store?.reload();
    this.applyPresenterView();
    this.focusWantedCell();
  }

  override render() {
    const i = lessonIndex(this.lessons, this.lesson);
    const prev = this.lessons[i - 1];
    const next = this.lessons[i + 1];
    const suffix = this.carry ? `?${this.carry}` : '';
    const link = (l: LessonEntry | undefined, rel: 'prev' | 'next') =>
      l?.load
        ? html`<a rel=${rel} href="#/${l.id}${suffix}"
            >${rel === 'prev' ? '← ' : ''}${l.title}${rel === 'next' ? ' →' : ''}</a
          >`
        : html`<span></span>`;
    const nav = html`<nav class="lesson-nav" aria-label="Lessons">
      ${link(prev, 'prev')}<a href="#/${suffix}">All lessons</a>${link(next, 'next')}
    </nav>`;
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error} <a href="#/">Back to the lessons</a></p>` : nothing}
      ${!this.error && !this.module ? html`<p class="loading" role="status">Loading the lesson…</p>` : nothing}
      ${this.module ? html`<article class="lesson prose">${unsafeHTML(this.module.html)}</article>` : nothing}
      ${nav}
    `;
  }
}

/**
 * On a phone an inline formula wider than the line scrolls sideways inside itself (styles.css): those
 * that do take keyboard focus, so a keyboard can scroll them too, and only those, so a formula that fits
 * adds no tab stop.
 */
export function markScrollingFormulas(article: Element): void {
  for (const k of article.querySelectorAll<HTMLElement>('p .katex, li .katex')) {
    if (k.scrollWidth > k.clientWidth) k.tabIndex = 0;
    else k.removeAttribute('tabindex');
  }
}

/** The lesson's live cells: the custom elements its prose places (their insides are in shadow roots). */
function cellsOf(article: Element): HTMLElement[] {
  return [...article.querySelectorAll<HTMLElement>('*')].filter((e) => e.localName.startsWith('dl-'));
}

/** The address of this view with `cell` added: the same picture, opened at this cell. */
export function cellUrl(href: string, tag: string): string {
  const u = new URL(href);
  const route = parseHash(u.hash);
  route.query.set('cell', tag);
  u.hash = formatHash(route);
  return u.href;
}

/** A small button under a cell that copies a link to exactly this view of it (for a class). */
function cellLink(tag: string): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'cell-link';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = '🔗 Copy a link to this cell';
  const note = document.createElement('span');
  note.setAttribute('role', 'status');
  button.addEventListener('click', () => {
    const link = cellUrl(location.href, tag);
    button.dataset.link = link;
    navigator.clipboard.writeText(link).then(
      () => (note.textContent = 'Link copied: paste it for the class.'),
      () => (note.textContent = `Copy this link: ${link}`),
    );
  });
  wrap.append(button, ' ', note);
  return wrap;
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-lesson-page': DlLessonPage;
  }
}
