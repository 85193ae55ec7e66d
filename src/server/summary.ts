// What the language server keeps of a run: the few figures its hints show, taken from the one
// analysis of a run file every face reads (src/core/runanalysis.ts: 1000 resamples, the seed
// recorded in the run), so a hint shows the same incoherence and the same interval as the
// live view, a reopened run and `hotmess analyze` do for that run file. No metric is computed here.
import { decidingBasis, decidingSteps, type DecidingSide } from "../core/deciding";
import { tallyOfPrompt } from "../core/compare";
import type { Tally } from "../core/interval";
import { analyzeRun, classLabel, DEFAULT_RESAMPLES, forkGroups, runState, secretsFromEnv, type Interval, type ParsedRun, type PromptAnalysis, type RunState, type RunStatus } from "../core";

export interface AnswerSummary {
  /** The normalised answer (null: runs without an answer). */
  key: string | null;
  /** How the class is called (src/core/label.ts): "19.75" for runs that wrote "19.75.". */
  label: string;
  count: number;
  reference: boolean;
}

export interface ForkSummary {
  /** Column index and number of columns. */
  column: number;
  columns: number;
  /** The largest groups at the fork: how many runs, and one of their steps. */
  groups: { count: number; text: string }[];
  moreGroups: number;
  /** Runs without a step in the fork column. */
  gaps: number;
}

export interface RunSummary {
  /** Samples analysed, and the n the run was started with. */
  n: number;
  planned: number;
  failures: number;
  /** The status a reader should see (runState); "unfinished" while the run is going (or after a crash). */
  status: RunStatus;
  target: PromptAnalysis["target"];
  reference: string | null;
  /**
   * The Brier figures a hint shows: the headline `estimate` with its `ci95`, or the `caveat`
   * that stands for the interval below 5 reruns (METRICS.md §7); the plug-in `incoherence` is
   * kept for reference only. `reruns`: how many more reruns bring the interval under ±0.05;
   * `ensemble`: a majority vote over 1, 3, 5, 10 reruns.
   */
  brier: {
    bias2: number;
    variance: number;
    error: number;
    incoherence: number | null;
    estimate: number | null;
    ci95: Interval | null;
    caveat: string | null;
    reruns: PromptAnalysis["reruns"];
    ensemble: PromptAnalysis["ensemble"];
  } | null;
  disagreement: number;
  /** Answer classes with at least one run. */
  classes: number;
  /** The class counts (right, and each wrong class), for a comparison with another run; absent without a target. */
  tally?: Tally;
  /** What made the classes when it is not METRICS.md §2's exact key ("semantic (judge …)", "json"); absent for exact. */
  comparison?: string;
  /** The largest classes (with at least one run), at most three. */
  answers: AnswerSummary[];
  /** Runs in the reference class (null without a target). */
  referenceCount: number | null;
  moreAnswers: number;
  fork: ForkSummary | null;
  /** Why the runs disagree (src/core/deciding.ts): the two largest classes' deciding steps, against the reference's path when there is one. */
  /** `answer`: the class label (src/core/label.ts), null for no answer. */
  why?: { answer: string | null; reference: boolean; column: number | null; self: DecidingSide; other: DecidingSide }[];
  /** What the deciding steps are measured against: the reference class's path, or the largest class's when no run reached the reference or there is none (decidingBasis). */
  whyBasis?: "reference" | "unreached" | "none";
  /** Lines of the run file that were skipped (a torn last line…). */
  warnings: number;
  /** A run that failed or is partial: what happened, in a sentence and in a few words; null otherwise. */
  failure: FailureSummary | null;
}

/** The run's state as its lens, hint and hover word it (the sentence, the counts, the reason, Retry), with the error in full. */
export type FailureSummary = Pick<RunState, "summary" | "brief" | "reason" | "resumable"> & {
  /** The error in full (the end line's message, or the commonest failure's). */
  message: string | null;
};

