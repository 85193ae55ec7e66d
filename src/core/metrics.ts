// The decompositions of METRICS.md §4–6, computed from class counts (Brier, binary) or from
// per-sample probability vectors (KL). Everything here is exact arithmetic on counts, so two
// tools reading the same samples agree to rounding.
import type { Decomposition, Sample } from "./types";

/** The three figures every decomposition has. */
export interface Parts {
  bias2: number;
  variance: number;
  error: number;
}

/** variance / error, null when error is 0 (METRICS.md §4). */
export function ratio(variance: number, error: number): number | null {
  return error > 0 ? variance / error : null;
}

/**
 * Adds incoherence and the finite-sample correction (METRICS.md §4): varianceUnbiased =
 * n/(n−1)·variance, bias2Unbiased = max(0, error − varianceUnbiased), incoherenceUnbiased =
 * min(1, varianceUnbiased/error). With n = 1 the correction's denominator is 0: null.
 */
export function complete(p: Parts, n: number, unbiased: boolean): Decomposition {
  const vu = unbiased && n > 1 ? (n / (n - 1)) * p.variance : null;
  return {
    bias2: p.bias2,
    variance: p.variance,
    error: p.error,
    incoherence: ratio(p.variance, p.error),
    varianceUnbiased: vu,
    bias2Unbiased: vu === null ? null : Math.max(0, p.error - vu),
    incoherenceUnbiased: vu === null || !(p.error > 0) ? null : Math.min(1, vu / p.error),
    estimate: null,
    ci95: null,
  };
}

/**
 * Categorical Brier decomposition from class counts (METRICS.md §4). `refIndex` is the
 * reference class (which may have count 0). bias² = (1 − p_ref)² + Σ_{c≠ref} p_c²,
 * variance = 1 − Σ_c p_c², error = 2(1 − p_ref).
 */
export function brierParts(counts: ArrayLike<number>, refIndex: number, n: number): Parts {
  let sumSq = 0;
  for (let c = 0; c < counts.length; c++) {
    const p = counts[c]! / n;
    sumSq += p * p;
  }
  const pRef = (counts[refIndex] ?? 0) / n;
  const variance = 1 - sumSq;
  return { bias2: (1 - pRef) * (1 - pRef) + (sumSq - pRef * pRef), variance, error: 2 * (1 - pRef) };
}

/** Binary decomposition (METRICS.md §4): p̄ = p_ref; bias² = (1 − p̄)², variance = p̄(1 − p̄), error = 1 − p̄. */
export function binaryParts(refCount: number, n: number): Parts {
  const p = refCount / n;
  return { bias2: (1 - p) * (1 - p), variance: p * (1 - p), error: 1 - p };
}

/**
 * The outcome-vector decomposition (METRICS.md §12, the paper's SWE-bench form): with ȳ_j the
 * mean of check j over the n samples and T checks, bias² = (1/T) Σ_j (1 − ȳ_j)², variance =
 * (1/T) Σ_j (1/n) Σ_r (y_rj − ȳ_j)² = (1/T) Σ_j ȳ_j(1 − ȳ_j) (each y is 0 or 1), error =
 * bias² + variance = (1/T) Σ_j (1 − ȳ_j). Null unless every sample has `outcomes` with the same
 * checks (at least one). With one check it is binaryParts of that check.
 */
export function outcomesParts(samples: readonly Sample[]): Parts | null {
  const first = samples[0]?.outcomes;
  if (!first) return null;
  const checks = Object.keys(first);
  const T = checks.length;
  if (T === 0) return null;
  const sums = new Float64Array(T);
  for (const s of samples) {
    const o = s.outcomes;
    if (!o || Object.keys(o).length !== T) return null;
    for (let j = 0; j < T; j++) {
      const y = o[checks[j]!];
      if (y !== 0 && y !== 1) return null; // a check missing from this sample (or not 0/1)
      sums[j]! += y;
    }
  }
  const n = samples.length;
  let bias2 = 0;
  let variance = 0;
  let error = 0;
  for (let j = 0; j < T; j++) {
    const p = sums[j]! / n;
    bias2 += (1 - p) * (1 - p);
    variance += p * (1 - p);
    error += 1 - p; // = (1 − p)² + p(1 − p), summed as binaryParts writes it
  }
  return { bias2: bias2 / T, variance: variance / T, error: error / T };
}

