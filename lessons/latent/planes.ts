import { html, type TemplateResult } from 'lit';
import '../../src/widgets/image-grid';

/**
 * A latent shown as its channels side by side (C small h×w images, grey is 0, from −3 to 3 in the
 * scaled units the diffusion model works in), with an accessible label and a caption.
 */
export function latentPlanes(
  o: {
    cls: string;
    planes: Float32Array | undefined;
    shape: readonly [number, number, number] | undefined;
    label: string;
  },
  caption: TemplateResult | string,
): TemplateResult {
  const [h, , c] = o.shape ?? [7, 7, 4];
  return html`<figure class="latent">
    <dl-image-grid
      class=${o.cls}
      .data=${o.planes ?? new Float32Array(0)}
      .count=${o.planes ? c : 0}
      side=${h}
      columns=${c}
      .range=${[-3, 3]}
      gap="2"
      label=${o.label}
    ></dl-image-grid>
    <figcaption>${caption}</figcaption>
  </figure>`;
}
