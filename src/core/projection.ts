// How many reruns? and would self-consistency help? Two projections from a prompt's class
// counts (issue "honest numbers", METRICS.md §7): the reruns that would bring the incoherence
// interval under ±0.05, and the incoherence of a majority vote over E reruns. Pure.
import { hashSeed, mulberry32, type Rng } from "./bootstrap";
import { brierInterval, MIN_RUNS_FOR_INTERVAL, type Tally } from "./interval";

/** The half-width the projection aims at ("under ±0.05"). */
export const TARGET_HALF_WIDTH = 0.05;
/** Draws per end in a projected interval: the headline's default, so the two are alike. */
const PROJECTION_DRAWS = 1000;
/**
 * The projection aims this far under the target: a width from 1,000 draws varies by some 3% from
 * seed to seed, and a count that reaches the target only on average leaves the interval the user
 * then sees over it half the time (10 agreeing reruns: "≈ 8 more", and at 18 it was 0.222 wide for
 * a target of 0.2).
 */
const MARGIN = 0.97;
/** Past this many reruns the projection says "more than". */
export const PROJECTION_MAX = 10_000;

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
 * "≈ N more reruns to get the interval under ±0.05": the interval, computed as the headline's is,
 * of the counts scaled to n′ (scaledTally). The half-width h(n′) falls about as n′^−β; it is
 * evaluated at n and 4n (giving β), at the n′ that β predicts, and then between the largest n′
 * that missed and the smallest that passed (moreReruns), some eight intervals of
 * PROJECTION_DRAWS draws. Below
 * MIN_RUNS_FOR_INTERVAL reruns the projection starts from the counts there are. `current` (the
 * prompt's own interval) only says whether it is under the target already: the count to add is
 * a function of the counts, seeded by `seed` and them, so prompts with the same counts (999
 * small prompts hold a few dozen distinct tallies) share one computation.
 */
export function projectReruns(t: Tally, current: [number, number] | null, seed = 1, target = TARGET_HALF_WIDTH): RerunProjection {
  const now = half(current);
  if (t.correct >= t.n || t.n === 0) return { halfWidth: now, more: null };
  if (now !== null && now <= target) return { halfWidth: now, more: 0 };
  const key = `${seed}|${target}|${t.n}:${t.correct}:${t.wrong.join(",")}`;
  let more = PROJECTIONS.get(key);
  if (more === undefined) remember(PROJECTIONS, key, (more = moreReruns(t, seed, target)));
  return { halfWidth: now, more };
}

/** Memo tables of the two projections, by their arguments; cleared when full. */
const MEMO_LIMIT = 4096;
const PROJECTIONS = new Map<string, number | null>();
const ENSEMBLES = new Map<string, EnsembleRow[]>();
function remember<T>(memo: Map<string, T>, key: string, value: T): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

/** Halvings (on the log scale) of the bracket around the answer, once one n passes and a smaller fails. */
const REFINE_STEPS = 4;

/**
 * Reruns to add to t for a half-width under target (null: more than PROJECTION_MAX in all): a
 * bracket [lo, hi] with h(lo) over the target and h(hi) under it (found from n, 4n and the n that
 * their slope predicts, growing by half until one passes), then narrowed by REFINE_STEPS
 * bisections, so the answer is the smallest n found to pass, not the first guess that did
 * (which ran up to half again too high).
 */
function moreReruns(t: Tally, seed: number, target: number): number | null {
  const rng = mulberry32(hashSeed(seed, `${t.n}:${t.correct}:${t.wrong.join(",")}`));
  const at = (n: number): number | null => {
    const s = scaledTally(t, n / t.n);
    return s.n < MIN_RUNS_FOR_INTERVAL ? null : half(brierInterval(s, rng, PROJECTION_DRAWS));
  };
  const aim = MARGIN * target;
  const passes = (n: number) => {
    const h = at(n);
    return h !== null && h <= aim;
  };
  const base = Math.max(t.n, MIN_RUNS_FOR_INTERVAL);
  const more = (n: number) => niceCount(Math.max(1, n - t.n));
  const h0 = at(base);
  if (h0 === null) return null;
  if (h0 <= aim) return more(base);
  let lo = base;
  let hi = Math.min(PROJECTION_MAX, 4 * base);
  const h4 = at(hi);
  if (h4 === null) return null;
  if (h4 > aim) {
    if (hi >= PROJECTION_MAX) return null;
    lo = hi;
    const beta = Math.min(1.5, Math.max(0.5, Math.log(h0 / h4) / Math.log(hi / base)));
    let guess = Math.min(PROJECTION_MAX, Math.max(lo + 1, Math.ceil(hi * (h4 / aim) ** (1 / beta))));
    while (!passes(guess)) {
      if (guess >= PROJECTION_MAX) return null;
      lo = guess;
      guess = Math.min(PROJECTION_MAX, Math.ceil(guess * 1.5));
    }
    hi = guess;
  }
  for (let k = 0; k < REFINE_STEPS && hi - lo > 1; k++) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    if (passes(mid)) hi = mid;
    else lo = mid;
  }
  return more(hi);
}