/** Disagreement (1 − Σ p_c²), entropy (nats) and the number of non-empty classes (METRICS.md §6). */
export function spread(counts: ArrayLike<number>, n: number): { disagreement: number; entropy: number; classes: number } {
  let sumSq = 0;
  let entropy = 0;
  let classes = 0;
  for (let c = 0; c < counts.length; c++) {
    const k = counts[c]!;
    if (k <= 0) continue;
    const p = k / n;
    sumSq += p * p;
    entropy -= p * Math.log(p);
    classes++;
  }
  return { disagreement: 1 - sumSq, entropy: entropy === 0 ? 0 : entropy, classes };
}

export const KL_DELTA = 1e-12;

/** The smoothed probability matrix of the KL decomposition: rows are samples, columns options. */
export interface KlInput {
  options: string[];
  refIndex: number;
  /** logs[r][c] = log f̃_r[c] with f̃_r[c] = (f_r[c] + δ)/(1 + Cδ). */
  logs: Float64Array[];
}

/**
 * Prepares the KL decomposition (METRICS.md §4) when every sample has `probs` and there is a
 * reference label; null otherwise. Options are the union of the probs keys and the reference
 * label, in first-seen order.
 */
export function klInput(samples: Sample[], referenceLabel: string | null): KlInput | null {
  if (referenceLabel === null || samples.length === 0) return null;
  if (!samples.every((s) => s.probs && typeof s.probs === "object")) return null;
  const index = new Map<string, number>();
  for (const s of samples) for (const k of Object.keys(s.probs!)) if (!index.has(k)) index.set(k, index.size);
  if (!index.has(referenceLabel)) index.set(referenceLabel, index.size);
  const C = index.size;
  const logs = samples.map((s) => {
    const row = new Float64Array(C).fill(Math.log(KL_DELTA / (1 + C * KL_DELTA)));
    for (const [k, v] of Object.entries(s.probs!)) row[index.get(k)!] = Math.log((v + KL_DELTA) / (1 + C * KL_DELTA));
    return row;
  });
  return { options: [...index.keys()], refIndex: index.get(referenceLabel)!, logs };
}

/**
 * KL decomposition over the samples `rows` (indices into input.logs, repeats allowed, as the
 * bootstrap needs): f̄[c] ∝ exp(mean_r log f̃_r[c]); bias² = −log f̄[ref];
 * variance = mean_r KL(f̄ ‖ f̃_r); error = mean_r(−log f̃_r[ref]).
 */
export function klParts(input: KlInput, rows?: ArrayLike<number>): Parts {
  const C = input.options.length;
  const n = rows ? rows.length : input.logs.length;
  const meanLog = new Float64Array(C);
  let errorSum = 0;
  for (let i = 0; i < n; i++) {
    const row = input.logs[rows ? rows[i]! : i]!;
    for (let c = 0; c < C; c++) meanLog[c]! += row[c]!;
    errorSum -= row[input.refIndex]!;
  }
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    meanLog[c]! /= n;
    if (meanLog[c]! > max) max = meanLog[c]!;
  }
  // log Z with the log-sum-exp trick; log f̄[c] = meanLog[c] − log Z.
  let z = 0;
  for (let c = 0; c < C; c++) z += Math.exp(meanLog[c]! - max);
  const logZ = max + Math.log(z);
  // mean_r KL(f̄ ‖ f̃_r) = Σ_c f̄[c](log f̄[c] − mean_r log f̃_r[c]) = −log Z, computed directly.
  let variance = 0;
  for (let c = 0; c < C; c++) {
    const logBar = meanLog[c]! - logZ;
    variance += Math.exp(logBar) * (logBar - meanLog[c]!);
  }
  return { bias2: -(meanLog[input.refIndex]! - logZ), variance, error: errorSum / n };
}

/** Pooling over prompts (METRICS.md §5): Σ variance / Σ error, a ratio of sums. */
export function pooledRatio(parts: Parts[]): number | null {
  let v = 0;
  let e = 0;
  for (const p of parts) {
    v += p.variance;
    e += p.error;
  }
  return ratio(v, e);
}
