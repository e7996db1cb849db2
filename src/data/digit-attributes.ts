/**
 * What a handwritten digit looks like, measured from its pixels: the attributes the text-to-image captions
 * describe ("a thick 7 leaning right"). Each measure is a short formula over the 28x28 image, close to
 * Morpho-MNIST's (Castro et al. 2019, "Morpho-MNIST: quantitative assessment and diagnostics for
 * representation learning"), so a caption word is a measured fact about the image, not a guess.
 *
 * Pixels are bytes (0 background, 255 ink) or floats in [0, 1]; "ink" is a pixel at half intensity or more.
 *
 *   thickness  = the mean width t of the stroke, in pixels: ink area A over the stroke's length, where the
 *                length is the skeleton's L plus t (thinning shortens a stroke by about half its width at
 *                each end), so t = A / (L + t), t = (√(L² + 4A) − L) / 2; a w-pixel-wide bar gives w. The
 *                skeleton is the Zhang–Suen thinning of the ink (Zhang & Suen 1984); L counts each link
 *                between 8-neighbouring skeleton pixels, 1 for a side and √2 for a corner.
 *   slant      = atan(−μ₁₁ / μ₀₂) in degrees, from the second moments of the intensities (x right, y down):
 *                the horizontal shear that would make the digit upright; positive leans right.
 *   width, height = the ink's bounding box, in pixels.
 *   cx, cy     = the centre of mass of the intensities, in pixels from the top-left corner.
 */

export interface DigitAttributes {
  thickness: number;
  slant: number;
  width: number;
  height: number;
  area: number;
  cx: number;
  cy: number;
}

export const INK = 0.5;

/** Intensity of pixel i in [0, 1], from bytes or floats. */
function intensity(img: ArrayLike<number>, i: number, bytes: boolean): number {
  return bytes ? img[i]! / 255 : img[i]!;
}

/**
 * Zhang–Suen thinning of a binary image (1 = ink) of side n, in place: peels boundary pixels in two
 * alternating sub-iterations until none changes, leaving a one-pixel-wide skeleton.
 */
export function thin(mask: Uint8Array, n: number): Uint8Array {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : mask[y * n + x]!);
  const remove: number[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      remove.length = 0;
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          if (!mask[y * n + x]) continue;
          // neighbours P2..P9, clockwise from north
          const p = [
            at(x, y - 1),
            at(x + 1, y - 1),
            at(x + 1, y),
            at(x + 1, y + 1),
            at(x, y + 1),
            at(x - 1, y + 1),
            at(x - 1, y),
            at(x - 1, y - 1),
          ];
          const b = p.reduce((s, v) => s + v, 0);
          if (b < 2 || b > 6) continue;
          let a = 0; // 0 -> 1 transitions around the ring
          for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) a++;
          if (a !== 1) continue;
          const [p2, , p4, , p6, , p8] = p;
          if (pass === 0 ? p2! * p4! * p6! || p4! * p6! * p8! : p2! * p4! * p8! || p2! * p6! * p8!) continue;
          remove.push(y * n + x);
        }
      for (const i of remove) mask[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return mask;
}

/** Length of a one-pixel-wide skeleton: 1 per side link, √2 per corner link not already bridged by sides. */
export function skeletonLength(skel: Uint8Array, n: number): number {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : skel[y * n + x]!);
  let length = 0;
  let pixels = 0;
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      if (!at(x, y)) continue;
      pixels++;
      if (at(x + 1, y)) length += 1;
      if (at(x, y + 1)) length += 1;
      // a corner link counts only when no side path joins the two pixels through a third
      if (at(x + 1, y + 1) && !at(x + 1, y) && !at(x, y + 1)) length += Math.SQRT2;
      if (at(x - 1, y + 1) && !at(x - 1, y) && !at(x, y + 1)) length += Math.SQRT2;
    }
  return pixels === 0 ? 0 : Math.max(1, length);
}

/** The attributes of one square image of side n (28 for MNIST). */
export function measureDigit(
  img: ArrayLike<number>,
  n = 28,
  bytes = img instanceof Uint8Array,
): DigitAttributes {
  const mask = new Uint8Array(n * n);
  let mass = 0;
  let sx = 0;
  let sy = 0;
  let area = 0;
  let [x0, y0, x1, y1] = [n, n, -1, -1];
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const v = intensity(img, y * n + x, bytes);
      mass += v;
      sx += v * x;
      sy += v * y;
      if (v >= INK) {
        mask[y * n + x] = 1;
        area++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  if (mass === 0 || area === 0)
    return { thickness: 0, slant: 0, width: 0, height: 0, area: 0, cx: n / 2, cy: n / 2 };
  const cx = sx / mass;
  const cy = sy / mass;
  let m11 = 0;
  let m02 = 0;
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const v = intensity(img, y * n + x, bytes);
      m11 += v * (x - cx) * (y - cy);
      m02 += v * (y - cy) * (y - cy);
    }
  const slant = m02 > 0 ? (Math.atan(-m11 / m02) * 180) / Math.PI : 0;
  const length = skeletonLength(thin(mask, n), n);
  const thickness = (Math.sqrt(length * length + 4 * area) - length) / 2;
  return { thickness, slant, width: x1 - x0 + 1, height: y1 - y0 + 1, area, cx, cy };
}
