import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import qrcode from 'qrcode-generator';

/** The dark modules of a QR code of `text` (error correction M: a quarter of it may be unreadable). */
export function qrMatrix(text: string): boolean[][] {
  if (!/^[\x20-\x7e]*$/.test(text))
    throw new Error('a QR code here holds plain ASCII (a URL, percent-encoded)');
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * A QR code of a link, drawn as SVG (sharp at any size, on a projector too), with the quiet zone of
 * four modules the standard asks for. Built in the page: no service is asked.
 */
@customElement('dl-qr-code')
export class DlQrCode extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      background: #fff;
      line-height: 0;
    }
    svg {
      width: 100%;
      height: auto;
      shape-rendering: crispEdges;
    }
  `;

  /** The text (a URL) to encode. */
  @property() text = '';
  /** What the picture is, for screen readers. */
  @property() label = 'QR code';

  override render() {
    if (!this.text) return html``;
    const m = qrMatrix(this.text);
    const n = m.length;
    const quiet = 4;
    let d = '';
    m.forEach((row, r) => row.forEach((dark, c) => dark && (d += `M${c + quiet} ${r + quiet}h1v1h-1z`)));
    return html`<svg viewBox="0 0 ${n + 2 * quiet} ${n + 2 * quiet}" role="img" aria-label=${this.label}>
      <rect width="100%" height="100%" fill="#fff"></rect>
      ${svg`<path d=${d} fill="#000"></path>`}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-qr-code': DlQrCode;
  }
}
