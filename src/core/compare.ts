// Two analyses side by side (FORMATS.md `hotmess.comparison/1`, issue 17 "Compare"): prompts
// matched by id, else by prompt text; per prompt and pooled, B − A of accuracy (the reference
// class's share, METRICS.md §3) and of the headline incoherence (§7's `estimate`), each with a
// 95% interval; `significant` when either interval excludes 0. Pure: reads two `Analysis`
// objects (their class counts and decompositions), no I/O. `hotmess check --baseline` reuses
// `compareAnalyses`.
//
// The intervals, chosen for honest coverage at the 5–10 reruns per side people run:
// - Accuracy, per prompt: Newcombe's hybrid score interval (method 10 of Newcombe 1998) from the
//   two sides' Wilson score intervals. A plain Wald interval collapses when a side has 0 or n
//   successes (its variance is 0) and flags rerun noise far more than 5% of the time at n = 5
//   (test/compare.test.ts measures it); Newcombe's stays near nominal for every rate, needs no
//   draws and is what the literature recommends for a difference of two proportions at small n.
// - Incoherence, per prompt: from the two sides' posterior draws (src/core/interval.ts
//   `posteriorDraws`, the very draws behind each side's `ci95`), A's and B's from independent
//   seeded streams. A prompt's interval takes its lower end under the prior favouring agreement
//   among wrong answers and its upper under the one favouring spread; the difference does the
//   same on each side: its lower end is the 2.5% quantile of (B's lower-end draws − A's
//   upper-end draws), its upper end the 97.5% quantile of (B's upper − A's lower), widened to
//   hold the estimate's difference. Both sides' unseen-answer uncertainty goes against the claim
//   of a change, so rerun noise is rarely flagged; a change of the success rate is what the
//   accuracy interval is for.
// - Pooled: the difference of the pooled figures over the prompts matched with a target on both
//   sides (a ratio of sums for incoherence, §5; a mean for accuracy). Incoherence: the per-draw
//   sums of each side's draws, as the Analyzer pools them, differenced as above and recentred on
//   the estimate as `intervalFromDraws(…, recentred)` does. Accuracy: Newcombe's construction
//   (MOVER) again, from each side's 95% interval for its mean accuracy: the quantiles of the
//   mean over prompts of each prompt's Jeffreys Beta(c + ½, n − c + ½) rate draws (read from the
//   same posterior draws). Tried first: the percentiles of the difference of those draws, ±0.23
//   for one prompt at 0 of 8 on both sides where Newcombe's per-prompt interval says ±0.32; and
//   ends paired with the modified Jeffreys boundary rule, which summed over the fixture's many
//   never-right puzzles was wider than it must be (halves of the fixture never flagged: 0 of 200 splits at n = 5, 10 and 30).
// Below MIN_RUNS_FOR_INTERVAL reruns on either side a prompt gets no interval (and is never
// `significant`), as a single analysis gives none. bench/compare.bench.ts prints the measured
// false-positive rate (two halves of the same reruns) and power (a success rate moved from 4% to
// 60%); test/compare.test.ts pins them.
import { hashSeed, mulberry32 } from "./bootstrap";
import { DEFAULT_DRAWS, emptyDraws, MIN_RUNS_FOR_INTERVAL, posteriorDraws, quantileOf, type EndDraws, type Tally } from "./interval";
import type { Analysis, Interval, PromptAnalysis } from "./types";

export const COMPARISON_SCHEMA = "hotmess.comparison/1";

export interface CompareOptions {
  /** Seed of the draws; the same seed gives the same intervals. Default 1. */
  seed?: number;
  /** Posterior draws per side; default 1000 (0: no intervals for incoherence). */
  draws?: number;
}

/** B − A of one prompt, or of the pooled figures. */
export interface Delta {
  /** B's accuracy − A's (the reference class's share); null when a side has no target. */
  accuracy: number | null;
  accuracyCi95: Interval | null;
  /** B's headline incoherence − A's (Brier `estimate`); null when a side has none (no target, or no error to split). */
  estimate: number | null;
  estimateCi95: Interval | null;
  /** Either interval excludes 0. */
  significant: boolean;
}

