// The headline incoherence and its 95% interval, honest at the 5–10 reruns people run
// (METRICS.md §7). Pure and fast: per prompt it reads only the class counts.
//
// Notation. With a target, a prompt's reruns land in the reference class with probability a
// (its success rate) and otherwise on a wrong answer; w = 1 − a is the error rate and
// q = Σ_{c≠ref} π_c² / w² the chance that two wrong reruns give the same wrong answer. The Brier
// decomposition (§4) is then error = 2w, variance = 1 − a² − q·w², and
//     incoherence I = variance / error = 1 − w(1 + q)/2,
// decreasing in both w and q: I = 0 is the paperclip (never right, always the same wrong answer:
// w = q = 1); I → 1 as errors get rare. Two things are unknown, a (a binomial rate) and q (a
// property of an open-ended distribution of wrong answers, most of which a few reruns never see).
//
// The estimate (`estimate`). incoherenceUnbiased: error's plug-in is already unbiased, and
// varianceUnbiased = n/(n−1)·variance is (it counts the pairs of distinct reruns that disagree);
// their ratio, capped at 1. The plug-in `incoherence` is biased low by about (n−1)/n (on every
// all-distinct-answers prompt it says (1 − 1/n)/2 where the truth is ½). Measured on the GPT-4
// Game-of-24 fixture (subsamples of n of each puzzle's 100 reruns, against the full 100), the
// mean absolute error of the plug-in / of this estimate is 0.100 / 0.051 at n = 5, 0.064 /
// 0.037 at n = 8, 0.053 / 0.031 at n = 10 and 0.021 / 0.015 at n = 30; `npm run bench` prints
// the current figures, in simulation too.
//
// The interval (`ci95`). A percentile bootstrap of the plug-in covered the full data's value
// about half the time at n = 8–10: it inherits the plug-in's bias and collapses to a point when
// the n reruns agree. This is a posterior interval with each end taken under the prior most
// favourable to it (a robust-Bayes reading of the "imprecise Dirichlet" idea), plus the
// boundary rules that make the endpoints reach the values the data cannot rule out:
// - a ~ Beta(c + ½, n − c + ½) (Jeffreys); with no correct rerun (c = 0) the lower end takes
//   a = 0, with every rerun correct the upper end takes a = 1 (Brown, Cai & DasGupta's
//   modified Jeffreys interval);
// - for the lower end (a high q), the wrong answers' distribution is Dirichlet over the classes
//   seen (k_j) plus a mass of ½ for answers not seen yet, which collide among themselves as a
//   Dirichlet-process draw would (1/(1 + ½)); when every wrong rerun gave the same answer (or
//   there was at most one), q = 1;
// - for the upper end (a low q), a Pitman–Yor posterior (discount ½, strength ½): every class
//   seen gives up ½ of its weight to unseen answers, as heavy-tailed answer distributions do;
//   when every wrong answer was different, q = 0;
// - the ends are the 2.5% quantile of I under the first and the 97.5% under the second, from
//   B draws; the interval is widened, if needed, to hold the estimate.
// Each draw is exact (a Dirichlet draw from Gamma variates), read from pools of Gamma draws
// shared by all prompts (see gammaPool): a moment-matched Beta for Σ W_j² was tried and missed
// the skewed, bounded tail when there are few wrong classes (coverage of "one wrong answer at
// 90%" fell to 92% at n = 5).
// Its coverage and width per n, on the fixture and on seeded simulations with known truth
// (including every-run-agrees, one-run-differs, no-run-correct, p_ref near 0 and 1), are
// printed by `npm run bench` and pinned by test/interval.test.ts.
import { hashSeed, mulberry32, type Rng } from "./bootstrap";
import { clopperPearson } from "./reliability";
import type { Interval } from "./types";

/** What the interval reads of a prompt: n reruns, c of them correct, and the sizes of the wrong classes. */
export interface Tally {
  n: number;
  correct: number;
  /** Sizes (> 0) of the wrong answer classes, the no-answer class included. */
  wrong: number[];
}

/** Below this many reruns no interval is given (METRICS.md §7): it would mislead more than it informs. */
export const MIN_RUNS_FOR_INTERVAL = 5;
/** The number of reruns the product recommends, said beside the caveat. */
export const RECOMMENDED_RUNS = 8;
/** Posterior draws per end. */
export const DEFAULT_DRAWS = 1000;

