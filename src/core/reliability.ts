// Reliability across reruns (METRICS.md §7b): pass^k (k fresh reruns all succeed) and pass@k
// (at least one of k succeeds), per prompt and pooled over the prompts with a target, each with
// a 95% interval. Pure arithmetic on (c, n), the correct count and the number of runs: nothing
// here is random, so the same counts always give the same figures.
//
// Point estimates: the unbiased C(c,k)/C(n,k) and 1 − C(n−c,k)/C(n,k), never (c/n)^k (biased
// high for k > 1: with n = 4, c = 2, pass^2 is 1/6, not 1/4). The binomial ratios are products
// of ratios, Π_{j<k} (c−j)/(n−j), built up k by k: no factorial, so n = 10,000 is no problem.
//
// Per-prompt interval. The truth is π^k (pass^k) and 1 − (1 − π)^k (pass@k), π the prompt's
// true success rate. Both are increasing in π, so the exact Clopper–Pearson interval [L, U] for
// π maps to [L^k, U^k] and [1 − (1 − L)^k, 1 − (1 − U)^k], which cover the truth exactly when
// [L, U] covers π: at least 95% of the time, by construction. At large k the unbiased estimate
// can sit just outside that interval (pass^n is 0 as soon as one run failed, while U^n is not);
// the interval is then stretched to reach it, so a figure is never shown outside its own
// interval (this only widens it: the coverage stays ≥ 95%).
//
// Pooled interval. The truth is θ_k = the mean over the prompts of π_i^k, and the pooled estimate
// T_k (the mean of the prompts' unbiased estimates) is unbiased for it, so the interval is
// T_k ± (1.96 · √(Σ_i V_ik) / m + a continuity correction), cut to [0, 1]. V_ik bounds the
// variance of prompt i's estimate: it is a U-statistic of order k whose kernel (k runs all
// correct) has variance π^k(1 − π^k), and Hoeffding's bound gives Var ≤ π^k(1 − π^k) / ⌊n/k⌋
// (exact at k = 1 and at k = n). Since π is unknown, V_ik takes that bound at its largest over
// the prompt's own 95% Clopper–Pearson interval: a prompt whose runs all agree still counts
// with the variance it could have, so the interval does not collapse when every run of every
// prompt succeeds (or fails). The continuity correction is half the largest step one prompt's
// count can move T_k by (k/n/m): at k = n each estimate is 0 or 1 and T_k moves in steps of 1/m.
// Where a single prompt has n ≥ k the pooled interval is that prompt's exact one. No randomness:
// the same counts give the same interval, whatever the prompts' ids or order.
//
// Measured (bench/reliability.bench.ts: seeded simulation with known π_i, 30 prompts, 1,000
// draws per case, π spread over (0, 1), all ½, near 0, near 1, 0.1, 0.9, half near 0 and half near
// 1): pooled coverage ≥ 0.947 for pass^k and pass@k at k = 1, 2, n and n = 5, 8, 10, 30, 100.
// Not chosen: a posterior simulation (Beta(c+½, n−c+½) per prompt, percentile interval of the
// mean of π^k) covers far less (down to 0% at n = 5 to 30, printed by the bench): its
// spread is narrower than that of the estimates at small n (n = 5, π = ½: about 60% of the
// variance) and its centre is biased at large k (π = 0.99, n = 5: E[π^5] = 0.72 where the truth
// is 0.95), so pooled over many prompts it shrinks around that bias. Nor the mean of independent
// draws from Clopper–Pearson's two Beta distributions (lower bound from Beta(c, n−c+1), upper
// from Beta(c+1, n−c)): E[π_L²] ≈ π² + 2π/n lies above π² near 0, and that pooled lower bound
// missed 16–35% of the time for pass^2 with π near 0 when the method was chosen.
import { normalQuantile } from "./optimizer";
import type { Interval } from "./types";

/** The figures of one prompt with a target; index k−1 holds k = 1..n. */
export interface Reliability {
  passHatK: number[];
  passAtK: number[];
  passHatKCi95: Interval[];
  passAtKCi95: Interval[];
}

/** The pooled figures; index k−1 holds k, over the `passKPrompts[k−1]` prompts with n ≥ k. */
export interface PooledReliability extends Reliability {
  passKPrompts: number[];
}

/** What a prompt without a target (and a pool without one) has instead: nothing to be right about. */
export const NO_RELIABILITY = { passHatK: null, passAtK: null, passHatKCi95: null, passAtKCi95: null } as const;
export const NO_POOLED_RELIABILITY = { ...NO_RELIABILITY, passKPrompts: null } as const;

export const RELIABILITY_LEVEL = 0.95;
const ALPHA = 1 - RELIABILITY_LEVEL;

// ---------------------------------------------------------------------------------------------
// The Beta distribution: log-gamma, the regularized incomplete beta and its inverse.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let s = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln of the Beta density's normaliser part x^a (1−x)^b / B(a, b). */
function logFront(x: number, a: number, b: number): number {
  return logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
}

