import { html } from 'lit';

export interface IntInputOptions {
  min?: number;
  max?: number;
  disabled?: boolean;
}

/**
 * A labelled whole-number input (seeds, digit indices). Calls `onValue` only with an integer inside
 * [min, max]; anything else typed is ignored, so a stray keystroke never breaks the view.
 */
export function intInput(
  label: string,
  cls: string,
  value: number,
  onValue: (n: number) => void,
  o: IntInputOptions = {},
) {
  const min = o.min ?? 0;
  const max = o.max ?? 2 ** 31 - 1;
  return html`<label
    >${label}
    <input
      type="number"
      class=${cls}
      min=${min}
      max=${max}
      .value=${String(value)}
      ?disabled=${o.disabled ?? false}
      @change=${(e: Event) => {
        const n = Number((e.target as HTMLInputElement).value);
        if (Number.isInteger(n) && n >= min && n <= max) onValue(n);
      }}
  /></label>`;
}
