import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LessonEntry } from './course';

/** The home page: every lesson with what you will learn and how long it takes. */
@customElement('dl-home')
export class DlHome extends LitElement {
  /** Query string to carry into lesson links (e.g. backend=wasm). */
  @property() carry = '';
  /** The lessons, in reading order. */
  @property({ attribute: false }) lessons: readonly LessonEntry[] = [];

  protected override createRenderRoot() {
    return this; // light DOM: shares the page's typography
  }

  override render() {
    const suffix = this.carry ? `?${this.carry}` : '';
    return html`<section class="home">
      <h1>Diffusion Lab</h1>
      <p class="lead">
        Learn how diffusion models work by running real ones in your browser: noise real MNIST digits, train a
        small model on your own GPU, and sample from it. Nothing leaves your machine.
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
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-home': DlHome;
  }
}
