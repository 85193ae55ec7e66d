// The sentences that say what an analysis shows, for every face that leads with it (the CLI's
// demo and bench output, the comparison view and the HTML report). Pure text from the figures the
// analysis already holds: nothing is recomputed. The view imports this module too (it imports
// nothing but types), so the terminal and the view say the same words.
import type { Analysis, OptimizerAnalysis } from "./types";

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
 * The one sentence that says what a benchmark run shows: how incoherence moves from the first
 * step to the last of its longest problem, saying that it rises only when the two steps'
 * intervals say so. Null without an optimizer prompt.
 */
export function benchmarkSentence(subject: string, analysis: Analysis): string | null {
  const opts = analysis.prompts.map((p) => p.optimizer).filter((o): o is OptimizerAnalysis => !!o);
  if (opts.length === 0) return null;
  const Ks = [...new Set(opts.map((o) => o.spec.K))].sort((a, b) => a - b);
  const longest = opts.reduce((a, b) => (b.spec.K >= a.spec.K ? b : a));
  const scored = longest.steps.filter((s) => s.incoherence !== null);
  const problems = `${subject} on optimizer problems of ${listing(Ks.map(String))} steps`;
  if (scored.length < 2) return `${problems}: too few of its steps have an error to split for incoherence to be followed.`;
  const first = scored[0]!;
  const last = scored.at(-1)!;
  const from = `${first.incoherence!.toFixed(2)} at step ${first.k}`;
  const to = `${last.incoherence!.toFixed(2)} at step ${last.k}`;
  // "rises" is a claim: only when the last step's interval lies wholly above the first's (with
  // few reruns a higher point can be noise); steps without an interval are taken at their value
  const [lo] = last.ci95 ?? [last.incoherence!];
  const [, hi] = first.ci95 ?? [first.incoherence!, first.incoherence!];
  if (last.incoherence! > first.incoherence! && lo! > hi!)
    return `${problems}: the longer it reasons, the larger the share of its error that is variance — incoherence rises from ${from} to ${to}.`;
  if (last.incoherence! > first.incoherence!)
    return `${problems}: incoherence goes from ${from} to ${to}, but their intervals overlap, so these reruns do not show that it rises with the number of steps.`;
  return `${problems}: incoherence goes from ${from} to ${to}, so here it does not rise with the number of steps.`;
}