/** One matched prompt. */
export interface ComparedPrompt {
  /** A's id (B's is `bId` when it differs: matched by prompt text). */
  id: string;
  bId?: string;
  matchedBy: "id" | "prompt";
  a: PromptAnalysis;
  b: PromptAnalysis;
  delta: Delta;
  /** Why a figure is missing ("A has no target: no accuracy", "n = 3 in B: too few reruns for an interval"). */
  notes: string[];
}

/** A prompt of one side that matched none of the other's. */
export interface UnmatchedPrompt {
  side: "a" | "b";
  id: string;
  prompt?: string;
}

/** One side's pooled figures over the compared prompts. */
export interface PooledSide {
  accuracy: number | null;
  estimate: number | null;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  options: { seed: number; draws: number };
  prompts: ComparedPrompt[];
  pooled: {
    /** Matched prompts with a target on both sides: those the pooled figures are over. */
    prompts: number;
    a: PooledSide;
    b: PooledSide;
    delta: Delta;
  };
  unmatched: UnmatchedPrompt[];
}

// ---------- matching ----------

/** Prompt text with whitespace runs made one space, trimmed (how prompts match when ids differ). */
export function normalizePromptText(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Pairs of A's and B's prompts: by id first, then the rest by normalised prompt text (in order); the rest listed. */
export function matchPrompts(a: readonly PromptAnalysis[], b: readonly PromptAnalysis[]): { pairs: { a: PromptAnalysis; b: PromptAnalysis; by: "id" | "prompt" }[]; unmatched: UnmatchedPrompt[] } {
  const byId = new Map<string, PromptAnalysis>();
  for (const p of b) if (!byId.has(p.id)) byId.set(p.id, p);
  const used = new Set<PromptAnalysis>();
  const slots: ({ b: PromptAnalysis; by: "id" | "prompt" } | null)[] = a.map((p) => {
    const m = byId.get(p.id);
    if (!m || used.has(m)) return null;
    used.add(m);
    return { b: m, by: "id" };
  });
  const byText = new Map<string, PromptAnalysis[]>();
  for (const p of b) {
    if (used.has(p) || p.prompt === undefined) continue;
    const k = normalizePromptText(p.prompt);
    if (k === "") continue;
    const list = byText.get(k);
    if (list) list.push(p);
    else byText.set(k, [p]);
  }
  a.forEach((p, i) => {
    if (slots[i] || p.prompt === undefined) return;
    const m = byText.get(normalizePromptText(p.prompt))?.shift();
    if (!m) return;
    used.add(m);
    slots[i] = { b: m, by: "prompt" };
  });
  const pairs: { a: PromptAnalysis; b: PromptAnalysis; by: "id" | "prompt" }[] = [];
  const unmatched: UnmatchedPrompt[] = [];
  const entry = (side: "a" | "b", p: PromptAnalysis): UnmatchedPrompt => ({ side, id: p.id, ...(p.prompt !== undefined ? { prompt: p.prompt } : {}) });
  a.forEach((p, i) => {
    const s = slots[i];
    if (s) pairs.push({ a: p, b: s.b, by: s.by });
    else unmatched.push(entry("a", p));
  });
  for (const p of b) if (!used.has(p)) unmatched.push(entry("b", p));
  return { pairs, unmatched };
}

// ---------- intervals ----------

const Z = 1.959963984540054;

/** Wilson's score interval for c successes of n. */
export function wilson(c: number, n: number, z = Z): Interval {
  const p = c / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const den = 1 + z2 / n;
  return [Math.max(0, (centre - half) / den), Math.min(1, (centre + half) / den)];
}

/** Newcombe's hybrid score interval (method 10) for p_B − p_A, from cB of nB and cA of nA. */
export function newcombeInterval(cA: number, nA: number, cB: number, nB: number): Interval {
  const pA = cA / nA;
  const pB = cB / nB;
  const [lA, uA] = wilson(cA, nA);
  const [lB, uB] = wilson(cB, nB);
  const d = pB - pA;
  return [Math.max(-1, d - Math.sqrt((pB - lB) ** 2 + (uA - pA) ** 2)), Math.min(1, d + Math.sqrt((uB - pB) ** 2 + (pA - lA) ** 2))];
}

/** The tally of a prompt analysis (its class counts); null without a target. */
export function tallyOfPrompt(p: PromptAnalysis): Tally | null {
  if (p.target === "none") return null;
  let correct = 0;
  const wrong: number[] = [];
  for (const c of p.answers) {
    if (c.reference) correct += c.count;
    else if (c.count > 0) wrong.push(c.count);
  }
  return { n: p.n, correct, wrong };
}

/** Per-draw variance/error ratio (1 where error is 0, as interval.ts reads it). */
function ratioDraws(variance: ArrayLike<number>, error: ArrayLike<number>): Float64Array {
  const out = new Float64Array(variance.length);
  for (let b = 0; b < out.length; b++) out[b] = error[b]! > 0 ? Math.min(1, Math.max(0, variance[b]! / error[b]!)) : 1;
  return out;
}

/** Each draw's success rate, Jeffreys Beta(c + ½, n − c + ½): read from whichever end does not pin it to 0 or 1. */
function rateDraws(t: Tally, d: EndDraws): Float64Array {
  const err = t.correct === 0 ? d.hiError : d.loError;
  const out = new Float64Array(err.length);
  for (let b = 0; b < out.length; b++) out[b] = 1 - err[b]! / 2;
  return out;
}

/**
 * MOVER (Newcombe's construction, with other intervals for the two sides): the interval of
 * b − a from each one's estimate and 95% interval.
 */
export function moverInterval(a: number, [lA, uA]: Interval, b: number, [lB, uB]: Interval): Interval {
  const d = b - a;
  return [Math.max(-1, d - Math.sqrt((b - lB) ** 2 + (uA - a) ** 2)), Math.min(1, d + Math.sqrt((uB - b) ** 2 + (a - lA) ** 2))];
}

const sub = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  const out = new Float64Array(x.length);
  for (let b = 0; b < out.length; b++) out[b] = x[b]! - y[b]!;
  return out;
};

