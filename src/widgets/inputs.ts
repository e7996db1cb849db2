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

/** A labelled drop-down of fixed choices, each with the words shown for it. */
export function choiceSelect<T extends string>(
  label: string,
  cls: string,
  value: T,
  choices: readonly (readonly [T, string])[],
  onValue: (v: T) => void,
  disabled = false,
) {
  return html`<label
    >${label}
    <select
      class=${cls}
      ?disabled=${disabled}
      @change=${(e: Event) => onValue((e.target as HTMLSelectElement).value as T)}
    >
      ${choices.map(([v, words]) => html`<option value=${v} ?selected=${v === value}>${words}</option>`)}
    </select></label
  >`;
}
