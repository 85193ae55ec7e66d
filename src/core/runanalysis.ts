// One analysis of run files, for every face that shows one: the live view as samples arrive,
// a reopened run, the language server's CodeLens, hint and hover, `hotmess run` and `hotmess
// analyze`, and every export (METRICS.md §7: the same interval for the same samples, and runs
// keep the same indices everywhere). A run file holds its samples in the order they finished;
// the analysis takes them by their recorded index and numbers the runs by it, and draws its
// intervals from the seed recorded in the header and the samples, never from the run's id
// (which holds the time) or its place among other runs.
import { Analyzer, DEFAULT_SEED, type AnalyzeOptions } from "./analyze";
import { hashSeed } from "./bootstrap";
import { samplesByIndex, type ParsedRun, type RunHeader, type RunSampleLine } from "./runfile";
import { actionKey, actionKeys } from "./trajectory";
import { clusterFromCache, sameKey, type VerdictCache } from "./semantic";
import { classKeys, comparisonLabel, effectiveCompare, extractAnswer, type AnswerSpec } from "./answerspec";
import { extractAnswer as extractFinal } from "./answers";
import type { RunVerdictsLine } from "./runfile";
import type { Analysis, PromptRecord, Sample, TrajectoryStep } from "./types";

/** The seed a run's intervals are drawn with: the one its header records, else (an older file) DEFAULT_SEED. */
export function runSeed(header: Pick<RunHeader, "analysis">): number {
  return header.analysis?.seed ?? DEFAULT_SEED;
}

/**
 * What a run's random streams are seeded with besides its seed: a hash of its samples in index
 * order (not the run's id, which holds the time it was made, nor its place among other runs), so
 * the same samples and seed give the same intervals, and two runs draw independent streams.
 * Each sample counts by its index, its lengths and the ends of its text and thinking: hashing
 * every character took 0.4 s for 10,000 samples of 5 kB, this takes 30 ms.
 */
export function samplesKey(samples: readonly (Pick<RunSampleLine, "index" | "text" | "thinking"> & { steps?: readonly TrajectoryStep[] })[]): string {
  let h = 0;
  for (const s of samples) {
    // a next action's content is its tool calls (its text may be empty)
    const calls = s.steps ? actionKeys(s.steps).join("\u0001") : "";
    h = hashSeed(h, `${s.index}\u0000${ends(s.text)}\u0000${ends(s.thinking)}${calls ? `\u0000${ends(calls)}` : ""}`);
  }
  return `run:${h.toString(36)}`;
}

const END = 64;
/** A text's length and its first and last characters. */
const ends = (t: string) => (t.length <= 2 * END ? t : `${t.length}:${t.slice(0, END)}${t.slice(-END)}`);

/** What the analysis reads of a run: its header's prompt, reference, benchmark and seed, and its samples. */
export interface RunForAnalysis {
  header: Pick<RunHeader, "id" | "prompt" | "reference" | "benchmark" | "analysis" | "expectedAction" | "answerSpec"> & { model?: string };
  samples: readonly Pick<RunSampleLine, "index" | "text" | "thinking" | "steps">[];
  /** Semantic classes' verdicts and manual choices (`hotmess classes`). */
  verdicts?: readonly RunVerdictsLine[];
}

/**
 * What a run's verdict lines hold, later lines winning: the verdicts of one judge (`judge`, by
 * default the one that answered last: the judge last chosen), the manual choices (whoever made
 * the classes), and the judges that answered (none: only manual choices were made). Verdicts
 * are a judge's own: choosing another judge asks it afresh rather than reading another's.
 */