/**
 * The interval of a difference from draws of its lower end and of its upper end: the 2.5%
 * quantile of `lo` and the 97.5% of `hi`; `recentred` (pooled) unions it with the draws' spread
 * carried around `estimate` (see intervalFromDraws); widened to hold `estimate`.
 */
export function differenceInterval(lo: Float64Array, hi: Float64Array, estimate: number | null, recentred = false): Interval | null {
  if (lo.length === 0) return null;
  let l = quantileOf(lo, 0.025);
  let h = quantileOf(hi, 0.975);
  if (estimate !== null) {
    if (recentred) {
      l = Math.min(l, Math.max(-1, estimate - (quantileOf(lo, 0.5) - l)));
      h = Math.max(h, Math.min(1, estimate + (h - quantileOf(hi, 0.5))));
    }
    l = Math.min(l, estimate);
    h = Math.max(h, estimate);
  }
  return [l, h];
}

const excludesZero = (ci: Interval | null) => ci !== null && (ci[0] > 0 || ci[1] < 0);

const accuracyOf = (t: Tally | null) => (t && t.n > 0 ? t.correct / t.n : null);

// ---------- the comparison ----------

/** Running per-draw sums of one side's pooled draws. */
class SideSums {
  readonly ends: EndDraws;
  readonly rate: Float64Array;
  varianceU = 0;
  errorU = 0;
  accuracy = 0;
  prompts = 0;
  constructor(B: number) {
    this.ends = emptyDraws(B);
    this.rate = new Float64Array(B);
  }
  add(t: Tally, p: PromptAnalysis, d: EndDraws | null): void {
    this.prompts++;
    this.accuracy += t.correct / t.n;
    if (p.brier && p.brier.varianceUnbiased !== null) {
      this.varianceU += p.brier.varianceUnbiased;
      this.errorU += p.brier.error;
    }
    if (!d) return;
    const e = this.ends;
    const r = rateDraws(t, d);
    for (let b = 0; b < e.loVariance.length; b++) {
      e.loVariance[b]! += d.loVariance[b]!;
      e.loError[b]! += d.loError[b]!;
      e.hiVariance[b]! += d.hiVariance[b]!;
      e.hiError[b]! += d.hiError[b]!;
      this.rate[b]! += r[b]!;
    }
  }
  /** The 95% interval of the mean accuracy: the 2.5% and 97.5% quantiles of the mean of the prompts' rate draws. */
  accuracyInterval(): Interval {
    const mean = this.rate.map((x) => x / this.prompts);
    return [quantileOf(mean, 0.025), quantileOf(mean, 0.975)];
  }
  figures(): PooledSide {
    return { accuracy: this.prompts > 0 ? this.accuracy / this.prompts : null, estimate: this.errorU > 0 ? Math.min(1, this.varianceU / this.errorU) : null };
  }
}