const THETA_LO = 0;
const SIGMA_HI = 0.5;
const THETA_HI = 0.5;

/** The tally of a prompt from its class counts and its reference class. */
export function tallyOf(counts: ArrayLike<number>, refIndex: number, n: number): Tally {
  const wrong: number[] = [];
  for (let c = 0; c < counts.length; c++) if (c !== refIndex && counts[c]! > 0) wrong.push(counts[c]!);
  return { n, correct: counts[refIndex] ?? 0, wrong };
}

/** The headline estimate (see above): min(1, varianceUnbiased / error); null with no error or n < 2. */
export function brierEstimate(t: Tally): number | null {
  const { n, correct: c } = t;
  if (n < 2 || c >= n) return null;
  let pairs = c * (c - 1);
  for (const k of t.wrong) pairs += k * (k - 1);
  const varianceU = 1 - pairs / (n * (n - 1));
  return Math.min(1, Math.max(0, varianceU / (2 * (1 - c / n))));
}

/** The sentence said instead of an interval when n is too small (null when an interval is given). */
export function tooFewCaveat(n: number): string | null {
  return n < MIN_RUNS_FOR_INTERVAL ? `n = ${n}: too few reruns for an interval; ${RECOMMENDED_RUNS}+ recommended` : null;
}

// ---------- random variates ----------
// Every shape drawn here is a whole or half-whole number (counts, counts − ½, c + ½, ½ + J/2),
// which allows a fast exact sampler: Gamma(k) for whole k ≤ 16 is −log of a product of k
// uniforms, and Gamma(k + ½) = Gamma(k) + Z²/2 with Z standard normal (Gamma(½) = Z²/2).

/** A source of uniforms and standard normals (Box–Muller, both normals of a pair used). */
class Variates {
  private spare = NaN;
  constructor(readonly uniform: Rng) {}
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
  /** Gamma(shape, 1) for shape a whole or half-whole number > 0. */
  gamma(shape: number): number {
    const whole = Math.floor(shape);
    let x = 0;
    if (shape - whole > 0) {
      const z = this.normal();
      x = 0.5 * z * z;
    }
    if (whole === 0) return x;
    if (whole <= 16) {
      let p = 1;
      for (let i = 0; i < whole; i++) p *= 1 - this.uniform();
      return x - Math.log(p);
    }
    return x + this.marsagliaTsang(whole);
  }
  /** Gamma(shape ≥ 1) (Marsaglia & Tsang), for any real shape. */
  marsagliaTsang(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
  /** Gamma for any real shape > 0 (the moment-matched Beta's shapes). */
  gammaReal(shape: number): number {
    if (shape >= 1) return this.marsagliaTsang(shape);
    let u = 0;
    while (u === 0) u = this.uniform();
    return this.marsagliaTsang(shape + 1) * Math.pow(u, 1 / shape);
  }
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }
  betaReal(a: number, b: number): number {
    const x = this.gammaReal(a);
    return x / (x + this.gammaReal(b));
  }
}

/**
 * Gamma draws shared by every prompt: for each shape used, POOL_SIZE draws made once from a
 * fixed seed. A prompt's posterior draw reads each Gamma it needs from the pool of that shape
 * at its own offset and stride (a permutation of the pool, chosen by the prompt's seeded
 * stream), so a draw costs a few array reads instead of a few Gamma variates: on 999 prompts ×
 * 30 reruns, about 20 times faster. Two components read different elements at every draw (odd
 * strides that differ, or equal strides at different offsets), so they are independent as
 * draws from the pool. The pools depend on nothing but the shape: the same counts and seed give
 * the same interval whatever else is analysed.
 */
export const POOL_SIZE = 2048;
const POOL_SEED = 0x5eed;
const pools = new Map<number, Float64Array>();

function gammaPool(shape: number): Float64Array {
  const key = Math.round(shape * 2);
  let pool = pools.get(key);
  if (!pool) {
    const v = new Variates(mulberry32(hashSeed(POOL_SEED, `gamma:${key}`)));
    pool = new Float64Array(POOL_SIZE);
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = v.gamma(shape);
    // bounded: a pool per shape, shapes are counts (at most the largest n seen, twice)
    if (pools.size > 8192) pools.clear();
    pools.set(key, pool);
  }
  return pool;
}

