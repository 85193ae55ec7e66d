// Seeded percentile bootstrap (METRICS.md §7). The generator is a small, fast, well-mixed
// 32-bit PRNG (mulberry32), seeded per prompt from the analysis seed and the prompt's id, so a
// prompt's interval does not depend on where it sits in the file and a rerun prints the same.
import type { Interval } from "./types";

export type Rng = () => number;

/** mulberry32: uniform in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units of `s`, mixed with a numeric seed. */
export function hashSeed(seed: number, s: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Quantile with linear interpolation between order statistics (Hyndman–Fan type 7). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The 95% percentile interval of variance/error over bootstrap resamples, each ratio capped at
 * 1 (as incoherenceUnbiased is). Resamples whose error is 0 (every resampled run correct: the
 * ratio does not exist) are left out; when none is left the interval is null.
 */
export function ratioInterval(variance: ArrayLike<number>, error: ArrayLike<number>): Interval | null {
  const values: number[] = [];
  for (let b = 0; b < variance.length; b++) if (error[b]! > 0) values.push(Math.min(1, variance[b]! / error[b]!));
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

/**
 * Class counts of B resamples of n samples drawn with replacement: for resample b, counts
 * [b*K, (b+1)*K) over the K classes. `classOf[i]` is sample i's class.
 */
export function resampleCounts(classOf: ArrayLike<number>, K: number, B: number, rng: Rng): Uint32Array {
  const n = classOf.length;
  const out = new Uint32Array(B * K);
  for (let b = 0; b < B; b++) {
    const base = b * K;
    for (let i = 0; i < n; i++) out[base + classOf[Math.floor(rng() * n)]!]!++;
  }
  return out;
}
