// Types of the two public file formats (shared/design/FORMATS.md): the trace-set input and the
// `hotmess.analysis/1` output. Every view reads an `Analysis`; none recomputes a metric.
import type { AnswerSpec } from "./answerspec";

/** The kinds of step of an agent trajectory (FORMATS.md, METRICS.md §11). */
export const TRAJECTORY_STEP_KINDS = ["reasoning", "text", "tool_call", "tool_result", "user"] as const;
export type TrajectoryStepKind = (typeof TRAJECTORY_STEP_KINDS)[number];

/** One step of a trajectory, in the order it happened. */
export interface TrajectoryStep {
  kind: TrajectoryStepKind;
  /** What was said or returned (reasoning, visible text, a tool's result, a user turn). */
  text?: string;
  /** The tool's name (tool_call; also on a tool_result when the source names it). */
  name?: string;
  /** The call's arguments as a JSON value (a string when the source's did not parse as JSON). */
  arguments?: unknown;
  /** Pairs a tool_result with its tool_call. */
  id?: string;
  /** A tool_result that is an error. */
  isError?: boolean;
  /**
   * A reasoning step's thinking signature, as the provider returned it (Anthropic's
   * `signature_delta`): a conversation made from the trajectory passes the thinking back with it
   * (src/core/conversation.ts), which Claude requires of a tool-use loop with thinking on.
   */
  signature?: string;
}

/** One rerun of a prompt, as it comes in from a trace set. */
export interface Sample {
  text?: string;
  thinking?: string;
  /** An agent trajectory: its steps in order (beside or instead of text). */
  steps?: TrajectoryStep[];
  /** The run's outcome in [0, 1]; without `correct`, the run is correct when reward ≥ 1 − 1e-6. */
  reward?: number;
  /** Named checks, each 0 or 1 (§12). */
  outcomes?: Record<string, number>;
  /** Absent means "extract from the text"; null means "no answer". */
  answer?: string | number | null;
  correct?: boolean;
  probs?: Record<string, number>;
  /**
   * The run's number as recorded (a run file's sample `index`): the analysis numbers the run by
   * it (`runs[].index`, `cells[].run`), so "run 4" is the same run everywhere. Absent (a trace
   * set): the sample's position.
   */
  index?: number;
}

/** One line of a trace set: one prompt and its reruns. */
export interface PromptRecord {
  id: string;
  prompt?: string;
  /** The system prompt the runs had, when known (an imported agent's policy): a rerun from a point of a run sends it. */
  system?: string;
  reference?: string | number | null;
  /** The model, when known (recorded runs). */
  model?: string;
  /** A run of next actions: the expected action its correct flags were computed against. */
  expectedAction?: string;
  /** How the answers were compared into classes when not by METRICS.md §2's exact key (e.g. "semantic (judge claude-haiku-4-5)"). */
  comparison?: string;
  /** An optimizer-emulation problem: the runs are scored step by step against it. */
  benchmark?: OptimizerSpec;
  /**
   * How answers are extracted and compared (src/core/answerspec.ts), when not by METRICS.md §2:
   * a trace-set line's or a run header's `answerSpec`, a prompt file's `answer:` / `compare:`.
   */
  answerSpec?: AnswerSpec;
  samples: Sample[];
  /**
   * Where the prompt's random streams start, when not from the analysis's seed and the prompt's
   * id: a run's recorded seed and a key of its samples (src/core/runanalysis.ts). A run's id
   * holds the time it was made, and its intervals must depend only on its samples and its seed.
   */
  seeding?: { seed: number; key: string };
}

export const ANALYSIS_SCHEMA = "hotmess.analysis/1";

export type Interval = [number, number];

/** One of METRICS.md §4's decompositions; ratios whose denominator is 0 are null. */
export interface Decomposition {
  bias2: number;
  variance: number;
  error: number;
  incoherence: number | null;
  varianceUnbiased: number | null;
  bias2Unbiased: number | null;
  incoherenceUnbiased: number | null;
  /**
   * The headline incoherence (METRICS.md §7), shown wherever one number is: Brier's
   * incoherenceUnbiased, binary's success rate, KL's plug-in (src/core/interval.ts says why).
   */
  estimate: number | null;
  /** A 95% interval for the true incoherence around `estimate`; null below 5 reruns or without an estimate. */
  ci95: Interval | null;
}

export interface AnswerClass {
  /** Normalised answer key (METRICS.md §2); null is the class of samples with no answer. */
  key: string | null;
  count: number;
  reference: boolean;
  /** Up to three of the raw answers that fell into this class, for display. */
  examples: string[];
}

export interface Step {
  text: string;
  /** Character offsets into the run's trace: trace.slice(start, end) === text. */
  start: number;
  end: number;
  /**
   * A trajectory's step (METRICS.md §11): its kind, and for a tool call the tool's name (its
   * text is `name(canonical arguments)`); absent for steps segmented from text.
   */
  kind?: TrajectoryStepKind;
  name?: string;
  /** The index of the trajectory step this step renders (blank steps have none). */
  source?: number;
  /** A tool result that is an error (the trajectory step's `isError`). */
  error?: true;
}

