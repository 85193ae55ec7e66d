// How many reruns? and would self-consistency help? Two projections from a prompt's class
// counts (issue "honest numbers", METRICS.md §7): the reruns that would bring the incoherence
// interval under ±0.05, and the incoherence of a majority vote over E reruns. Pure.
import { hashSeed, mulberry32, type Rng } from "./bootstrap";
import { brierInterval, MIN_RUNS_FOR_INTERVAL, type Tally } from "./interval";

/** The half-width the projection aims at ("under ±0.05"). */
export const TARGET_HALF_WIDTH = 0.05;
/** Draws per end in a projected interval (fewer than the headline's: it is an estimate of an estimate). */
const PROJECTION_DRAWS = 500;
/** Past this many reruns the projection says "more than". */
export const PROJECTION_MAX = 10_000;
const GRID = [1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 160, 200, 256, 320, 400, 500, 640, 800, 1000, 1280, 1600, 2000];

/**
 * The tally n′ reruns would give if they split as these did: the correct count and every class
 * seen twice or more scale with n′/n; answers seen once stay answers seen once (that many more
 * of them), since a scattered tail does not start repeating when there are more reruns.
 */
export function scaledTally(t: Tally, factor: number): Tally {
  const correct = Math.round(t.correct * factor);
  const wrong: number[] = [];
  let singles = 0;
  for (const k of t.wrong) {
    if (k === 1) singles++;
    else wrong.push(Math.max(2, Math.round(k * factor)));
  }
  for (let i = Math.round(singles * factor); i > 0; i--) wrong.push(1);
  const n = correct + wrong.reduce((s, k) => s + k, 0);
  return { n, correct, wrong };
}

export interface RerunProjection {
  /** The interval's half-width now (null when there is none yet). */
  halfWidth: number | null;
  /** Reruns to add for a half-width under TARGET_HALF_WIDTH: 0 when already under, null when more than PROJECTION_MAX in all. */
  more: number | null;
}

const half = (ci: [number, number] | null) => (ci ? (ci[1] - ci[0]) / 2 : null);

/**
 * "≈ N more reruns to get the interval under ±0.05": the smallest n′ on a geometric grid whose
 * interval, computed as the headline's is from the counts scaled to n′ (scaledTally), has a
 * half-width under the target (`target`, ±0.05 unless `--until-ci W` asks for W/2). Below
 * MIN_RUNS_FOR_INTERVAL reruns the projection starts from the counts there are. Deterministic:
 * seeded by `seed` and the counts.
 */
export function projectReruns(t: Tally, current: [number, number] | null, seed = 1, target = TARGET_HALF_WIDTH): RerunProjection {
  const now = half(current);
  if (t.correct >= t.n || t.n === 0) return { halfWidth: now, more: null };
  if (now !== null && now <= target) return { halfWidth: now, more: 0 };
  const rng = mulberry32(hashSeed(seed, `${t.n}:${t.correct}:${t.wrong.join(",")}`));
  for (const f of GRID) {
    const s = scaledTally(t, f);
    if (s.n <= t.n || s.n < MIN_RUNS_FOR_INTERVAL) continue;
    if (s.n > PROJECTION_MAX) break;
    const h = half(brierInterval(s, rng, PROJECTION_DRAWS));
    if (h !== null && h <= target) return { halfWidth: now, more: niceCount(s.n - t.n) };
  }
  return { halfWidth: now, more: null };
}

/** A count rounded up to two significant figures (≈ is said beside it). */
function niceCount(x: number): number {
  if (x <= 20) return x;
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / p) * p;
}

/** Ensemble sizes the view shows. */
export const ENSEMBLE_SIZES = [1, 3, 5, 10] as const;
const VOTE_DRAWS = 4000;

export interface EnsembleRow {
  /** Reruns combined by majority vote. */
  e: number;
  /** Brier incoherence of the voted answer (null when the vote is never wrong). */
  incoherence: number | null;
  /** Its accuracy (how often the vote is correct). */
  accuracy: number;
}

/**
 * The paper's ensembling result, per prompt: the incoherence of a majority vote over E reruns
 * (ties broken at random), from the observed class shares, for E in ENSEMBLE_SIZES. E = 1 is
 * the prompt's plug-in figure. The vote's class distribution is estimated from VOTE_DRAWS
 * seeded simulated votes (exact for E = 1). A prompt whose errors scatter (a hot mess) sees its
 * vote's error fall; one that is consistently wrong (a paperclip) does not.
 */
export function ensembleProjection(counts: ArrayLike<number>, refIndex: number, n: number, seed = 1): EnsembleRow[] {
  const K = counts.length;
  const cumulative = new Float64Array(K);
  let acc = 0;
  for (let c = 0; c < K; c++) cumulative[c] = acc += counts[c]! / n;
  const rng: Rng = mulberry32(hashSeed(seed, `vote:${Array.from(counts).join(",")}:${refIndex}`));
  const pick = () => {
    const u = rng();
    let lo = 0;
    let hi = K - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const tally = new Uint32Array(K);
  return ENSEMBLE_SIZES.map((e) => {
    const share = new Float64Array(K);
    if (e === 1) for (let c = 0; c < K; c++) share[c] = counts[c]! / n;
    else {
      const touched: number[] = [];
      for (let d = 0; d < VOTE_DRAWS; d++) {
        touched.length = 0;
        for (let i = 0; i < e; i++) {
          const c = pick();
          if (tally[c]! === 0) touched.push(c);
          tally[c]!++;
        }
        let best = -1;
        let ties = 0;
        let winner = -1;
        for (const c of touched) {
          const v = tally[c]!;
          if (v > best) {
            best = v;
            winner = c;
            ties = 1;
          } else if (v === best && rng() * ++ties < 1) winner = c;
        }
        share[winner]! += 1 / VOTE_DRAWS;
        for (const c of touched) tally[c] = 0;
      }
    }
    let sumSq = 0;
    for (let c = 0; c < K; c++) sumSq += share[c]! * share[c]!;
    const pRef = share[refIndex] ?? 0;
    const error = 2 * (1 - pRef);
    return { e, incoherence: error > 1e-12 ? (1 - sumSq) / error : null, accuracy: pRef };
  });
}
