/** The race's trajectory strips: how the guess x̂0 of one chosen digit evolves under each sampler. */
import { html, nothing } from 'lit';
import { MNIST_PIXELS } from '../../src/data/mnist-asset';
import { samplerLabel, type ClipMode, type SamplerKind } from '../../src/diffusion/samplers';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';

/** What a strip needs of one sampler's run. */
export interface StripRun {
  kind: SamplerKind;
  steps: number;
  eta: number;
  clip: ClipMode;
  /** x̂0 of every digit at some steps, with the step index each was made at. */
  trajectory: { index: number; predX0: Float32Array }[];
}

/** Whether a clipping choice changes this sampler: DDPM and DPM-Solver++ read only x̂0, so the two clipped modes agree. */
export function clipMatters(kind: SamplerKind, clip: ClipMode): boolean {
  return clip === 'off' || (clip === 'x0-model-eps' && kind === 'ddim');
}

/** The sampler's name, with the clipping named only where it changes this sampler. */
export function runLabel(r: Pick<StripRun, 'kind' | 'steps' | 'eta' | 'clip'>): string {
  return samplerLabel({
    sampler: r.kind,
    steps: r.steps,
    eta: r.eta,
    ...(clipMatters(r.kind, r.clip) ? { clip: r.clip } : {}),
  });
}

/** One strip per finished run for digit `digit` (1-based), with the input that picks the digit. */
export function trajectoryStrips(
  runs: StripRun[],
  digit: number,
  setDigit: (n: number) => void,
  count: number,
) {
  if (!runs.length) return nothing;
  const d = digit - 1;
  const first = runs[0]!;
  return html`<h3 style="margin:1rem 0 0">How the guess x̂₀ of one digit evolves</h3>
    <div class="row">
      ${intInput('digit', 'digit', digit, setDigit, { min: 1, max: count })}
      <span class="status">(1–${count}, counting across the rows of the grids)</span>
    </div>
    <div class="strips">
      ${runs.map((r) => {
        const data = new Float32Array(r.trajectory.length * MNIST_PIXELS);
        r.trajectory.forEach((f, i) =>
          data.set(f.predX0.subarray(d * MNIST_PIXELS, (d + 1) * MNIST_PIXELS), i * MNIST_PIXELS),
        );
        return html`<span>${runLabel(r)}</span>
          <dl-image-grid
            class=${`strip-${r.kind === 'dpm++' ? 'dpm' : r.kind}`}
            .data=${data}
            .count=${r.trajectory.length}
            columns=${r.trajectory.length}
            label=${`x̂0 of digit ${digit} after steps ${r.trajectory.map((f) => f.index + 1).join(', ')}`}
          ></dl-image-grid>`;
      })}
      <span></span>
      <span class="status"
        >left to right: after step ${first.trajectory.map((f) => f.index + 1).join(', ')} of
        ${first.steps}</span
      >
    </div>`;
}
