// The gate of `hotmess check` (issue 17, "Gate"): each prompt's figures held against the
// thresholds a CI job sets — the most incoherence, the least accuracy, the least pass^k — judged
// by the 95% interval or by the point estimate. Pure: it reads a prompt's analysis and returns
// verdicts in words; the CLI prints them, writes JUnit XML and GitHub annotations from them.
//
// How a threshold is "crossed" (`by`):
// - "interval" (the default): a prompt fails only when its whole 95% interval is on the wrong
//   side of the threshold: the evidence says it is bad. At n = 5–10 an interval is wide, and a
//   prompt whose interval straddles the threshold passes, marked inconclusive (said, never
//   silent). This keeps false alarms near the interval's 2.5% one-sided error: a CI job that
//   fails on rerun noise gets switched off.
// - "strict": a prompt passes only when its whole interval is on the good side (the evidence
//   says it is good); inconclusive prompts fail.
// - "point": the estimate alone (the number every face shows) against the threshold.
// A figure exactly at the threshold is on the good side.
//
// A prompt without a target (no reference, no correctness flags) has no incoherence or accuracy
// (METRICS.md §3, §6): it is "unchecked", with the reason, never a silent pass; so is one with
// too few reruns for an interval under "interval"/"strict" (n below 5), or fewer reruns than the
// k of a pass^k threshold. `failUnchecked` makes those fail instead.
//
// Incoherence is the headline (Brier `estimate` and `ci95`, METRICS.md §7), accuracy the share
// of reruns in the reference class (pass^1, with its Clopper–Pearson interval), pass^k the
// unbiased C(c,k)/C(n,k) with its interval (§7b).
//
// Seam for `--baseline` (issue 17: "with a baseline, when a prompt got significantly worse"):
// gatePrompt takes extra checks made elsewhere (a comparison with the baseline run, from
// src/core/compare.ts) and folds them into the verdict like its own.
import { classLabel } from "./label";
import { decidingSteps, sideWords } from "./deciding";
import { intervalText } from "./headline";
import type { ComparedPrompt } from "./compare";
import type { Interval, PromptAnalysis } from "./types";

export const GATE_BY = ["interval", "strict", "point"] as const;
export type GateBy = (typeof GATE_BY)[number];
export const DEFAULT_GATE_BY: GateBy = "interval";

export interface Thresholds {
  /** The most headline incoherence a prompt may have. */
  maxIncoherence?: number;
  /** The least accuracy (share of reruns that are right). */
  minAccuracy?: number;
  /** The least pass^k, for each k given. */
  minPassHatK?: { k: number; min: number }[];
}

export interface GateOptions {
  by: GateBy;
  /** A prompt that cannot be checked fails (else it is listed as not checked, and does not fail). */
  failUnchecked?: boolean;
}

export type CheckStatus = "pass" | "fail" | "unchecked";

/** One threshold held against one prompt. */
export interface CheckResult {
  /** "incoherence", "accuracy", "pass^3" (a baseline comparison would name its own). */
  figure: string;
  /** Whether the threshold is a most ("max") or a least ("min"). */
  bound: "max" | "min";
  threshold: number;
  estimate: number | null;
  ci95: Interval | null;
  status: CheckStatus;
  /** Passed, but the interval reaches the wrong side of the threshold (by "interval" or "point"). */
  inconclusive: boolean;
  /** The check in words: "incoherence 0.61 [0.55–0.64] > max 0.50: the whole interval is above". */
  text: string;
  /** Why it could not be made (status "unchecked"). */
  why?: string;
}

export interface PromptVerdict {
  id: string;
  n: number;
  /** "fail" when a check failed (or, with failUnchecked, could not be made); "unchecked" when one could not be made; else "pass". */
  status: CheckStatus;
  checks: CheckResult[];
  /** Why the prompt could not be checked, once per reason (empty when every check was made). */
  unchecked: string[];
  /** Where the runs part: "column 2", "action 3 (policy: …)"; null when they never do. */
  fork: string | null;
  /** Why the runs disagree (src/core/deciding.ts), one line per answer class, model text cut to a length. */
  deciding: string[];
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);

const NO_TARGET = "no target (no reference answer or correctness flags): incoherence, accuracy and pass^k cannot be measured";