export interface Run {
  /** The run's number: its recorded index in a run file (there may be gaps), else its position. */
  index: number;
  /** Key of the run's answer class (the reference class's key for a correct run). */
  answerKey: string | null;
  /** Index into the prompt's `answers`. */
  answerClass: number;
  /** true / false when the prompt has a target, null otherwise. */
  correct: boolean | null;
  /** The answer was not given and was extracted from the text (METRICS.md §2). */
  answerExtracted: boolean;
  /** Why the prompt's answer spec found no answer in this run's reply ("no JSON in the reply"); absent otherwise. */
  noAnswer?: string;
  /** Characters of the reasoning trace (METRICS.md §8). */
  length: number;
  /** The reasoning trace is `thinking` (true) or `text` (false). */
  fromThinking: boolean;
  /** The visible reply, when the trace is the thinking (so both can be read). */
  reply?: string;
  steps: Step[];
  /** The run's actions (tool calls), when the prompt's samples are trajectories (METRICS.md §11). */
  toolCalls?: number;
  /** The sample's `reward`, when it has one (§11). */
  reward?: number;
  /** The sample's named checks, when it has them (§12). */
  outcomes?: Record<string, number>;
}

export interface Cell {
  /** The run's `index` (cells are in run order: the k-th cell is `runs[k]`'s). */
  run: number;
  step: number | null;
  group: number | null;
  divergence: number;
}

export interface Column {
  cells: Cell[];
  /** Number of equivalence groups in the column (group 0 is the largest: the consensus). */
  groups: number;
  /**
   * The group on the reference class's path in this column, which divergence is measured from
   * (null: the reference path has no step here); present only when the prompt's
   * `divergenceBasis` is the reference (src/core/refpath.ts).
   */
  referenceGroup?: number | null;
}

/**
 * What a prompt's cell divergences are relative to (src/core/refpath.ts): the reference class's
 * path (its `runs` runs), or the majority's (the consensus of each column) for want of a target
 * or of a run in the reference class.
 */
export type DivergenceBasis = { kind: "reference"; runs: number } | { kind: "majority"; reason: "no target" | "no run in the reference class" };

/**
 * An optimizer-emulation problem (the benchmark): f(x) = ½(x − b)ᵀA(x − b), iterated K times
 * from x0 by gradient descent with rate eta, or by fixed-norm steepest descent with step norm
 * stepNorm. Carried by a trace-set prompt or a run header as `benchmark`, so the analysis can
 * score every step of every run against the true trajectory.
 */
export interface OptimizerSpec {
  kind: "optimizer";
  /** Dimension d. */
  d: number;
  /** Condition number κ of A (as generated; the exact value after rounding is in `conditionNumber`). */
  kappa: number;
  conditionNumber?: number;
  A: number[][];
  b: number[];
  x0: number[];
  rule: "gd" | "steepest";
  /** Learning rate for "gd". */
  eta?: number;
  /** Step length for "steepest": x ← x − s·g/‖g‖. */
  stepNorm?: number;
  /** Number of steps K. */
  K: number;
  /** Decimals the prompt asks iterates in. */
  decimals: number;
  seed: number;
  /** A label ("easy", "medium", "hard"…). */
  difficulty?: string;
}

/** METRICS.md §10 at one step k of the optimizer benchmark, over the runs that reached it. */
export interface OptimizerStep {
  k: number;
  /** The true iterate x*_k. */
  truth: number[];
  /** Runs with a parsable iterate at k. */
  reached: number;
  /** Runs without one (they lost the format, stopped early, or wandered off), by their `index`. */
  missing: number[];
  /** Mean iterate x̄_k over the runs that reached k; null when none did. */
  mean: number[] | null;
  bias2: number | null;
  variance: number | null;
  error: number | null;
  incoherence: number | null;
  varianceUnbiased: number | null;
  bias2Unbiased: number | null;
  incoherenceUnbiased: number | null;
  /** 95% intervals (percentile bootstrap over runs) of the incoherence, varianceUnbiased and bias2Unbiased. */
  ci95: Interval | null;
  varianceCi95: Interval | null;
  bias2Ci95: Interval | null;
}

export interface OptimizerAnalysis {
  spec: OptimizerSpec;
  /** The true trajectory x*_0 … x*_K. */
  trajectory: number[][];
  steps: OptimizerStep[];
  /** For each run, in run order, its parsed iterate at each step k = 1…K (null when missing). */
  iterates: (number[] | null)[][];
}

/** One choice at the fork action: an action key (or `<end>`), how many runs took it, and which (by `index`). */
export interface ForkActionGroup {
  key: string;
  count: number;
  runs: number[];
}

/**
 * Why the runs parted at the fork action (src/core/forkcause.ts): "policy" when runs that had
 * the same context just before it (the same tool results and user turns since the previous
 * action) chose differently; "environment" when every two runs that chose differently had
 * seen a different tool result or user turn just before.
 */
export interface ForkCause {
  kind: "policy" | "environment";
  detail: string;
}

