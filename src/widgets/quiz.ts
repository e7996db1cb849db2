import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { cellStyles } from './cell-styles';

interface Option {
  text: string;
  correct: boolean;
  /** Why this answer is right or wrong: the feedback a student gets for choosing it. */
  why: string;
}

/**
 * A multiple-choice check at the end of a lesson, written in the lesson's Markdown as plain HTML (no blank
 * lines inside, so Markdown leaves it whole):
 *
 *   <dl-quiz><p>Question?</p><ul>
 *   <li data-correct data-why="Because …">Right answer</li>
 *   <li data-why="No: …">Wrong answer</li>
 *   </ul></dl-quiz>
 *
 * The student picks one option and checks it; the feedback says whether it is right and why (the
 * option's own explanation), and another try is always allowed. Nothing is stored or sent.
 */
@customElement('dl-quiz')
export class DlQuiz extends LitElement {
  static override styles = [
    cellStyles,
    css`
      fieldset {
        border: 0;
        padding: 0;
        margin: 0;
      }
      legend {
        font-weight: bold;
        margin-bottom: 0.4rem;
      }
      label {
        display: block;
        margin: 0.25rem 0;
      }
      .right {
        color: var(--dl-ok, #1b7f3b);
      }
    `,
  ];

  /** The question and options, read from the element's own content once. */
  @state() private question = '';
  @state() private options: Option[] = [];
  @state() private chosen = -1;
  /** The option last checked (-1: none yet). */
  @state() checked = -1;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.options.length) return;
    this.question = this.querySelector('p')?.textContent?.trim() ?? '';
    this.options = [...this.querySelectorAll('li')].map((li) => ({
      text: li.textContent?.trim() ?? '',
      correct: li.hasAttribute('data-correct'),
      why: li.getAttribute('data-why') ?? '',
    }));
  }

  /** Choose option i and check it (what the radio and the button do; tests call it too). */
  answer(i: number): void {
    this.chosen = i;
    this.checked = i;
  }

  override render() {
    const o = this.options[this.checked];
    const name = 'quiz';
    return html`
      <div class="live">check yourself</div>
      <fieldset>
        <legend>${this.question}</legend>
        ${this.options.map(
          (opt, i) =>
            html`<label
              ><input
                type="radio"
                name=${name}
                .checked=${this.chosen === i}
                @change=${() => (this.chosen = i)}
              />
              ${opt.text}</label
            >`,
        )}
      </fieldset>
      <button type="button" ?disabled=${this.chosen < 0} @click=${() => (this.checked = this.chosen)}>
        Check
      </button>
      <p role="status" class=${o?.correct ? 'right' : o ? 'error' : ''}>
        ${o ? html`${o.correct ? 'Right.' : 'Not quite.'} ${o.why}` : nothing}
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-quiz': DlQuiz;
  }
}