/** A count rounded up to two significant figures (≈ is said beside it). */
function niceCount(x: number): number {
  if (x <= 20) return x;
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / p) * p;
}

/** Ensemble sizes the view shows. */
export const ENSEMBLE_SIZES = [1, 3, 5, 10] as const;
const VOTE_DRAWS = 2000;

export interface EnsembleRow {
  /** Reruns combined by majority vote. */
  e: number;
  /** Brier incoherence of the voted answer (null when the vote is never wrong). */
  incoherence: number | null;
  /** Its accuracy (how often the vote is correct). */
  accuracy: number;
  /** Its Brier error 2(1 − accuracy): what the vote leaves to split. */
  error: number;
}

/**
 * The paper's ensembling result, per prompt: the incoherence of a majority vote over E reruns
 * (ties broken at random), from the observed class shares, for E in ENSEMBLE_SIZES. E = 1 is
 * the prompt's plug-in figure. The vote's class distribution is estimated from VOTE_DRAWS
 * seeded simulated votes (exact for E = 1). A prompt whose errors scatter (a hot mess) sees its
 * vote's error fall; one that is consistently wrong (a paperclip) does not.
 */
export function ensembleProjection(counts: ArrayLike<number>, refIndex: number, n: number, seed = 1): EnsembleRow[] {
  // The vote depends on the counts as a multiset with the reference marked: they are put in one
  // order (the reference first, then the others largest first), so that prompts with the same
  // counts in any order get the same rows, computed once.
  const others: number[] = [];
  for (let c = 0; c < counts.length; c++) if (c !== refIndex && counts[c]! > 0) others.push(counts[c]!);
  others.sort((a, b) => b - a);
  const canonical = [refIndex >= 0 && refIndex < counts.length ? counts[refIndex]! : 0, ...others];
  const key = `${seed}|${n}|${canonical.join(",")}`;
  let rows = ENSEMBLES.get(key);
  if (!rows) remember(ENSEMBLES, key, (rows = voteRows(canonical, n, seed)));
  return rows.map((r) => ({ ...r }));
}

/** ensembleProjection for counts whose reference class is the first. */
function voteRows(counts: number[], n: number, seed: number): EnsembleRow[] {
  const refIndex = 0;
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
  // one simulated vote of the largest E per draw; a smaller E's vote is the first E of its ballots
  const sizes = ENSEMBLE_SIZES.filter((e) => e > 1);
  const largest = Math.max(...sizes);
  const wins = sizes.map(() => new Uint32Array(K));
  const tally = new Uint32Array(K);
  const touched: number[] = [];
  for (let d = 0; d < VOTE_DRAWS; d++) {
    touched.length = 0;
    let next = 0;
    for (let i = 1; i <= largest; i++) {
      const c = pick();
      if (tally[c]! === 0) touched.push(c);
      tally[c]!++;
      if (i === sizes[next]) {
        let best = -1;
        let ties = 0;
        let winner = -1;
        for (const k of touched) {
          const v = tally[k]!;
          if (v > best) {
            best = v;
            winner = k;
            ties = 1;
          } else if (v === best && rng() * ++ties < 1) winner = k;
        }
        wins[next]![winner]!++;
        next++;
      }
    }
    for (const c of touched) tally[c] = 0;
  }
  return ENSEMBLE_SIZES.map((e) => {
    const share = new Float64Array(K);
    if (e === 1) for (let c = 0; c < K; c++) share[c] = counts[c]! / n;
    else {
      const w = wins[sizes.indexOf(e)]!;
      for (let c = 0; c < K; c++) share[c] = w[c]! / VOTE_DRAWS;
    }
    let sumSq = 0;
    for (let c = 0; c < K; c++) sumSq += share[c]! * share[c]!;
    const pRef = share[refIndex] ?? 0;
    const error = 2 * (1 - pRef);
    return { e, incoherence: error > 1e-12 ? Math.max(0, 1 - sumSq) / error : null, accuracy: pRef, error };
  });
}
