import { css } from 'lit';

/**
 * Styles shared by the lessons' live cells (inside their shadow roots, where page styles do not reach):
 * form controls that follow the page's type size (so projector mode enlarges them), rows of controls,
 * the "live / precomputed" label, and the card every cell sits in.
 */
export const cellStyles = css`
  :host {
    display: block;
    margin: 1.2rem -1rem;
    padding: 1rem;
    border-radius: 10px;
    background: var(--dl-cell-bg, #f4f4f0);
    border: 1px solid var(--dl-border, #ccc);
    font-family: system-ui, sans-serif;
  }
  @media (min-width: 60rem) {
    /* wider than the prose, but never past the window (projector mode: large type on a 1280x720 screen) */
    :host {
      margin-left: max(-4rem, calc((100% - 100vw) / 2 + 0.5rem));
      margin-right: max(-4rem, calc((100% - 100vw) / 2 + 0.5rem));
    }
  }
  button,
  select,
  input {
    font: inherit;
    font-size: 0.9em;
    color: inherit;
  }
  button {
    background: var(--dl-chip-bg, #eee);
    border: 1px solid var(--dl-border, #ccc);
    border-radius: 6px;
    padding: 0.25em 0.8em;
    cursor: pointer;
  }
  button[aria-pressed='true'] {
    background: var(--dl-accent, #36c);
    color: var(--dl-bg, #fff);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  select,
  input[type='number'] {
    background: var(--dl-bg, #fff);
    border: 1px solid var(--dl-border, #ccc);
    border-radius: 4px;
    padding: 0.1em 0.3em;
  }
  :focus-visible {
    outline: 3px solid var(--dl-accent, #36c);
    outline-offset: 2px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem 1rem;
    align-items: center;
    margin-bottom: 0.6rem;
  }
  .t-slider {
    flex: 1 1 20rem;
  }
  .live {
    font-size: 0.75rem;
    text-transform: uppercase;
    letter-spacing: 0.05em;
    color: var(--dl-muted, #666);
  }
  .status {
    color: var(--dl-muted, #666);
  }
  .error {
    color: var(--dl-danger, #c33);
  }
  /* pictures with captions, side by side */
  .pair {
    display: flex;
    flex-wrap: wrap;
    gap: 1rem;
  }
  figure {
    margin: 0;
  }
  figure dl-image-grid {
    display: block;
    width: 100%;
  }
  figcaption {
    font-size: 0.85em;
    text-align: center;
    color: var(--dl-muted, #666);
  }
  /* a printed handout keeps the pictures and numbers, not the controls */
  @media print {
    :host {
      break-inside: avoid;
      box-shadow: none;
    }
    button,
    input,
    select,
    progress,
    .row {
      display: none !important;
    }
  }
`;
