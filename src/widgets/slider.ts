import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** Fired while the slider moves; detail is the new value. */
export class SliderChangeEvent extends Event {
  constructor(readonly value: number) {
    super('dl-change', { bubbles: true, composed: true });
  }
}

/** A labelled range slider with its value beside it (keyboard: arrows, Page Up/Down, Home/End). */
@customElement('dl-slider')
export class DlSlider extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      align-items: center;
      gap: 0.6em;
      font:
        0.95rem system-ui,
        sans-serif;
    }
    label {
      white-space: nowrap;
    }
    input {
      flex: 1;
      min-width: 8rem;
      accent-color: var(--dl-accent, #36c);
    }
    output {
      min-width: 3.5em;
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
  `;

  /** Visible label, also the accessible name. */
  @property() label = 'value';
  @property({ type: Number }) min = 0;
  @property({ type: Number }) max = 100;
  @property({ type: Number }) step = 1;
  /** Current value. */
  @property({ type: Number }) value = 0;
  /** What to show (and announce) instead of the raw value, e.g. "20 steps" for an index slider. */
  @property() text = '';

  override render() {
    return html`<label for="r">${this.label}</label>
      <input
        id="r"
        type="range"
        min=${this.min}
        max=${this.max}
        step=${this.step}
        .value=${String(this.value)}
        aria-valuetext=${this.text || String(this.value)}
        @input=${this.onInput}
      />
      <output for="r">${this.text || this.value}</output>`;
  }

  private onInput(e: Event) {
    this.value = Number((e.target as HTMLInputElement).value);
    this.dispatchEvent(new SliderChangeEvent(this.value));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-slider': DlSlider;
  }
  interface HTMLElementEventMap {
    'dl-change': SliderChangeEvent;
  }
}