export const SUMMARY_ANSWERS = 3;
export const SUMMARY_GROUPS = 3;

/** What a failed or partial run says of itself (null for any other). */
function failureOf(s: RunState): FailureSummary | null {
  if (s.status !== "failed" && s.status !== "partial") return null;
  const message = s.status === "failed" && s.message ? s.message : (s.failures[0]?.message ?? s.message ?? null);
  return { summary: s.summary, brief: s.brief, reason: s.reason, resumable: s.resumable, message };
}

/**
 * The summary of a run; null when it has no sample yet and did not fail (a run just started).
 * A run that failed before any sample finished has a summary of n 0 with its failure, and no figures.
 */
export function summarizeRun(run: ParsedRun, resamples = DEFAULT_RESAMPLES): RunSummary | null {
  // the status a reader should see: a run that ended "complete" short of its n with failures is partial
  // run files are written redacted; this is for one written by something else
  const state = runState(run, secretsFromEnv(process.env));
  const failure = failureOf(state);
  if (run.samples.length === 0 && !failure) return null;
  const figures = run.samples.length === 0 ? noFigures() : figuresOf(run, resamples);
  return { ...figures, planned: run.header.parameters?.n ?? figures.n, failures: run.failures.length, status: state.status, warnings: run.warnings.length, failure };
}

type Figures = Omit<RunSummary, "planned" | "failures" | "status" | "warnings" | "failure">;

/** A run without a sample has no figures. */
const noFigures = (): Figures => ({ n: 0, target: "none", reference: null, brier: null, disagreement: 0, classes: 0, answers: [], referenceCount: null, moreAnswers: 0, fork: null });

function figuresOf(run: ParsedRun, resamples: number): Figures {
  const analysis = analyzeRun(run, { resamples });
  const p = analysis.prompts[0]!;
  const classes = p.answers.filter((a) => a.count > 0).sort((a, b) => b.count - a.count || Number(b.reference) - Number(a.reference));
  return {
    n: p.n,
    target: p.target,
    reference: p.reference,
    brier: p.brier
      ? { bias2: p.brier.bias2, variance: p.brier.variance, error: p.brier.error, incoherence: p.brier.incoherence, estimate: p.brier.estimate, ci95: p.brier.ci95, caveat: p.caveat, reruns: p.reruns, ensemble: p.ensemble }
      : null,
    disagreement: p.disagreement,
    classes: p.classes,
    ...(tallyOfPrompt(p) ? { tally: tallyOfPrompt(p)! } : {}),
    ...(p.comparison && p.comparison !== "exact" ? { comparison: p.comparison } : {}),
    answers: classes.slice(0, SUMMARY_ANSWERS).map((a) => ({ key: a.key, label: classLabel(a), count: a.count, reference: a.reference })),
    moreAnswers: Math.max(0, classes.length - SUMMARY_ANSWERS),
    referenceCount: p.target === "none" ? null : p.answers.filter((a) => a.reference).reduce((n, a) => n + a.count, 0),
    fork: forkOf(p),
    why: decidingSteps(p, 2).map((d) => ({ answer: p.answers[d.cls]!.key === null ? null : classLabel(p.answers[d.cls]!), reference: p.answers[d.cls]!.reference, column: d.column, self: d.self, other: d.other })),
    whyBasis: decidingBasis(p),
  };
}

/** The groups at the fork column, largest first (what the table and the Markdown export list). */
function forkOf(p: PromptAnalysis): ForkSummary | null {
  const fork = forkGroups(p);
  if (!fork) return null;
  return {
    column: fork.column,
    columns: fork.columns,
    groups: fork.groups.slice(0, SUMMARY_GROUPS).map((g) => ({ count: g.count, text: g.text.length > 300 ? g.text.slice(0, 299) + "…" : g.text })),
    moreGroups: Math.max(0, fork.groups.length - SUMMARY_GROUPS),
    gaps: fork.gaps,
  };
}
