import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { StoreController } from '../../src/notebook/store';
import { cellStyles } from '../../src/widgets/cell-styles';
import type { BpeTokenizer, Encoding } from '../../src/text/bpe';
import { PAD } from '../../src/text/bpe';
import { shippedTokenizer } from './models';
import { EXAMPLE_PROMPTS, PROMPT_URL_CHARS, t2iStore } from './params';

/**
 * The prompt box and what the tokenizer makes of it: every token with its id, byte-fallback tokens
 * marked, the padding counted and a cut-off prompt said in words. Runs on the page (a few microseconds).
 */
@customElement('dl-t2i-tokens')
export class DlT2iTokens extends LitElement {
  static override styles = [
    cellStyles,
    css`
      textarea {
        width: 100%;
        font: inherit;
        box-sizing: border-box;
      }
      ol {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
      }
      li {
        border: 1px solid var(--dl-border, #999);
        border-radius: 4px;
        padding: 0.1rem 0.35rem;
        font-family: var(--dl-mono, monospace);
        text-align: center;
      }
      li .tok {
        white-space: pre;
      }
      li small {
        display: block;
        color: var(--dl-muted, #555);
      }
      li.special {
        background: var(--dl-soft, #eef);
      }
      li.byte {
        border-style: dashed;
      }
      .examples button {
        margin: 0.15rem 0.3rem 0.15rem 0;
      }
    `,
  ];

  private readonly params = new StoreController(this, t2iStore);
  @state() private tokenizer: BpeTokenizer | null = null;
  @state() private error = '';
  /** The text being typed (the URL gets it when the box loses focus or Enter is pressed). */
  @state() private draft: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    shippedTokenizer().then(
      (t) => (this.tokenizer = t),
      (e: Error) => (this.error = `The tokenizer could not load: ${e.message}`),
    );
  }

  /** The encoding shown (read by tests). */
  get encoding(): Encoding | null {
    return this.tokenizer ? this.tokenizer.encode(this.draft ?? t2iStore.values.prompt) : null;
  }

  private commit(text: string) {
    this.draft = null;
    t2iStore.set({ prompt: text });
  }

  override render() {
    const text = this.draft ?? t2iStore.values.prompt;
    const e = this.encoding;
    const pads = e ? e.tokens.length - e.length : 0;
    return html`
      <div class="live">live · the tokenizer runs in your browser</div>
      <label for="prompt">Prompt</label>
      <textarea
        id="prompt"
        rows="2"
        .value=${text}
        @input=${(ev: Event) => (this.draft = (ev.target as HTMLTextAreaElement).value)}
        @change=${(ev: Event) => this.commit((ev.target as HTMLTextAreaElement).value)}
        @keydown=${(ev: KeyboardEvent) => {
          if (ev.key === 'Enter' && !ev.shiftKey) {
            ev.preventDefault();
            this.commit((ev.target as HTMLTextAreaElement).value);
          }
        }}
      ></textarea>
      <div class="examples" role="group" aria-label="example prompts">
        ${EXAMPLE_PROMPTS.map(
          (p) => html`<button type="button" @click=${() => this.commit(p)}>${p}</button>`,
        )}
      </div>
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      ${
        e
          ? html`<ol aria-label="tokens of the prompt">
                ${e.tokens
                  .slice(0, e.length)
                  .map(
                    (t, i) =>
                      html`<li
                        class=${t.startsWith('<') && t.endsWith('>') ? (e.isByte[i] ? 'byte' : 'special') : ''}
                      >
                        <span class="tok">${t}</span><small>${e.ids[i]}</small>
                      </li>`,
                  )}
              </ol>
              <p class="status">
                ${e.length - 2} token${e.length === 3 ? '' : 's'} between <code>&lt;start&gt;</code> and
                <code>&lt;end&gt;</code>, then ${pads} × <code>${PAD}</code> to fill the ${e.tokens.length}
                places the text encoder reads.
                ${
                  e.isByte.some(Boolean)
                    ? html`Dashed tokens are raw UTF-8 bytes: characters the vocabulary does not have.`
                    : nothing
                }
              </p>
              ${
                e.dropped
                  ? html`<p class="error" role="status">
                      The prompt is too long: the last ${e.dropped}
                      token${e.dropped === 1 ? ' was' : 's were'} cut off, and the model never sees
                      ${e.dropped === 1 ? 'it' : 'them'}.
                    </p>`
                  : nothing
              }
              ${
                text.length > PROMPT_URL_CHARS
                  ? html`<p class="status">
                      A link to this page keeps the first ${PROMPT_URL_CHARS} characters.
                    </p>`
                  : nothing
              }`
          : html`<p class="status">Loading the tokenizer…</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-t2i-tokens': DlT2iTokens;
  }
}