/** The continued fraction of the incomplete beta (modified Lentz), for x < (a+1)/(a+b+2). */
function betaFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** P(X ≤ x) for X ~ Beta(a, b), a, b > 0: the regularized incomplete beta I_x(a, b). */
export function betaCdf(x: number, a: number, b: number): number {
  if (!(x > 0)) return 0;
  if (!(x < 1)) return 1;
  const front = Math.exp(logFront(x, a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * The p-quantile of Beta(a, b): Newton's method on I_x(a, b) = p, kept inside a bracket that
 * bisection narrows whenever a Newton step would leave it, to a relative 1e-13 or 300 steps.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p > 0)) return 0;
  if (!(p < 1)) return 1;
  let lo = 0;
  let hi = 1;
  // Start where a normal with the Beta's mean and spread has its p-quantile (two or three Newton
  // steps from there when a and b are large), else at the mean; the bracket does the rest.
  const mean = a / (a + b);
  const guess = mean + normalQuantile(p) * Math.sqrt((mean * (1 - mean)) / (a + b + 1));
  let x = guess > 0 && guess < 1 ? guess : mean;
  const logB = logGamma(a) + logGamma(b) - logGamma(a + b);
  for (let i = 0; i < 300; i++) {
    const f = betaCdf(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logB);
    let next = density > 0 && Number.isFinite(density) ? x - f / density : NaN;
    // bisect; towards 0 by factors of 64, as a tiny a puts the quantile many decades down
    if (!(next > lo && next < hi)) next = lo > 0 ? (lo + hi) / 2 : hi / 64;
    if (Math.abs(next - x) <= 1e-13 * x || hi - lo <= 1e-15 * hi) return next;
    x = next;
  }
  return x;
}

/** Intervals already worked out, by "c n": a trace set repeats the same few counts many times. */
const cpCache = new Map<string, Interval>();
const CP_CACHE_MAX = 50_000;

/** The exact (Clopper–Pearson) 95% interval for a success rate, from c successes in n trials. */
export function clopperPearson(c: number, n: number): Interval {
  const key = `${c} ${n}`;
  const hit = cpCache.get(key);
  if (hit) return [hit[0], hit[1]];
  const lower = c === 0 ? 0 : betaQuantile(ALPHA / 2, c, n - c + 1);
  const upper = c === n ? 1 : betaQuantile(1 - ALPHA / 2, c + 1, n - c);
  if (cpCache.size >= CP_CACHE_MAX) cpCache.clear();
  cpCache.set(key, [lower, upper]);
  return [lower, upper];
}

/** The k's a summary lists out of 1..n (the JSON has them all): 1, 2, 3, 5, 10, 20, 50, 100, … and n. */
export function summaryKs(n: number): number[] {
  const ks = [1, 2, 3, 5];
  for (let d = 10; d < n; d *= 10) ks.push(d, 2 * d, 5 * d);
  return [...ks.filter((k) => k < n), n];
}

// ---------------------------------------------------------------------------------------------
// Per prompt

/** C(c,k)/C(n,k) for k = 1..n: Π_{j<k} (c−j)/(n−j), which is 0 from k = c+1 on. */
export function passHatK(c: number, n: number): number[] {
  const out = new Array<number>(n);
  let r = 1;
  for (let k = 1; k <= n; k++) {
    r *= Math.max(0, c - (k - 1)) / (n - (k - 1));
    out[k - 1] = r;
  }
  return out;
}

/** 1 − C(n−c,k)/C(n,k) for k = 1..n: 1 minus the chance that k runs drawn from n all failed. */
export function passAtK(c: number, n: number): number[] {
  return passHatK(n - c, n).map((allFail) => 1 - allFail);
}

/** [lo, hi] stretched to reach x. */
const around = (lo: number, hi: number, x: number): Interval => [Math.min(lo, x), Math.max(hi, x)];

/**
 * The Clopper–Pearson ends L, U of c of n and their complements to the powers k = 1..n (index
 * k − 1), built up k by k like the estimates: what pass^k's and pass@k's intervals are made of.
 */
function endPowers(c: number, n: number): { L: Float64Array; U: Float64Array; notL: Float64Array; notU: Float64Array } {
  const [l, u] = clopperPearson(c, n);
  const out = { L: new Float64Array(n), U: new Float64Array(n), notL: new Float64Array(n), notU: new Float64Array(n) };
  let lk = 1;
  let uk = 1;
  let notL = 1;
  let notU = 1;
  for (let k = 1; k <= n; k++) {
    out.L[k - 1] = lk *= l;
    out.U[k - 1] = uk *= u;
    out.notL[k - 1] = notL *= 1 - l;
    out.notU[k - 1] = notU *= 1 - u;
  }
  return out;
}

