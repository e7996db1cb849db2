import { css } from 'lit';
import { cellStyles } from '../../widgets/cell-styles';

/** The live training panel's layout: settings, controls, the loss chart beside the samples. */
export const panelStyles = [
  cellStyles,
  css`
    .grid {
      display: grid;
      grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr);
      gap: 1rem;
      align-items: start;
    }
    @media (max-width: 50rem) {
      .grid {
        grid-template-columns: 1fr;
      }
    }
    dl-image-grid {
      display: block;
      width: min(100%, 18em);
    }
    dl-line-plot {
      width: 100%;
    }
    dl {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 0.1rem 0.8rem;
      margin: 0.4rem 0;
      font-variant-numeric: tabular-nums;
    }
    dt {
      color: var(--dl-muted);
    }
    dd {
      margin: 0;
    }
    .note {
      font-size: 0.85em;
      color: var(--dl-muted);
    }
    fieldset {
      border: 1px solid var(--dl-border);
      border-radius: 8px;
      margin: 0 0 0.6rem;
    }
  `,
];
