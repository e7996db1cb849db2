/**
 * Noise schedules of the forward (noising) process, in float64.
 *
 * Ho et al. 2020, "Denoising Diffusion Probabilistic Models" (DDPM), eq. 2 and eq. 4;
 * Nichol & Dhariwal 2021, "Improved DDPM", eq. 17 (cosine schedule);
 * Rombach et al. 2022, "Latent Diffusion" (scaled-linear);
 * Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are Flawed", Algorithm 1 (zero terminal SNR).
 *
 * Timesteps are 0-based: t = 0 is the first noising step and alphaBar[t] = prod_{i<=t} (1 - betas[i]).
 * Pure TypeScript: no TF.js, no DOM.
 */

export type BetaScheduleKind = 'linear' | 'scaled-linear' | 'cosine' | 'sigmoid';

export const BETA_SCHEDULE_KINDS: readonly BetaScheduleKind[] = [
  'linear',
  'cosine',
  'scaled-linear',
  'sigmoid',
];

export interface ScheduleOptions {
  kind: BetaScheduleKind;
  /** Number of diffusion steps. Default 1000. */
  T?: number;
  /** First beta (linear, scaled-linear, sigmoid). Default 1e-4 (DDPM); scaled-linear: 0.00085 (Stable Diffusion). */
  betaStart?: number;
  /** Last beta (linear, scaled-linear, sigmoid). Default 0.02 (DDPM); scaled-linear: 0.012 (Stable Diffusion). */
  betaEnd?: number;
  /** Rescale so that alphaBar[T-1] = 0 exactly (Lin et al.). Default false. */
  zeroTerminalSnr?: boolean;
}

export interface NoiseSchedule {
  readonly T: number;
  readonly betas: Float64Array;
  readonly alphas: Float64Array;
  readonly alphaBar: Float64Array;
}

/** f(u) = cos^2(((u + s) / (1 + s)) * pi/2) with s = 0.008 (Improved DDPM, eq. 17). */
function cosineF(u: number): number {
  const s = 0.008;
  return Math.cos(((u + s) / (1 + s)) * (Math.PI / 2)) ** 2;
}

function betasFor(kind: BetaScheduleKind, T: number, betaStart: number, betaEnd: number): Float64Array {
  const betas = new Float64Array(T);
  // Position of step i in [0, 1]; a single step sits at 0.
  const frac = (i: number) => (T === 1 ? 0 : i / (T - 1));
  for (let i = 0; i < T; i++) {
    switch (kind) {
      case 'linear':
        betas[i] = betaStart + (betaEnd - betaStart) * frac(i);
        break;
      case 'scaled-linear': {
        const r = Math.sqrt(betaStart) + (Math.sqrt(betaEnd) - Math.sqrt(betaStart)) * frac(i);
        betas[i] = r * r;
        break;
      }
      case 'cosine':
        betas[i] = Math.min(1 - cosineF((i + 1) / T) / cosineF(i / T), 0.999);
        break;
      case 'sigmoid': {
        const x = -6 + 12 * frac(i);
        betas[i] = betaStart + (betaEnd - betaStart) / (1 + Math.exp(-x));
        break;
      }
      default: {
        const never: never = kind;
        throw new RangeError(
          `unknown beta schedule "${String(never)}": use linear, scaled-linear, cosine or sigmoid`,
        );
      }
    }
  }
  return betas;
}

function fromBetas(betas: Float64Array): NoiseSchedule {
  const T = betas.length;
  const alphas = new Float64Array(T);
  const alphaBar = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) {
    alphas[i] = 1 - betas[i]!; // alpha_t = 1 - beta_t
    prod *= alphas[i]!; // alphaBar_t = prod_{i<=t} alpha_i
    alphaBar[i] = prod;
  }
  return { T, betas, alphas, alphaBar };
}

/** Lin et al. Algorithm 1: shift and scale sqrt(alphaBar) so the first value stays and the last is 0. */
function rescaleZeroTerminalSnr(s: NoiseSchedule): NoiseSchedule {
  const { T } = s;
  const sqrtAb = s.alphaBar.map(Math.sqrt);
  const first = sqrtAb[0]!;
  const last = sqrtAb[T - 1]!;
  const alphaBar = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const r = ((sqrtAb[i]! - last) * first) / (first - last);
    alphaBar[i] = r * r;
  }
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const prev = i === 0 ? 1 : alphaBar[i - 1]!;
    betas[i] = 1 - alphaBar[i]! / prev; // alpha_t = alphaBar_t / alphaBar_{t-1}
  }
  betas[T - 1] = 1; // exactly: alphaBar[T-1] = 0
  return fromBetas(betas);
}

export function makeSchedule(opts: ScheduleOptions): NoiseSchedule {
  const T = opts.T ?? 1000;
  // Each schedule's published range: DDPM's linear 1e-4 to 0.02; Stable Diffusion's scaled-linear
  // 0.00085 to 0.012 (its v1 config's linear_start and linear_end).
  const sd = opts.kind === 'scaled-linear';
  const betaStart = opts.betaStart ?? (sd ? 0.00085 : 1e-4);
  const betaEnd = opts.betaEnd ?? (sd ? 0.012 : 0.02);
  if (!Number.isInteger(T) || T < 2) throw new RangeError(`T must be an integer >= 2, got ${T}`);
  if (!(betaStart > 0 && betaEnd > 0 && betaStart < 1 && betaEnd < 1)) {
    throw new RangeError(`betaStart and betaEnd must lie in (0, 1), got ${betaStart} and ${betaEnd}`);
  }
  const s = fromBetas(betasFor(opts.kind, T, betaStart, betaEnd));
  return opts.zeroTerminalSnr ? rescaleZeroTerminalSnr(s) : s;
}