/** One component's walk through its pool: element (offset + b·stride) mod POOL_SIZE at draw b. */
class Walk {
  readonly pool: Float64Array;
  private at: number;
  private readonly stride: number;
  constructor(shape: number, rng: Rng) {
    this.pool = gammaPool(shape);
    this.at = Math.floor(rng() * POOL_SIZE);
    this.stride = 2 * Math.floor(rng() * (POOL_SIZE / 2)) + 1;
  }
  /** Its next B elements, to out[0..B − 1]. */
  fill(B: number, out: Float64Array): void {
    const pool = this.pool;
    const stride = this.stride;
    let at = this.at;
    for (let b = 0; b < B; b++) {
      out[b] = pool[at]!;
      at = (at + stride) & (POOL_SIZE - 1);
    }
    this.at = at;
  }
}

/**
 * Scratch arrays of at least B numbers, reused from prompt to prompt (draws are made a whole
 * array at a time, in loops without calls: drawing number by number through small methods cost
 * a number object per call, millions on a large set). Slot k is one array.
 */
const drawScratch: Float64Array[] = [];
function scratchOf(k: number, B: number): Float64Array {
  let a = drawScratch[k];
  if (!a || a.length < B) drawScratch[k] = a = new Float64Array(Math.max(B, 2 * (a?.length ?? 0)));
  return a;
}

/** Draws of the collision Σ γ_i W_i² of W ~ Dirichlet(α), every α whole or half-whole. */
class Collision {
  private readonly walks: Walk[];
  private readonly weights: number[];
  constructor(alpha: number[], weights: number[], rng: Rng) {
    this.walks = alpha.map((a) => new Walk(a, rng));
    this.weights = weights;
  }
  /** B draws to out[0..B − 1] (the sums run over the components in order, as one draw at a time would). */
  fill(B: number, out: Float64Array): void {
    const total = scratchOf(0, B);
    const g = scratchOf(1, B);
    total.fill(0, 0, B);
    out.fill(0, 0, B);
    for (let i = 0; i < this.walks.length; i++) {
      this.walks[i]!.fill(B, g);
      const w = this.weights[i]!;
      for (let b = 0; b < B; b++) {
        total[b] = total[b]! + g[b]!;
        out[b] = out[b]! + w * g[b]! * g[b]!;
      }
    }
    for (let b = 0; b < B; b++) out[b] = out[b]! / (total[b]! * total[b]!);
  }
}

/** Draws of Beta(a, b) (a, b whole or half-whole) from two walks. */
class BetaWalk {
  private readonly x: Walk;
  private readonly y: Walk;
  constructor(a: number, b: number, rng: Rng) {
    this.x = new Walk(a, rng);
    this.y = new Walk(b, rng);
  }
  /** B draws to out[0..B − 1]. */
  fill(B: number, out: Float64Array): void {
    const y = scratchOf(1, B);
    this.x.fill(B, out);
    this.y.fill(B, y);
    for (let b = 0; b < B; b++) out[b] = out[b]! / (out[b]! + y[b]!);
  }
}

/** B posterior draws of the (variance, error) pair at each end. */
export interface EndDraws {
  loVariance: Float64Array;
  loError: Float64Array;
  hiVariance: Float64Array;
  hiError: Float64Array;
}

/** Four arrays of B draws (callers that add draws to a pool and drop them pass one set, reused). */
export const emptyDraws = (B: number): EndDraws => ({ loVariance: new Float64Array(B), loError: new Float64Array(B), hiVariance: new Float64Array(B), hiError: new Float64Array(B) });

/**
 * B posterior draws of each end's (variance, error) pair: the lower end's under the prior
 * favouring agreement among wrong answers, the upper end's under the one favouring spread, with
 * the boundary rules above. Pairs, not just their ratio, so that pooled figures can sum them
 * over prompts (a ratio of sums, §5). With every rerun correct the upper end's error is 0.
 * `rng` (the prompt's seeded stream) only chooses the walks through the shared pools.
 */