export function verdictState(lines: readonly RunVerdictsLine[], judge?: string): { cache: VerdictCache; overrides: Map<string, string>; judges: string[]; judge: string | null } {
  const judges = [...new Set(lines.filter((l) => l.verdicts.length > 0 && l.judge !== "manual").map((l) => l.judge))];
  // a line of a judge with no new verdicts still records that it was chosen
  const current = judge ?? [...lines].reverse().find((l) => l.judge !== "manual" && !l.partial)?.judge ?? null;
  const cache: VerdictCache = new Map();
  const overrides = new Map<string, string>();
  for (const l of lines) {
    if (l.judge === current) for (const [a, b, same] of l.verdicts) cache.set(sameKey(a, b), same);
    for (const [k, v] of Object.entries(l.overrides ?? {})) overrides.set(k, v);
  }
  return { cache, overrides, judges, judge: current };
}

/**
 * The answer the analysis reads from a semantic answer (a reply, or what the spec extracted)
 * when no judge classes it: the spec's extraction has read it already; else METRICS.md §2's.
 */
function plainOf(semantic: string, spec?: AnswerSpec): string | null {
  return spec?.extract ? semantic : extractFinal(semantic).answer;
}

/**
 * Whether two semantic answers fall in one class by the run's own comparison (its spec's, else
 * METRICS.md §2's key): how replies are classed where no judge has spoken, so manual merges and
 * splits made without one start from the classes the view showed.
 */
export function sameByComparison(spec?: AnswerSpec): (a: string, b: string) => boolean {
  const compare = effectiveCompare(spec);
  return (a, b) => {
    const k = classKeys([plainOf(a, spec), plainOf(b, spec)], compare).keys;
    return k[0] !== null && k[0] === k[1];
  };
}

/**
 * The semantic classes of a run's replies from its verdict lines (src/core/semantic.ts): each
 * reply's class (its answer for the analysis), and what to call the comparison; null without
 * verdict lines.
 * - With a judge's verdicts, each reply's answer is its class's representative. When a verdict
 *   the rule needs is missing (replies added since the judge ran), the classes stay by exact
 *   text and the label says to judge again.
 * - With manual choices only (merged or split in the view before any judge ran), the classes are
 *   the comparison's own with the choices applied, and each reply's answer is what the analysis
 *   reads from its class's representative, so a class is still labelled "42", not a paragraph.
 */
export function semanticOfRun(run: RunForAnalysis, samples: readonly { text: string }[]): { classOf: (string | null)[]; label: string } | null {
  const lines = run.verdicts ?? [];
  if (lines.length === 0) return null;
  const spec = run.header.answerSpec;
  const { cache, overrides, judge } = verdictState(lines);
  const manual = overrides.size > 0 ? ` + ${overrides.size} manual choice${overrides.size === 1 ? "" : "s"}` : "";
  const replies = samples.map((s) => semanticAnswer(s.text, spec));
  if (judge === null) {
    const r = clusterFromCache(replies, cache, overrides, sameByComparison(spec));
    if ("need" in r) throw new Error("clustering with a fallback never needs a verdict");
    return { classOf: r.result.classOf.map((rep) => (rep === null ? null : plainOf(rep, spec))), label: `${comparisonLabel(spec)}${manual}` };
  }
  const r = clusterFromCache(replies, cache, overrides);
  if ("need" in r) return { classOf: replies, label: `exact: the judge ${judge} has not classed every reply (class by meaning again)` };
  return { classOf: r.result.classOf, label: `semantic (judge ${judge}${manual})` };
}

/**
 * The answer a semantic comparison judges: what the run's answer spec extracts when it names an
 * extraction (a JSON path, a regular expression, the last line, a code block; null when it finds
 * none), else the visible reply, trimmed; null when empty.
 */
export function semanticAnswer(text: string, spec?: AnswerSpec): string | null {
  if (spec?.extract) {
    const got = extractAnswer(text, spec.extract).answer;
    return got === null || got.trim() === "" ? null : got.trim();
  }
  const t = text.trim();
  return t === "" ? null : t;
}

/**
 * Whether a tool call is the expected action: `expected` a tool's name (any call of it), or a
 * full action key (`name{…}` or `name(…)` with JSON arguments, compared canonically).
 */