/** B − A of one prompt from its two tallies and their draws (null draws: no incoherence interval). */
export function promptDelta(tA: Tally | null, tB: Tally | null, estA: number | null, estB: number | null, dA: EndDraws | null, dB: EndDraws | null): Delta {
  const intervals = tA !== null && tB !== null && tA.n >= MIN_RUNS_FOR_INTERVAL && tB.n >= MIN_RUNS_FOR_INTERVAL;
  const accA = accuracyOf(tA);
  const accB = accuracyOf(tB);
  const accuracy = accA !== null && accB !== null ? accB - accA : null;
  const accuracyCi95 = intervals && accuracy !== null ? newcombeInterval(tA!.correct, tA!.n, tB!.correct, tB!.n) : null;
  const estimate = estA !== null && estB !== null ? estB - estA : null;
  let estimateCi95: Interval | null = null;
  // an interval only for a difference there is: a side with every rerun right has no incoherence
  // (its draws read 1 where error is 0), so B − A there would read as a fall that never happened
  if (intervals && dA && dB && estimate !== null) {
    const lo = sub(ratioDraws(dB.loVariance, dB.loError), ratioDraws(dA.hiVariance, dA.hiError));
    const hi = sub(ratioDraws(dB.hiVariance, dB.hiError), ratioDraws(dA.loVariance, dA.loError));
    estimateCi95 = differenceInterval(lo, hi, estimate);
  }
  return { accuracy, accuracyCi95, estimate, estimateCi95, significant: excludesZero(accuracyCi95) || excludesZero(estimateCi95) };
}

/** Posterior draws of one side of a prompt, from its own seeded stream. */
export function sideDraws(t: Tally, B: number, seed: number, side: "a" | "b", id: string): EndDraws | null {
  if (B <= 0) return null;
  return posteriorDraws(t, B, mulberry32(hashSeed(seed, `compare:${side}:${id}`)), emptyDraws(B));
}

/** Compares two analyses: B − A per matched prompt and pooled (see the top of this file). */
export function compareAnalyses(a: Analysis, b: Analysis, opts: CompareOptions = {}): Comparison {
  const seed = opts.seed ?? 1;
  const B = Math.max(0, Math.floor(opts.draws ?? DEFAULT_DRAWS));
  const { pairs, unmatched } = matchPrompts(a.prompts, b.prompts);
  const sumA = new SideSums(B);
  const sumB = new SideSums(B);
  const prompts: ComparedPrompt[] = pairs.map(({ a: pa, b: pb, by }) => {
    const tA = tallyOfPrompt(pa);
    const tB = tallyOfPrompt(pb);
    const notes: string[] = [];
    if (!tA) notes.push("A has no target (no reference, no correctness flags): no accuracy, no incoherence");
    if (!tB) notes.push("B has no target (no reference, no correctness flags): no accuracy, no incoherence");
    for (const [side, t] of [["A", tA], ["B", tB]] as const)
      if (t && t.n < MIN_RUNS_FOR_INTERVAL) notes.push(`n = ${t.n} in ${side}: too few reruns for an interval (${MIN_RUNS_FOR_INTERVAL}+ per side)`);
    const estA = pa.brier?.estimate ?? null;
    const estB = pb.brier?.estimate ?? null;
    for (const [side, t, est] of [["A", tA, estA], ["B", tB, estB]] as const)
      if (t && est === null && t.n > 0 && t.correct === t.n) notes.push(`every rerun in ${side} is correct: no incoherence to subtract (no interval of the difference; the accuracy says what changed)`);
    // the id keys the draws: A's id on both sides, so a comparison is seeded the same whichever way B's prompts are named
    const dA = tA ? sideDraws(tA, B, seed, "a", pa.id) : null;
    const dB = tB ? sideDraws(tB, B, seed, "b", pa.id) : null;
    const delta = promptDelta(tA, tB, estA, estB, dA, dB);
    if (tA && tB && tA.n > 0 && tB.n > 0) {
      sumA.add(tA, pa, dA);
      sumB.add(tB, pb, dB);
    }
    return { id: pa.id, ...(pb.id !== pa.id ? { bId: pb.id } : {}), matchedBy: by, a: pa, b: pb, delta, notes };
  });
  const fa = sumA.figures();
  const fb = sumB.figures();
  const k = sumA.prompts;
  const accuracy = fa.accuracy !== null && fb.accuracy !== null ? fb.accuracy - fa.accuracy : null;
  const estimate = fa.estimate !== null && fb.estimate !== null ? fb.estimate - fa.estimate : null;
  let accuracyCi95: Interval | null = null;
  let estimateCi95: Interval | null = null;
  if (k > 0 && B > 0) {
    accuracyCi95 = moverInterval(fa.accuracy!, sumA.accuracyInterval(), fb.accuracy!, sumB.accuracyInterval());
    const eA = sumA.ends;
    const eB = sumB.ends;
    const lo = sub(ratioDraws(eB.loVariance, eB.loError), ratioDraws(eA.hiVariance, eA.hiError));
    const hi = sub(ratioDraws(eB.hiVariance, eB.hiError), ratioDraws(eA.loVariance, eA.loError));
    // as per prompt: no interval for a difference there is not (a side without incoherence)
    if (estimate !== null) estimateCi95 = differenceInterval(lo, hi, estimate, true);
  }
  return {
    schema: COMPARISON_SCHEMA,
    options: { seed, draws: B },
    prompts,
    pooled: { prompts: k, a: fa, b: fb, delta: { accuracy, accuracyCi95, estimate, estimateCi95, significant: excludesZero(accuracyCi95) || excludesZero(estimateCi95) } },
    unmatched,
  };
}