/** Holds one figure against its threshold. */
function judge(figure: string, bound: "max" | "min", threshold: number, estimate: number, ci95: Interval | null, by: GateBy, noInterval: string): CheckResult {
  const bad = (x: number) => (bound === "max" ? x > threshold : x < threshold);
  const side = bound === "max" ? "above" : "below";
  const rel = bound === "max" ? ">" : "<";
  const good = bound === "max" ? "≤" : "≥";
  const shown = `${figure} ${f3(estimate)}${ci95 ? ` ${intervalText(ci95, 3)}` : ""}`;
  const base = { figure, bound, threshold, estimate, ci95 };
  if (by !== "point" && !ci95) {
    const why = `${noInterval}; not checked by the interval (--by point judges the estimate)`;
    return { ...base, status: "unchecked", inconclusive: false, text: `${figure} ${f3(estimate)}: ${why}`, why };
  }
  // the interval's end on the wrong side, and the one on the good side
  const [near, far] = ci95 ? (bound === "max" ? [ci95[0], ci95[1]] : [ci95[1], ci95[0]]) : [estimate, estimate];
  const straddles = ci95 !== null && bad(far) && !bad(near);
  if (by === "interval") {
    if (bad(near)) return { ...base, status: "fail", inconclusive: false, text: `${shown} ${rel} ${bound} ${f2(threshold)}: the whole interval is ${side}` };
    return { ...base, status: "pass", inconclusive: straddles, text: straddles ? `${shown}: inconclusive, the interval reaches ${side} ${bound} ${f2(threshold)} (passes by the interval)` : `${shown} ${good} ${bound} ${f2(threshold)}` };
  }
  if (by === "strict") {
    if (bad(far)) return { ...base, status: "fail", inconclusive: false, text: bad(near) ? `${shown} ${rel} ${bound} ${f2(threshold)}: the whole interval is ${side}` : `${shown}: the interval reaches ${side} ${bound} ${f2(threshold)} (--by strict needs all of it on the good side)` };
    return { ...base, status: "pass", inconclusive: false, text: `${shown} ${good} ${bound} ${f2(threshold)}: the whole interval` };
  }
  if (bad(estimate)) return { ...base, status: "fail", inconclusive: false, text: `${shown} ${rel} ${bound} ${f2(threshold)} (the estimate)` };
  return { ...base, status: "pass", inconclusive: straddles, text: `${shown} ${good} ${bound} ${f2(threshold)} (the estimate)${straddles ? `; the interval reaches ${side}` : ""}` };
}

/** A check that cannot be made, with why. */
function unchecked(figure: string, bound: "max" | "min", threshold: number, why: string): CheckResult {
  return { figure, bound, threshold, estimate: null, ci95: null, status: "unchecked", inconclusive: false, text: `${figure}: not checked: ${why}`, why };
}

/** The checks of the thresholds on one prompt. */
export function promptChecks(p: PromptAnalysis, t: Thresholds, by: GateBy): CheckResult[] {
  const out: CheckResult[] = [];
  const hasTarget = p.target !== "none" && p.brier !== null;
  const tooFew = p.caveat ?? `no interval (n = ${p.n})`;
  if (t.maxIncoherence !== undefined) {
    const x = t.maxIncoherence;
    if (!hasTarget) out.push(unchecked("incoherence", "max", x, NO_TARGET));
    else if (p.brier!.estimate === null)
      // no error to split: every rerun is right, and there is no incoherence to be too high
      out.push({ figure: "incoherence", bound: "max", threshold: x, estimate: null, ci95: null, status: "pass", inconclusive: false, text: `incoherence: none, every rerun is right (no error to split) ≤ max ${f2(x)}` });
    else out.push(judge("incoherence", "max", x, p.brier!.estimate, p.brier!.ci95, by, tooFew));
  }
  const hat = hasTarget ? p.passHatK : null;
  const hatCi = hasTarget ? p.passHatKCi95 : null;
  if (t.minAccuracy !== undefined) {
    const x = t.minAccuracy;
    if (!hat || !hatCi) out.push(unchecked("accuracy", "min", x, NO_TARGET));
    else out.push(judge("accuracy", "min", x, hat[0]!, hatCi[0]!, by, tooFew));
  }
  for (const { k, min } of t.minPassHatK ?? []) {
    const figure = `pass^${k}`;
    if (!hat || !hatCi) out.push(unchecked(figure, "min", min, NO_TARGET));
    else if (k > p.n) out.push(unchecked(figure, "min", min, `n = ${p.n}: fewer reruns than k = ${k}`));
    else out.push(judge(figure, "min", min, hat[k - 1]!, hatCi[k - 1]!, by, tooFew));
  }
  return out;
}

const cut = (s: string, max: number) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
};

/** Where the runs part, in words: an agent's fork action, else the aligned fork column. */
export function forkWords(p: PromptAnalysis): string | null {
  if (p.agent) {
    const a = p.agent;
    if (a.forkAction === null) return null;
    return `action ${a.forkAction + 1}${a.forkCause ? ` (${a.forkCause.kind}: ${cut(a.forkCause.detail, 160)})` : ""}`;
  }
  return p.forkColumn === null ? null : `column ${p.forkColumn}`;
}