export function posteriorDraws(t: Tally, B: number, rng: Rng, out: EndDraws = emptyDraws(B)): EndDraws {
  const { n, correct: c, wrong } = t;
  const m = n - c;
  const J = wrong.length;
  const allDistinct = m >= 2 && J === m;
  const a = new BetaWalk(c + 0.5, m + 0.5, rng);
  const lo = J > 1 ? new Collision(THETA_LO > 0 ? [...wrong, THETA_LO] : wrong, THETA_LO > 0 ? [...wrong.map(() => 1), 1 / (1 + THETA_LO)] : wrong.map(() => 1), rng) : null;
  const strength = THETA_HI + J * SIGMA_HI;
  const hi = !allDistinct && m > 0 ? new Collision([...wrong.map((k) => k - SIGMA_HI), strength], [...wrong.map(() => 1), (1 - SIGMA_HI) / (1 + strength)], rng) : null;
  const rates = scratchOf(2, B);
  const qLos = scratchOf(3, B);
  const qHis = scratchOf(4, B);
  a.fill(B, rates);
  if (lo) lo.fill(B, qLos);
  else qLos.fill(1, 0, B);
  if (hi) hi.fill(B, qHis);
  else qHis.fill(0, 0, B);
  for (let b = 0; b < B; b++) {
    const rate = rates[b]!;
    // lower end: a = 0 when no rerun was correct; q = 1 when the wrong ones all agree
    const wLo = c === 0 ? 1 : 1 - rate;
    const qLo = qLos[b]!;
    out.loError[b] = 2 * wLo;
    out.loVariance[b] = 1 - (1 - wLo) * (1 - wLo) - qLo * wLo * wLo;
    // upper end: a = 1 when every rerun was correct; q = 0 when every wrong answer differs
    const wHi = c === n ? 0 : 1 - rate;
    const qHi = qHis[b]!;
    out.hiError[b] = 2 * wHi;
    out.hiVariance[b] = 1 - (1 - wHi) * (1 - wHi) - qHi * wHi * wHi;
  }
  return out;
}

/**
 * The k-th smallest of values[from..to] (inclusive), by selection (Hoare's partition around a
 * median of three): values is reordered so that values[k] holds it, the smaller ones before it
 * and the larger after. Linear on average: a prompt's interval reads four order statistics of
 * 1,000 draws, and sorting them was a fifth of the analysis of 999 small prompts.
 */
function select(values: Float64Array, k: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three to values[mid], then partition around it
    if (values[mid]! < values[lo]!) swap(values, mid, lo);
    if (values[hi]! < values[lo]!) swap(values, hi, lo);
    if (values[hi]! < values[mid]!) swap(values, hi, mid);
    const pivot = values[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // now values[lo..j] ≤ pivot ≤ values[i..hi], and values[j+1..i−1] equal the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a]!;
  values[a] = values[b]!;
  values[b] = t;
}

/**
 * Quantile with linear interpolation (type 7) of an array without NaN (reordered in place, as
 * selection leaves it): the ⌊h⌋-th order statistic, and the smallest of those after it.
 */
export function quantileOf(values: Float64Array, q: number): number {
  const last = values.length - 1;
  const h = last * q;
  const lo = Math.floor(h);
  const x = select(values, lo, 0, last);
  if (lo >= last || h === lo) return x;
  let y = values[lo + 1]!;
  for (let i = lo + 2; i <= last; i++) if (values[i]! < y) y = values[i]!;
  return x + (h - lo) * (y - x);
}

/** Two arrays reused by every interval (one is computed at a time; only numbers leave it). */
let scratch: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];

/**
 * The ratio variance/error of each draw (1 where error is 0: no error left, all of it is
 * variance), in scratch array `which`.
 */
function ratios(variance: ArrayLike<number>, error: ArrayLike<number>, which: 0 | 1): Float64Array {
  const B = variance.length;
  if (scratch[0].length < B) scratch = [new Float64Array(B), new Float64Array(B)];
  const out = scratch[which].subarray(0, B);
  for (let b = 0; b < out.length; b++) out[b] = error[b]! > 0 ? Math.min(1, Math.max(0, variance[b]! / error[b]!)) : 1;
  return out;
}