export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** Round half to even, as numpy (and so diffusers) does: 812.5 -> 812, 813.5 -> 814. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** n sampling timesteps out of 0..T-1, in descending order. */
export function samplingTimesteps(
  T: number,
  n: number,
  spacing: TimestepSpacing = 'leading',
  offset = 0,
): number[] {
  if (!Number.isInteger(n) || n < 1 || n > T)
    throw new RangeError(`number of sampling steps must be 1..${T}, got ${n}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (spacing) {
      case 'leading':
        out.push(i * Math.floor(T / n) + offset);
        break;
      case 'trailing':
        out.push(roundHalfEven(T - (i * T) / n) - 1);
        break;
      case 'linspace':
        out.push(n === 1 ? 0 : roundHalfEven((i * (T - 1)) / (n - 1)));
        break;
      default: {
        const never: never = spacing;
        throw new RangeError(`unknown timestep spacing "${String(never)}"`);
      }
    }
  }
  out.sort((a, b) => b - a);
  if (out[0]! > T - 1 || out[out.length - 1]! < 0) {
    throw new RangeError(`offset ${offset} pushes timesteps outside 0..${T - 1}`);
  }
  return out;
}

/** Signal-to-noise ratio SNR(t) = alphaBar_t / (1 - alphaBar_t) (Kingma et al. 2021). */
export function snr(s: NoiseSchedule, t: number): number {
  const a = s.alphaBar[t]!;
  return a / (1 - a);
}

/** log SNR(t); -Infinity at a zero-terminal-SNR last step. */
export function logSnr(s: NoiseSchedule, t: number): number {
  return Math.log(snr(s, t));
}

/** sqrt(alphaBar_t) for every t: how much of x0 survives. */
export function sqrtAlphaBar(s: NoiseSchedule): Float64Array {
  return s.alphaBar.map(Math.sqrt);
}

/** sqrt(1 - alphaBar_t) for every t: the standard deviation of the noise in x_t. */
export function sqrtOneMinusAlphaBar(s: NoiseSchedule): Float64Array {
  return s.alphaBar.map((a) => Math.sqrt(1 - a));
}

/**
 * Steps as the lessons number them, Ho et al.'s: x_t is the image after t noising steps, t = 1, …, T, and
 * x_0 the clean image. Every array of a schedule is 0-based (as in diffusers, whose timestep k is step
 * k + 1): step t is index t − 1, so betas[t − 1] = β_t and alphaBar[t − 1] = ᾱ_t. These two functions
 * are where the lessons cross from one numbering to the other.
 */
export const indexOfStep = (t: number): number => t - 1;
export const stepOfIndex = (index: number): number => index + 1;

/** The steps 1..T of a schedule, for the x axis of a chart of its per-step arrays. */
export function stepAxis(s: NoiseSchedule): Float64Array {
  return Float64Array.from({ length: s.T }, (_, i) => stepOfIndex(i));
}

/** q(x_t | x_0)'s coefficients after t = 0..T steps (t = 0: the clean image, mean 1 and std 0). */
export function qMomentsAfter(s: NoiseSchedule, t: number): { mean: number; std: number } {
  return t === 0 ? { mean: 1, std: 0 } : qMoments(s, indexOfStep(t));
}

/** The signal-to-noise ratio after t = 0..T steps (infinite for the clean image). */
export function snrAfter(s: NoiseSchedule, t: number): number {
  return t === 0 ? Infinity : snr(s, indexOfStep(t));
}

/** q(x_t | x_0) = N(mean * x_0, std^2 I) (DDPM eq. 4): the coefficients at array index t. */
export function qMoments(s: NoiseSchedule, t: number): { mean: number; std: number } {
  const a = s.alphaBar[t]!;
  return { mean: Math.sqrt(a), std: Math.sqrt(1 - a) };
}

/**
 * The closed-form jump x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps (DDPM eq. 4),
 * elementwise; x0 in [-1, 1], eps ~ N(0, I). Writes into out (allocated when absent).
 */
export function qSample(
  s: NoiseSchedule,
  t: number,
  x0: ArrayLike<number>,
  eps: ArrayLike<number>,
  out: Float32Array = new Float32Array(x0.length),
  /** Read `t` as a number of steps 0..T (indexOfStep) instead of an array index. */
  steps = false,
): Float32Array {
  const { mean, std } = steps ? qMomentsAfter(s, t) : qMoments(s, t);
  for (let i = 0; i < x0.length; i++) out[i] = mean * x0[i]! + std * eps[i]!;
  return out;
}

/**
 * One small step of the forward chain, q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)
 * (DDPM eq. 2), in place: x <- sqrt(1 - beta_t) x + sqrt(beta_t) z.
 */
export function qStep(s: NoiseSchedule, t: number, x: Float32Array, z: ArrayLike<number>): Float32Array {
  const beta = s.betas[t]!;
  const keep = Math.sqrt(1 - beta);
  const add = Math.sqrt(beta);
  for (let i = 0; i < x.length; i++) x[i] = keep * x[i]! + add * z[i]!;
  return x;
}