/** pass^k and pass@k of one prompt with c of its n runs correct, with their 95% intervals. */
export function promptReliability(c: number, n: number): Reliability {
  checkCounts(c, n);
  const hat = passHatK(c, n);
  const at = passAtK(c, n);
  const { L, U, notL, notU } = endPowers(c, n);
  const hatCi: Interval[] = new Array(n);
  const atCi: Interval[] = new Array(n);
  for (let k = 0; k < n; k++) {
    hatCi[k] = around(L[k]!, U[k]!, hat[k]!);
    atCi[k] = around(1 - notL[k]!, 1 - notU[k]!, at[k]!);
  }
  return { passHatK: hat, passAtK: at, passHatKCi95: hatCi, passAtKCi95: atCi };
}

function checkCounts(c: number, n: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(c) && c >= 0 && c <= n)) throw new RangeError(`reliability needs 0 ≤ c ≤ n, n ≥ 1, whole numbers (got c = ${c}, n = ${n})`);
}

// ---------------------------------------------------------------------------------------------
// Pooled

/**
 * The largest g(x) = x(1 − x) over x in [a, b] (or [b, a]): ¼ when the range holds ½, else at
 * the end nearer ½. The variance bound of a kernel whose mean is x (see ReliabilityPool).
 */
function maxBernoulliVariance(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo <= 0.5 && hi >= 0.5) return 0.25;
  const x = hi < 0.5 ? hi : lo;
  return x * (1 - x);
}

/**
 * Pools pass^k and pass@k over prompts (METRICS.md §7b): for each k the mean over the prompts
 * with n ≥ k, with the interval described at the top of this file. Prompts are kept as counts
 * only, and the figures are computed at the end in a fixed order of (n, c), so the result
 * depends on the multiset of counts alone: not on the prompts' ids or their order.
 */
export class ReliabilityPool {
  /** "n c" → how many prompts have those counts. */
  private readonly counts = new Map<string, { n: number; c: number; prompts: number }>();

  add(c: number, n: number): void {
    checkCounts(c, n);
    const key = `${n} ${c}`;
    const e = this.counts.get(key);
    if (e) e.prompts++;
    else this.counts.set(key, { n, c, prompts: 1 });
  }

  /** The pooled figures, or null when no prompt was added. */
  result(): PooledReliability | null {
    if (this.counts.size === 0) return null;
    const groups = [...this.counts.values()].sort((x, y) => x.n - y.n || x.c - y.c);
    const maxN = groups[groups.length - 1]!.n;
    const prompts = new Array<number>(maxN).fill(0);
    const hatSum = new Array<number>(maxN).fill(0);
    const atSum = new Array<number>(maxN).fill(0);
    const hatVar = new Array<number>(maxN).fill(0);
    const atVar = new Array<number>(maxN).fill(0);
    // smallest[k−1]: the smallest n among the prompts with n ≥ k
    const smallest = new Array<number>(maxN);
    for (let g = groups.length - 1; g >= 0; g--) smallest.fill(groups[g]!.n, 0, groups[g]!.n);
    for (const { n, c, prompts: w } of groups) {
      const hat = passHatK(c, n);
      const at = passAtK(c, n);
      const { L, U, notL, notU } = endPowers(c, n);
      for (let k = 1; k <= n; k++) {
        const blocks = Math.floor(n / k);
        prompts[k - 1]! += w;
        hatSum[k - 1]! += w * hat[k - 1]!;
        atSum[k - 1]! += w * at[k - 1]!;
        hatVar[k - 1]! += (w * maxBernoulliVariance(L[k - 1]!, U[k - 1]!)) / blocks;
        atVar[k - 1]! += (w * maxBernoulliVariance(notL[k - 1]!, notU[k - 1]!)) / blocks;
      }
    }
    // Where one prompt is left (k above every other prompt's n), its own exact interval.
    const last = groups[groups.length - 1]!;
    const alone = last.prompts === 1 ? promptReliability(last.c, last.n) : null;
    const secondN = groups.length > 1 ? groups[groups.length - 2]!.n : 0;
    const z = normalQuantile(1 - ALPHA / 2);
    const out: PooledReliability = { passHatK: [], passAtK: [], passHatKCi95: [], passAtKCi95: [], passKPrompts: prompts };
    for (let k = 1; k <= maxN; k++) {
      const m = prompts[k - 1]!;
      const hat = hatSum[k - 1]! / m;
      const at = atSum[k - 1]! / m;
      out.passHatK.push(hat);
      out.passAtK.push(at);
      if (alone && k > secondN) {
        out.passHatKCi95.push(alone.passHatKCi95[k - 1]!);
        out.passAtKCi95.push(alone.passAtKCi95[k - 1]!);
        continue;
      }
      // continuity correction: half the largest step one prompt's count moves the mean by
      const cc = k / smallest[k - 1]! / (2 * m);
      const hw = (z * Math.sqrt(hatVar[k - 1]!)) / m + cc;
      const aw = (z * Math.sqrt(atVar[k - 1]!)) / m + cc;
      out.passHatKCi95.push([Math.max(0, hat - hw), Math.min(1, hat + hw)]);
      out.passAtKCi95.push([Math.max(0, at - aw), Math.min(1, at + aw)]);
    }
    return out;
  }
}