/** Agent trajectories (METRICS.md §11): present when a prompt's samples have steps. */
export interface AgentAnalysis {
  /** Actions (tool calls) of each run, in run order. */
  toolCalls: number[];
  /** The first position (0-based) where the runs' action keys are not all equal; null when all runs took the same actions. */
  forkAction: number | null;
  /** What the runs did at forkAction, most runs first; null without a fork action. */
  forkActions: ForkActionGroup[] | null;
  /** Why they parted there; null without a fork action. */
  forkCause: ForkCause | null;
}

export interface PromptAnalysis {
  id: string;
  prompt?: string;
  /** The model that produced the runs, when known (run files). */
  model?: string;
  /** A run of next actions: the action counted as right (a tool's name or a full call), which the correct flags come from. */
  expectedAction?: string;
  /** Per-step squared-error decomposition, for optimizer-benchmark prompts. */
  optimizer?: OptimizerAnalysis;
  n: number;
  /** Whether correctness came from `correct` flags, a `reference`, or there is no target. */
  target: "flags" | "reference" | "none";
  reference: string | null;
  answers: AnswerClass[];
  /**
   * Which comparison produced the answer classes (src/core/answerspec.ts comparisonLabel):
   * "exact" (METRICS.md §2's key), "numeric ±0.01", "numeric ±1%", "json equality", "set equality",
   * or "semantic (judge MODEL[ + k manual choices])" for a run classed by `hotmess classes`.
   * Always written by the analysis; absent in documents written before it was (read: "exact").
   */
  comparison?: string;
  /** The answer spec's extraction, in its compact form ("json:$.label"), when not METRICS.md §2's. */
  extraction?: string;
  brier: Decomposition | null;
  binary: Decomposition | null;
  kl: Decomposition | null;
  /**
   * The outcome-vector decomposition (METRICS.md §12), when every sample has `outcomes` with the
   * same checks (and there is a target to aim at: not with referenceFree); absent otherwise.
   */
  outcomes?: Decomposition;
  /** Agent trajectories (METRICS.md §11), when the samples have steps. */
  agent?: AgentAnalysis;
  disagreement: number;
  entropy: number;
  classes: number;
  extractedAnswers: number;
  /** Said instead of an interval when there are too few reruns for one ("n = 3: too few reruns…"); null otherwise. */
  caveat: string | null;
  /**
   * How many reruns? The Brier interval's half-width now, and about how many more reruns would
   * bring it under ±0.05 (0: it is; null: more than 10,000, or no error to split). Null without a target.
   */
  reruns: { halfWidth: number | null; more: number | null } | null;
  /** The incoherence and accuracy of a majority vote over E = 1, 3, 5, 10 reruns (the paper's ensembling); null without a target. */
  ensemble: { e: number; incoherence: number | null; accuracy: number; error: number }[] | null;
  runs: Run[];
  columns: Column[];
  /**
   * What the columns' divergences are relative to: the reference class's path, or the
   * majority's. Always written by the analysis; absent in documents written before it was
   * (read: the majority's).
   */
  divergenceBasis?: DivergenceBasis;
  forkColumn: number | null;
  /**
   * Reliability across reruns (METRICS.md §7b), index k−1 for k = 1..n: pass^k = C(c,k)/C(n,k)
   * (k fresh reruns all correct) and pass@k = 1 − C(n−c,k)/C(n,k) (at least one of k), with
   * their 95% intervals (src/core/reliability.ts). null without a target.
   */
  passHatK: number[] | null;
  passAtK: number[] | null;
  passHatKCi95: Interval[] | null;
  passAtKCi95: Interval[] | null;
}

export interface PooledDecomposition extends Decomposition {
  /** Prompts that entered the pool. */
  prompts: number;
}

export interface LengthHalf {
  incoherence: number | null;
  /** The half's headline figure (the unbiased ratio of sums), which ci95 surrounds. */
  estimate: number | null;
  ci95: Interval | null;
  samples: number;
  meanLength: number | null;
}

export interface Pooled {
  prompts: number;
  promptsWithTarget: number;
  brier: PooledDecomposition | null;
  binary: PooledDecomposition | null;
  kl: PooledDecomposition | null;
  /** §12 pooled (ratio of sums) over the prompts that have `outcomes`; absent when none has. */
  outcomes?: PooledDecomposition;
  disagreement: number | null;
  entropy: number | null;
  lengthSplit: { short: LengthHalf; long: LengthHalf } | null;
  /**
   * pass^k and pass@k pooled (METRICS.md §7b): for each k the mean over the prompts with a target
   * and n ≥ k (`passKPrompts[k−1]` of them), with 95% intervals; null when no prompt has a target.
   */
  passHatK: number[] | null;
  passAtK: number[] | null;
  passHatKCi95: Interval[] | null;
  passAtKCi95: Interval[] | null;
  passKPrompts: number[] | null;
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  generator: { name: string; version: string };
  options: { referenceFree: boolean; resamples: number; seed: number };
  prompts: PromptAnalysis[];
  pooled: Pooled;
  /** Input lines that were skipped, with the reason (empty when none). */
  skipped: { line: number; message: string }[];
}