export function isExpectedAction(call: TrajectoryStep, expected: string): boolean {
  const e = expected.trim();
  const at = e.search(/[({]/);
  if (at < 0) return call.name === e;
  const name = e.slice(0, at);
  const args = e[at] === "(" && e.endsWith(")") ? e.slice(at + 1, -1) : e.slice(at);
  return actionKey(call) === actionKey({ name, arguments: args });
}

/** The answer of a next turn that replied to the user without calling a tool. */
export const TEXT_REPLY = "reply without a tool call";

/** A run's sample for the analysis: a next action (steps) is answered by its first tool call's key. */
function sampleOf(s: RunForAnalysis["samples"][number], expected: string | undefined): Sample {
  const sample: Sample = { text: s.text, ...(s.thinking ? { thinking: s.thinking } : {}), index: s.index };
  if (!s.steps) return sample;
  sample.steps = [...s.steps];
  const call = s.steps.find((st) => st.kind === "tool_call");
  // a turn that answers the user without a call is an action too (asking first is often the
  // policy's), one class of its own; a turn with nothing in it has no answer
  sample.answer = call ? actionKey(call) : s.steps.some((st) => st.kind === "text" && (st.text ?? "").trim() !== "") ? TEXT_REPLY : null;
  if (expected !== undefined) sample.correct = call !== undefined && isExpectedAction(call, expected);
  return sample;
}

/**
 * A run as one prompt of a trace set, for the analysis: its samples by recorded index (each
 * keeping it, so the analysis numbers the runs by it), seeded by the run's recorded seed (or
 * `seed`, which overrides it: `hotmess analyze --seed`) and its samples. The trace is the
 * thinking when there is any.
 */
export function runToPromptRecord(run: RunForAnalysis, seed?: number): PromptRecord {
  const samples = samplesByIndex(run.samples);
  const record: PromptRecord = {
    id: run.header.id,
    prompt: run.header.prompt,
    samples: samples.map((s) => sampleOf(s, run.header.expectedAction)),
    seeding: { seed: seed ?? runSeed(run.header), key: samplesKey(samples) },
  };
  // replies classed by meaning: each one's answer is its class's representative
  const semantic = samples.some((s) => s.steps) ? null : semanticOfRun(run, samples);
  if (semantic) {
    record.samples.forEach((s, i) => (s.answer = semantic.classOf[i] ?? null));
    record.comparison = semantic.label;
  }
  if (run.header.reference !== undefined) record.reference = run.header.reference;
  if (run.header.model) record.model = run.header.model;
  if (run.header.expectedAction !== undefined) record.expectedAction = run.header.expectedAction;
  if (run.header.benchmark?.kind === "optimizer") record.benchmark = run.header.benchmark;
  if (run.header.answerSpec) record.answerSpec = run.header.answerSpec;
  return record;
}

/**
 * Adds a run to an analysis as one prompt (runToPromptRecord, `seed` overriding its recorded
 * one); a run without a finished sample adds none. Returns the record added, or null.
 */
export function addRun(analyzer: Analyzer, run: ParsedRun, seed?: number): PromptRecord | null {
  if (run.samples.length === 0) return null;
  const record = runToPromptRecord(run, seed);
  analyzer.add(record);
  return record;
}

/**
 * The analysis of runs, each as one prompt (runs without a finished sample are left out), with
 * every line a reader skipped. `options.seed`, when given, overrides every run's recorded seed
 * (`hotmess analyze --seed`); otherwise each run uses its own, and the document's
 * `options.seed` is the first run's.
 */
export function analyzeRuns(runs: readonly ParsedRun[], options: AnalyzeOptions = {}): Analysis {
  const first = runs.find((r) => r.samples.length > 0);
  const analyzer = new Analyzer({ ...options, seed: options.seed ?? (first ? runSeed(first.header) : DEFAULT_SEED) });
  for (const run of runs) addRun(analyzer, run, options.seed);
  return analyzer.finish(runs.flatMap((r) => r.warnings));
}

/** The analysis of one run (analyzeRuns). */
export function analyzeRun(run: ParsedRun, options: AnalyzeOptions = {}): Analysis {
  return analyzeRuns([run], options);
}