/**
 * The 95% interval from the two ends' draws (variance and error summed however the caller
 * pooled them): the 2.5% quantile of the lower end's ratios and the 97.5% of the upper end's,
 * widened to hold `estimate`.
 *
 * `recentred` (pooled figures): the union with estimate − (median − 2.5% quantile) of the lower
 * end's ratios and estimate + (97.5% quantile − median) of the upper's. Summed over many
 * prompts, each end's draws concentrate around its prior's posterior mean, which sits a little
 * off the unbiased estimate (the Pitman–Yor end counts every answer seen once as a possible
 * repeat); that offset is small per prompt but the same sign in every prompt, and on the
 * fixture at n = 30 the pooled upper end fell below the full data's value 16% of the time.
 * Carrying the draws' spread around the estimate removes the offset and keeps the spread.
 */
export function intervalFromDraws(loVariance: ArrayLike<number>, loError: ArrayLike<number>, hiVariance: ArrayLike<number>, hiError: ArrayLike<number>, estimate: number | null, recentred = false): Interval | null {
  if (loVariance.length === 0) return null;
  const loRatios = ratios(loVariance, loError, 0);
  const hiRatios = ratios(hiVariance, hiError, 1);
  let lo = quantileOf(loRatios, 0.025);
  let hi = quantileOf(hiRatios, 0.975);
  if (estimate !== null) {
    if (recentred) {
      lo = Math.min(lo, Math.max(0, estimate - (quantileOf(loRatios, 0.5) - lo)));
      hi = Math.max(hi, Math.min(1, estimate + (hi - quantileOf(hiRatios, 0.5))));
    }
    lo = Math.min(lo, estimate);
    hi = Math.max(hi, estimate);
  }
  return [lo, hi];
}

/**
 * A prompt's Brier interval, as the analysis gives it: null below MIN_RUNS_FOR_INTERVAL reruns.
 * With every rerun correct there is no estimate (no error to split) but there is an interval,
 * [lower, 1]: if the prompt does err, this is how much of its error is variance. Leaving it out
 * would make the intervals that are given cover less than they claim when errors are rare
 * (measured: 83% at p_ref 0.99, n = 30, counting only runs that erred).
 */
export function brierInterval(t: Tally, rng: Rng, B = DEFAULT_DRAWS): Interval | null {
  const estimate = brierEstimate(t);
  if (t.n < MIN_RUNS_FOR_INTERVAL || B <= 0) return null;
  const d = posteriorDraws(t, B, rng);
  return intervalFromDraws(d.loVariance, d.loError, d.hiVariance, d.hiError, estimate);
}

// ---------- the binary form ----------

/**
 * The binary form's interval. Its incoherence p(1 − p)/(1 − p) is the success rate itself, so
 * its estimate is the plug-in p̂ = c/n (unbiased) and its interval one for a binomial rate: the
 * exact Clopper–Pearson interval (Beta(c, n − c + 1) and Beta(c + 1, n − c) quantiles), whose
 * coverage is at least 95% for every rate. The Jeffreys interval is narrower but measured at
 * 90% for a rate of 1% at n = 10 (a single success puts its lower end above 0.01).
 * Null below MIN_RUNS_FOR_INTERVAL reruns.
 */
export function binaryInterval(n: number, c: number): Interval | null {
  if (n < MIN_RUNS_FOR_INTERVAL) return null;
  return clopperPearson(c, n);
}

/**
 * B draws of the binary form's (variance, error) at each end, for pooling: a success rate from
 * the Clopper–Pearson ends' Betas (Beta(c, n − c + 1) for the lower end, 0 when c = 0;
 * Beta(c + 1, n − c) for the upper, 1 when c = n), variance a(1 − a) and error 1 − a.
 */
export function binaryDraws(n: number, c: number, B: number, rng: Rng, out: EndDraws = emptyDraws(B)): EndDraws {
  const loRate = c === 0 ? null : new BetaWalk(c, n - c + 1, rng);
  const hiRate = c === n ? null : new BetaWalk(c + 1, n - c, rng);
  const los = scratchOf(2, B);
  const his = scratchOf(3, B);
  if (loRate) loRate.fill(B, los);
  else los.fill(0, 0, B);
  if (hiRate) hiRate.fill(B, his);
  else his.fill(1, 0, B);
  for (let b = 0; b < B; b++) {
    const lo = los[b]!;
    const hi = his[b]!;
    out.loVariance[b] = lo * (1 - lo);
    out.loError[b] = 1 - lo;
    out.hiVariance[b] = hi * (1 - hi);
    out.hiError[b] = 1 - hi;
  }
  return out;
}
