// The sentences that say what an analysis shows, for every face that leads with it (the CLI's
// demo and bench output, the comparison view and the HTML report). Pure text from the figures the
// analysis already holds: nothing is recomputed. The view imports this module too (it imports
// nothing but types), so the terminal and the view say the same words.
import type { Analysis, OptimizerAnalysis, OptimizerStep } from "./types";

/** The simulated reasoner's only model id (its runs carry it, and every face labels them by it). */
export const SIMULATED_MODEL = "simulated-reasoner";

const listing = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);

/** Who was rerun, for the sentence: the model, or the simulated reasoner by its description. */
export function benchmarkSubject(analysis: Analysis): string {
  const models = [...new Set(analysis.prompts.map((p) => p.model).filter((m): m is string => !!m))];
  if (models.length !== 1) return "Reruns";
  return models[0] === SIMULATED_MODEL ? "Reruns of the simulated reasoner" : `Reruns of ${models[0]}`;
}

/**
 * The prompt of a benchmark analysis with the most steps (its index; the first of several as
 * long), where the trend is clearest: the sentence follows it and the view opens on it. Null
 * without an optimizer prompt.
 */
export function longestProblem(analysis: Analysis): number | null {
  let best: number | null = null;
  analysis.prompts.forEach((p, i) => {
    if (p.optimizer && (best === null || p.optimizer.spec.K > analysis.prompts[best]!.optimizer!.spec.K)) best = i;
  });
  return best;
}

/**
 * How a problem's incoherence moves from its first step to its last (of the steps that have
 * one): "rises" only when the last step's interval lies wholly above the first's (with few
 * reruns a higher point can be noise; a step without an interval is taken at its value),
 * "overlaps" when it is higher but the intervals overlap, else "flat". Null when fewer than two
 * steps have an incoherence.
 */
export function incoherenceTrend(o: OptimizerAnalysis): { first: OptimizerStep; last: OptimizerStep; verdict: "rises" | "overlaps" | "flat" } | null {
  const scored = o.steps.filter((s) => s.incoherence !== null);
  if (scored.length < 2) return null;
  const first = scored[0]!;
  const last = scored.at(-1)!;
  const [lo] = last.ci95 ?? [last.incoherence!];
  const [, hi] = first.ci95 ?? [first.incoherence!, first.incoherence!];
  const verdict = last.incoherence! <= first.incoherence! ? "flat" : lo! > hi! ? "rises" : "overlaps";
  return { first, last, verdict };
}

/**
 * The one sentence that says what a benchmark run shows: how incoherence moves from the first
 * step to the last of its longest problem, saying that it rises only when the two steps'
 * intervals say so (incoherenceTrend). Null without an optimizer prompt.
 */
export function benchmarkSentence(subject: string, analysis: Analysis): string | null {
  const at = longestProblem(analysis);
  if (at === null) return null;
  const Ks = [...new Set(analysis.prompts.flatMap((p) => (p.optimizer ? [p.optimizer.spec.K] : [])))].sort((a, b) => a - b);
  const trend = incoherenceTrend(analysis.prompts[at]!.optimizer!);
  const problems = `${subject} on optimizer problems of ${listing(Ks.map(String))} steps`;
  if (!trend) return `${problems}: too few of its steps have an error to split for incoherence to be followed.`;
  const from = `${trend.first.incoherence!.toFixed(2)} at step ${trend.first.k}`;
  const to = `${trend.last.incoherence!.toFixed(2)} at step ${trend.last.k}`;
  if (trend.verdict === "rises") return `${problems}: the longer it reasons, the larger the share of its error that is variance — incoherence rises from ${from} to ${to}.`;
  if (trend.verdict === "overlaps")
    return `${problems}: incoherence goes from ${from} to ${to}, but their intervals overlap, so these reruns do not show that it rises with the number of steps.`;
  return `${problems}: incoherence goes from ${from} to ${to}, so here it does not rise with the number of steps.`;
}