/** Why the runs disagree, one line per answer class (src/core/deciding.ts), each step cut to `maxStep` characters. */
export function decidingWords(p: PromptAnalysis, maxStep = 120): string[] {
  return decidingSteps(p).map((d) => {
    const a = p.answers[d.cls]!;
    const name = a.key === null ? "(no answer)" : `"${cut(classLabel(a), 40)}"`;
    const where = d.column === null ? "the same steps as the class it is compared with; only the answer differs" : `at column ${d.column}, ${sideWords(d.self, (s) => cut(s, maxStep))}; ${sideWords(d.other, (s) => cut(s, maxStep))}`;
    return `${name}${a.reference ? " ✓" : ""} (${d.runs.length} run${d.runs.length === 1 ? "" : "s"}, e.g. run #${d.representative}): ${where}`;
  });
}

/**
 * The verdict on one prompt: its checks (and any `extra` made elsewhere, such as a comparison with
 * a baseline), the fork and the deciding steps. Fails when a check fails; "unchecked" when a check
 * could not be made (a fail with failUnchecked).
 */
export function gatePrompt(p: PromptAnalysis, t: Thresholds, o: GateOptions, extra: CheckResult[] = []): PromptVerdict {
  const checks = [...promptChecks(p, t, o.by), ...extra];
  const reasons = [...new Set(checks.filter((c) => c.status === "unchecked").map((c) => c.why ?? c.text))];
  const failed = checks.some((c) => c.status === "fail");
  const status: CheckStatus = failed || (reasons.length > 0 && o.failUnchecked) ? "fail" : reasons.length > 0 ? "unchecked" : "pass";
  return { id: p.id, n: p.n, status, checks, unchecked: reasons, fork: forkWords(p), deciding: status === "fail" ? decidingWords(p) : [] };
}

/** Parses `K:X` (or several, comma-separated: `1:0.9,3:0.5`) of --min-pass-hat-k; throws an Error in words. */
export function parsePassHatK(v: string): { k: number; min: number }[] {
  return v.split(",").map((part) => {
    const m = /^\s*(\d+)\s*:\s*([0-9]*\.?[0-9]+(?:e-?\d+)?)\s*$/i.exec(part);
    const k = m ? Number(m[1]) : NaN;
    const min = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(k) || k < 1 || !(min >= 0 && min <= 1)) throw new Error(`min-pass-hat-k takes K:X, a whole k ≥ 1 and a chance X between 0 and 1 (several: 1:0.9,3:0.5), not "${v}"`);
    return { k, min };
  });
}

/**
 * The checks against a baseline (`hotmess check --baseline`): a prompt fails when it got
 * significantly worse than the same prompt in the baseline — its accuracy fell (B − A's 95%
 * interval entirely below 0) or its incoherence rose (entirely above 0), src/core/compare.ts's
 * intervals. This is the comparison's own significance whatever `--by` says: a difference is
 * either shown by the reruns or not. A difference that leans worse but whose interval reaches 0
 * passes, marked inconclusive; one that cannot be measured (no target, too few reruns on a side)
 * is not a check, and is said in the prompt's notes.
 */
export function baselineChecks(c: ComparedPrompt): CheckResult[] {
  const out: CheckResult[] = [];
  const d = c.delta;
  const one = (figure: string, worseUp: boolean, estimate: number | null, ci: Interval | null) => {
    if (estimate === null || !ci) return;
    const worse = worseUp ? ci[0] > 0 : ci[1] < 0;
    const leans = worseUp ? estimate > 0 : estimate < 0;
    const sign = (x: number) => (x > 0 ? "+" : x < 0 ? "−" : "±") + f3(Math.abs(x));
    const shown = `${figure} ${sign(estimate)} ${intervalText(ci, 3)} since the baseline`;
    out.push({
      figure: `${figure} vs baseline`,
      bound: worseUp ? "max" : "min",
      threshold: 0,
      estimate,
      ci95: ci,
      status: worse ? "fail" : "pass",
      inconclusive: !worse && leans && (worseUp ? ci[1] > 0 : ci[0] < 0),
      text: worse ? `${shown}: significantly ${worseUp ? "higher" : "lower"} (the whole interval is ${worseUp ? "above" : "below"} 0)` : leans ? `${shown}: ${worseUp ? "higher" : "lower"}, but within rerun noise` : `${shown}: no worse`,
    });
  };
  one("accuracy", false, d.accuracy, d.accuracyCi95);
  one("incoherence", true, d.estimate, d.estimateCi95);
  return out;
}