/**
 * B − A of two versions of a prompt, whatever their ids and texts (a prompt file's previous
 * version and this one; two runs picked to compare): their tallies and headline estimates, with
 * the same draws as compareAnalyses (keyed by A's id). Null when either has no target.
 */
export function versionDelta(a: { id: string; tally: Tally | null; estimate: number | null }, b: { tally: Tally | null; estimate: number | null }, seed = 1, draws = DEFAULT_DRAWS): Delta | null {
  if (!a.tally || !b.tally) return null;
  return promptDelta(a.tally, b.tally, a.estimate, b.estimate, sideDraws(a.tally, draws, seed, "a", a.id), sideDraws(b.tally, draws, seed, "b", a.id));
}

/**
 * The change in words, for a lens or a view: "accuracy 30% → 90% (+60 pts [+17, +81])
 * significant · incoherence 0.67 → 1.00 (+0.33 [−0.07, 0.53]) within rerun noise"; the
 * incoherence only when both sides have one. Null without a target.
 */
export function deltaWords(a: { tally: Tally | null; estimate: number | null }, b: { tally: Tally | null; estimate: number | null }, d: Delta | null): string | null {
  if (!d || !a.tally || !b.tally) return null;
  const signed = (x: number, digits: number) => `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x).toFixed(digits)}`;
  const end = (x: number) => `${x < 0 ? "−" : ""}${Math.abs(x).toFixed(2)}`;
  const sig = (c: Interval | null) => (c ? (c[0] > 0 || c[1] < 0 ? " significant" : " within rerun noise") : "");
  const parts: string[] = [];
  if (d.accuracy !== null) {
    const ci = d.accuracyCi95;
    parts.push(`accuracy ${Math.round((100 * a.tally.correct) / a.tally.n)}% → ${Math.round((100 * b.tally.correct) / b.tally.n)}% (${signed(d.accuracy * 100, 0)} pts${ci ? ` [${signed(ci[0] * 100, 0)}, ${signed(ci[1] * 100, 0)}]` : ""})${sig(ci)}`);
  }
  if (d.estimate !== null && a.estimate !== null && b.estimate !== null) parts.push(`incoherence ${a.estimate.toFixed(2)} → ${b.estimate.toFixed(2)} (${signed(d.estimate, 2)}${d.estimateCi95 ? ` [${end(d.estimateCi95[0])}, ${end(d.estimateCi95[1])}]` : ""})${sig(d.estimateCi95)}`);
  return parts.length ? parts.join(" · ") : null;
}
