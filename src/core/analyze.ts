// One `Analysis` (FORMATS.md `hotmess.analysis/1`) from a trace set: per prompt the answer
// classes, decompositions, intervals, steps, alignment and fork; then the pooled figures
// (METRICS.md §5), their intervals and the length split (§8). Prompts are analysed one at a
// time as they arrive (`Analyzer.add`), so a large file streams through in bounded memory:
// pooling keeps only sums and per-resample sums.
import { classify, isTrajectory, traceOf } from "./answers";
import { comparisonLabel, effectiveExtract, formatExtract, mergeAnswerSpecs, type AnswerSpec } from "./answerspec";
import { align } from "./align";
import { hashSeed, mulberry32, ratioInterval, type Rng } from "./bootstrap";
import { binaryDraws, binaryInterval, brierEstimate, emptyDraws, intervalFromDraws, MIN_RUNS_FOR_INTERVAL, posteriorDraws, tallyOf, tooFewCaveat, type EndDraws } from "./interval";
import { FeatureSpaces } from "./features";
import { forkCause } from "./forkcause";
import { binaryParts, brierParts, complete, klInput, klParts, outcomesParts, ratio, spread, type KlInput, type Parts } from "./metrics";
import { analyzeOptimizer } from "./optimizer";
import { NO_POOLED_RELIABILITY, NO_RELIABILITY, promptReliability, ReliabilityPool } from "./reliability";
import { measureAgainstReference } from "./refpath";
import { segment } from "./segment";
import { ensembleProjection, projectReruns } from "./projection";
import { parseTraceLine, type LineProblem } from "./traceset";
import { actionGroups, actionKey, actionKeys, argumentParts, forkAction, renderTrajectory, toolCalls as toolCallsOf } from "./trajectory";
import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type Decomposition,
  type Interval,
  type LengthHalf,
  type PooledDecomposition,
  type PromptAnalysis,
  type PromptRecord,
  type Run,
  type Step,
  type AgentAnalysis,
  type TrajectoryStep,
} from "./types";

export interface AnalyzeOptions {
  /** Ignore `reference` and `correct`: only the variance-side figures (METRICS.md §6). */
  referenceFree?: boolean;
  /** Bootstrap resamples (METRICS.md §7); 1000 by default. */
  resamples?: number;
  /** Bootstrap seed; the same seed prints the same intervals (a prompt's `seeding` takes precedence). */
  seed?: number;
  generator?: { name: string; version: string };
  /**
   * How answers are extracted and compared (`hotmess analyze --answer/--compare`): its parts
   * win over a prompt's own `answerSpec`, part by part.
   */
  answerSpec?: AnswerSpec;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 1;

/** Per-resample sums of variance and error over the pooled prompts (KL's bootstrap). */
class BootSums {
  readonly bootVar: Float64Array;
  readonly bootErr: Float64Array;
  constructor(B: number) {
    this.bootVar = new Float64Array(B);
    this.bootErr = new Float64Array(B);
  }
  addBoot(bootVar: ArrayLike<number>, bootErr: ArrayLike<number>): void {
    for (let b = 0; b < bootVar.length; b++) {
      this.bootVar[b]! += bootVar[b]!;
      this.bootErr[b]! += bootErr[b]!;
    }
  }
  interval(): Interval | null {
    return this.bootVar.length > 0 ? ratioInterval(this.bootVar, this.bootErr) : null;
  }
}

/**
 * Per-draw sums over the pooled prompts of each end's posterior (variance, error) draws
 * (src/core/interval.ts): the pooled interval of a ratio of sums, §5 and §7, each prompt's
 * draws independent of the others'.
 */
class EndSums {
  readonly draws: EndDraws;
  constructor(B: number) {
    this.draws = { loVariance: new Float64Array(B), loError: new Float64Array(B), hiVariance: new Float64Array(B), hiError: new Float64Array(B) };
  }
  addDraws(d: EndDraws): void {
    const t = this.draws;
    for (let b = 0; b < t.loVariance.length; b++) {
      t.loVariance[b]! += d.loVariance[b]!;
      t.loError[b]! += d.loError[b]!;
      t.hiVariance[b]! += d.hiVariance[b]!;
      t.hiError[b]! += d.hiError[b]!;
    }
  }
  interval(estimate: number | null, recentred: boolean): Interval | null {
    const d = this.draws;
    return d.loVariance.length > 0 ? intervalFromDraws(d.loVariance, d.loError, d.hiVariance, d.hiError, estimate, recentred) : null;
  }
}

/** Running sums of one pooled decomposition. */
class Pool {
  prompts = 0;
  bias2 = 0;
  variance = 0;
  error = 0;
  // the finite-sample correction pools over prompts with n ≥ 2 (n/(n−1) needs n > 1)
  unbiasedPrompts = 0;
  varianceU = 0;
  errorU = 0;
  /** Posterior draws (Brier, binary) or bootstrap sums (KL): whichever the decomposition's interval uses. */
  readonly ends: EndSums | null;
  readonly boot: BootSums | null;
  constructor(B: number, kind: "posterior" | "bootstrap") {
    this.ends = kind === "posterior" ? new EndSums(B) : null;
    this.boot = kind === "bootstrap" ? new BootSums(B) : null;
  }
  add(p: Parts, d: Decomposition): void {
    this.prompts++;
    this.bias2 += p.bias2;
    this.variance += p.variance;
    this.error += p.error;
    if (d.varianceUnbiased !== null) {
      this.unbiasedPrompts++;
      this.varianceU += d.varianceUnbiased;
      this.errorU += p.error;
    }
  }
  result(): PooledDecomposition | null {
    if (this.prompts === 0) return null;
    const k = this.prompts;
    const vu = this.unbiasedPrompts > 0 ? this.varianceU / this.unbiasedPrompts : null;
    const eu = this.unbiasedPrompts > 0 ? this.errorU / this.unbiasedPrompts : null;
    const incoherence = ratio(this.variance, this.error);
    const incoherenceUnbiased = vu === null || eu === null || !(eu > 0) ? null : Math.min(1, vu / eu);
    // the headline: the unbiased ratio of sums (KL has no correction: its plug-in)
    const estimate = this.boot ? incoherence : incoherenceUnbiased;
    return {
      prompts: k,
      bias2: this.bias2 / k,
      variance: this.variance / k,
      error: this.error / k,
      incoherence,
      varianceUnbiased: vu,
      bias2Unbiased: vu === null || eu === null ? null : Math.max(0, eu - vu),
      incoherenceUnbiased,
      estimate,
      ci95: this.ends ? this.ends.interval(estimate, true) : estimate === null ? null : this.boot!.interval(),
    };
  }
}

/** Pooled Brier incoherence of one half of the length split. */
class HalfPool extends EndSums {
  variance = 0;
  error = 0;
  varianceU = 0;
  samples = 0;
  lengthSum = 0;
  result(): LengthHalf {
    const incoherence = ratio(this.variance, this.error);
    const estimate = this.error > 0 ? Math.min(1, this.varianceU / this.error) : null;
    return {
      incoherence,
      estimate,
      ci95: this.samples > 0 ? this.interval(estimate, true) : null,
      samples: this.samples,
      meanLength: this.samples > 0 ? this.lengthSum / this.samples : null,
    };
  }
}

/**
 * KL's percentile bootstrap over the samples (the posterior interval of src/core/interval.ts is
 * for class counts; KL works on each sample's probability vector). B resamples drawn with
 * replacement fill the per-resample variance and error arrays.
 */
function klBootstrap(rng: Rng, B: number, n: number, kl: KlInput, out: [Float64Array, Float64Array]): void {
  const rows = new Uint32Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) rows[i] = Math.floor(rng() * n);
    const p = klParts(kl, rows);
    out[0][b] = p.variance;
    out[1][b] = p.error;
  }
}

function pair(B: number): [Float64Array, Float64Array] {
  return [new Float64Array(B), new Float64Array(B)];
}

/** Incrementally analyses prompts and pools them. */
export class Analyzer {
  readonly referenceFree: boolean;
  readonly answerSpec: AnswerSpec | undefined;
  readonly B: number;
  /**
   * Draws for the figures only ever shown pooled (the binary form's pool, the length split):
   * fewer, since a pooled quantile sums many prompts' draws (400 keep its ends within ±0.005).
   */
  readonly poolB: number;
  readonly seed: number;
  private readonly generator: { name: string; version: string };
  private readonly prompts: PromptAnalysis[] = [];
  /** Step features, shared by prompt after prompt (features.ts FeatureSpaces). */
  private readonly spaces = new FeatureSpaces();
  private readonly brier: Pool;
  private readonly binary: Pool;
  private readonly kl: Pool;
  /** §12's pool: plug-in ratio of sums, no interval (a bootstrap pool of no draws). */
  private readonly outcomes = new Pool(0, "bootstrap");
  private readonly short: HalfPool;
  private readonly long: HalfPool;
  private readonly reliability = new ReliabilityPool();
  /** A prompt's draws, added to the pools and then overwritten by the next prompt's. */
  private readonly draws: EndDraws;
  private readonly poolDraws: EndDraws;
  private splitPrompts = 0;
  private disagreementSum = 0;
  private entropySum = 0;

  constructor(options: AnalyzeOptions = {}) {
    this.referenceFree = options.referenceFree ?? false;
    this.answerSpec = options.answerSpec;
    this.B = Math.max(0, Math.floor(options.resamples ?? DEFAULT_RESAMPLES));
    this.poolB = Math.min(this.B, 400);
    this.seed = options.seed ?? DEFAULT_SEED;
    this.generator = options.generator ?? { name: "hotmess", version: "0" };
    this.brier = new Pool(this.B, "posterior");
    this.binary = new Pool(this.poolB, "posterior");
    this.kl = new Pool(this.B, "bootstrap");
    this.short = new HalfPool(this.poolB);
    this.long = new HalfPool(this.poolB);
    this.draws = emptyDraws(this.B);
    this.poolDraws = emptyDraws(this.poolB);
  }

  /** Analyses one prompt, adds it to the pool, and returns its analysis. */
  add(record: PromptRecord): PromptAnalysis {
    const { samples } = record;
    const n = samples.length;
    const B = this.B;
    const spec = mergeAnswerSpecs(record.answerSpec, this.answerSpec);
    const cls = classify(samples, record.reference, this.referenceFree, spec);
    const extraction = effectiveExtract(spec);
    const K = cls.classes.length;
    const counts = cls.classes.map((c) => c.count);
    const classOf = Int32Array.from(cls.classOf);
    const hasTarget = cls.target !== "none";
    const ref = cls.refIndex;

    const brierP = hasTarget ? brierParts(counts, ref, n) : null;
    const binaryP = hasTarget ? binaryParts(counts[ref]!, n) : null;
    const klIn = hasTarget ? klInput(samples, record.reference === undefined || record.reference === null ? null : String(record.reference)) : null;
    const klP = klIn ? klParts(klIn) : null;
    const brier = brierP ? complete(brierP, n, true) : null;
    const binary = binaryP ? complete(binaryP, n, true) : null;
    // The finite-sample correction is defined for Brier and binary only (METRICS.md §4).
    const kl = klP ? complete(klP, n, false) : null;
    const sp = spread(counts, n);
    // §12: the outcome vectors, when every sample has the same checks (a target: each check's aim is 1)
    const outcomesP = this.referenceFree ? null : outcomesParts(samples);
    const outcomes = outcomesP ? complete(outcomesP, n, true) : null;
    if (outcomes && outcomesP) {
      // the headline is the plug-in: with one check it is binary's c/n (p(1 − p)/(1 − p) = p, unbiased)
      outcomes.estimate = outcomes.incoherence;
      this.outcomes.add(outcomesP, outcomes);
    }

    // Steps and alignment.
    const space = this.spaces.next();
    const runs: Run[] = [];
    const trajectories = samples.some(isTrajectory);
    const features = samples.map((s, i) => {
      // a trajectory's steps are the run's steps, one per trajectory step (METRICS.md §11):
      // tool calls keyed by their action, the other kinds by their text and kind
      let trace: string;
      let steps: Step[];
      let stepFeatures;
      if (isTrajectory(s)) {
        const r = renderTrajectory(s.steps!);
        trace = r.trace;
        steps = r.steps;
        stepFeatures = r.steps.map((st) => {
          if (st.kind !== "tool_call") return space.stepFeatures(st.kind!, st.text);
          const call = s.steps![st.source]!;
          return space.callFeatures(call.name ?? "", actionKey(call), argumentParts(call.arguments));
        });
      } else {
        trace = traceOf(s);
        steps = segment(trace);
        stepFeatures = steps.map((st) => space.features(st.text));
      }
      runs.push({
        index: s.index ?? i,
        answerKey: cls.classes[classOf[i]!]!.key,
        answerClass: classOf[i]!,
        correct: cls.correct[i]!,
        answerExtracted: cls.answers[i]!.extracted,
        ...(cls.answers[i]!.reason !== undefined ? { noAnswer: cls.answers[i]!.reason } : {}),
        length: trace.length,
        fromThinking: typeof s.thinking === "string",
        ...(typeof s.thinking === "string" && typeof s.text === "string" && s.text !== "" ? { reply: s.text } : {}),
        steps,
        ...(trajectories ? { toolCalls: s.steps ? toolCallsOf(s.steps) : 0 } : {}),
        ...(typeof s.reward === "number" ? { reward: s.reward } : {}),
        ...(s.outcomes ? { outcomes: s.outcomes } : {}),
      });
      return stepFeatures;
    });
    const alignment = align(features);
    // divergence from the reference class's path, not the majority's, when there is one (issue 16)
    const divergenceBasis = measureAgainstReference(alignment.columns, features, cls.correct);
    // the alignment names runs by position; the analysis by their index (a run file's, with gaps)
    const numbered = samples.some((s, i) => s.index !== undefined && s.index !== i);
    if (numbered) for (const col of alignment.columns) col.cells = col.cells.map((cell) => ({ ...cell, run: runs[cell.run]!.index }));
    const agent = trajectories ? agentOf(samples.map((s) => s.steps ?? []), runs) : null;

    // Intervals, and the pool: the streams start from the prompt's seeding (a run's recorded
    // seed and its samples), else from the analysis's seed and the prompt's id.
    const seed = record.seeding?.seed ?? this.seed;
    const key = record.seeding?.key ?? record.id;
    const rng = mulberry32(hashSeed(seed, key));
    let reruns: PromptAnalysis["reruns"] = null;
    let ensemble: PromptAnalysis["ensemble"] = null;
    if (hasTarget) {
      const tally = tallyOf(counts, ref, n);
      const c = tally.correct;
      // the headline figures (src/core/interval.ts): Brier's unbiased ratio, binary's success
      // rate (its incoherence p(1 − p)/(1 − p) is p), KL's plug-in
      brier!.estimate = brierEstimate(tally);
      binary!.estimate = c < n ? c / n : null;
      if (kl) kl.estimate = kl.incoherence;
      this.brier.add(brierP!, brier!);
      this.binary.add(binaryP!, binary!);
      if (klP && kl) this.kl.add(klP, kl);
      if (B > 0) {
        const draws = posteriorDraws(tally, B, rng, this.draws);
        if (n >= MIN_RUNS_FOR_INTERVAL) brier!.ci95 = intervalFromDraws(draws.loVariance, draws.loError, draws.hiVariance, draws.hiError, brier!.estimate);
        binary!.ci95 = binaryInterval(n, c);
        this.brier.ends!.addDraws(draws);
        this.binary.ends!.addDraws(binaryDraws(n, c, this.poolB, rng, this.poolDraws));
        if (klIn && kl && klP) {
          const boot = pair(B);
          klBootstrap(rng, B, n, klIn, boot);
          if (n >= MIN_RUNS_FOR_INTERVAL) kl.ci95 = ratioInterval(...boot);
          this.kl.boot!.addBoot(...boot);
        }
      }
      reruns = B > 0 ? projectReruns(tally, brier!.ci95, seed) : null;
      ensemble = ensembleProjection(counts, ref, n, seed);
    }
    if (hasTarget && n >= 2) this.addLengthSplit(runs, classOf, K, ref, rng);
    this.disagreementSum += sp.disagreement;
    this.entropySum += sp.entropy;
    // pass^k and pass@k (METRICS.md §7b) need only the count in the reference class
    const reliability = hasTarget ? promptReliability(counts[ref]!, n) : NO_RELIABILITY;
    if (hasTarget) this.reliability.add(counts[ref]!, n);

    // The optimizer benchmark: every step of every run scored against the true trajectory.
    const optimizer =
      record.benchmark?.kind === "optimizer"
        ? analyzeOptimizer(
            record.benchmark,
            samples.map((s) => [s.thinking ?? "", s.text ?? ""].filter(Boolean).join("\n")),
            B,
            mulberry32(hashSeed(seed, `${key}:optimizer`)),
          )
        : null;
    if (optimizer && numbered) for (const st of optimizer.steps) st.missing = st.missing.map((pos) => runs[pos]!.index);

    const analysis: PromptAnalysis = {
      id: record.id,
      ...(record.prompt !== undefined ? { prompt: record.prompt } : {}),
      ...(record.model !== undefined ? { model: record.model } : {}),
      ...(record.expectedAction !== undefined ? { expectedAction: record.expectedAction } : {}),
      ...(optimizer ? { optimizer } : {}),
      n,
      target: cls.target,
      reference: record.reference === undefined || record.reference === null ? null : String(record.reference),
      answers: cls.classes,
      // a run classed by meaning (its verdicts: src/core/semantic.ts) says so; else the spec's comparison
      comparison: record.comparison ?? comparisonLabel(spec),
      ...(extraction ? { extraction: formatExtract(extraction) } : {}),
      brier,
      binary,
      kl,
      ...(outcomes ? { outcomes } : {}),
      ...(agent ? { agent } : {}),
      disagreement: sp.disagreement,
      entropy: sp.entropy,
      classes: sp.classes,
      extractedAnswers: cls.answers.filter((a) => a.extracted).length,
      caveat: hasTarget ? tooFewCaveat(n) : null,
      reruns,
      ensemble,
      runs,
      columns: alignment.columns,
      divergenceBasis,
      forkColumn: alignment.forkColumn,
      ...reliability,
    };
    this.prompts.push(analysis);
    return analysis;
  }

  /**
   * The median split of METRICS.md §8: the prompt's runs ordered by trace length (ties by run
   * order); the shorter ⌊n/2⌋ form the short half and the longer ⌊n/2⌋ the long half (with odd
   * n the median run is in neither). Each half's Brier variance and error join that half's pool.
   */
  private addLengthSplit(runs: Run[], classOf: Int32Array, K: number, ref: number, rng: Rng): void {
    const n = runs.length;
    const order = runs.map((_, i) => i).sort((a, b) => runs[a]!.length - runs[b]!.length || a - b);
    const h = Math.floor(n / 2);
    this.splitPrompts++;
    for (const [pool, members] of [
      [this.short, Uint32Array.from(order.slice(0, h))],
      [this.long, Uint32Array.from(order.slice(n - h))],
    ] as const) {
      const counts = new Float64Array(K);
      for (const i of members) {
        counts[classOf[i]!]!++;
        pool.lengthSum += runs[i]!.length;
      }
      const p = brierParts(counts, ref, h);
      pool.variance += p.variance;
      pool.error += p.error;
      if (h > 1) pool.varianceU += (h / (h - 1)) * p.variance;
      pool.samples += h;
      if (this.poolB > 0) pool.addDraws(posteriorDraws(tallyOf(counts, ref, h), this.poolB, rng, this.poolDraws));
    }
  }

  /** The complete analysis of everything added so far. */
  finish(skipped: LineProblem[] = []): Analysis {
    const k = this.prompts.length;
    return {
      schema: ANALYSIS_SCHEMA,
      generator: this.generator,
      options: { referenceFree: this.referenceFree, resamples: this.B, seed: this.seed },
      prompts: this.prompts,
      pooled: {
        prompts: k,
        promptsWithTarget: this.brier.prompts,
        brier: this.brier.result(),
        binary: this.binary.result(),
        kl: this.kl.result(),
        ...(this.outcomes.prompts > 0 ? { outcomes: this.outcomes.result()! } : {}),
        disagreement: k > 0 ? this.disagreementSum / k : null,
        entropy: k > 0 ? this.entropySum / k : null,
        lengthSplit: this.splitPrompts > 0 ? { short: this.short.result(), long: this.long.result() } : null,
        ...(this.reliability.result() ?? NO_POOLED_RELIABILITY),
      },
      skipped,
    };
  }
}

/**
 * §11 for one prompt: each run's tool calls, the fork action, what the runs did there (runs
 * named by their `index`) and why they parted (forkcause.ts).
 */
function agentOf(trajectories: TrajectoryStep[][], runs: Run[]): AgentAnalysis {
  const keys = trajectories.map(actionKeys);
  const k = forkAction(keys);
  const groups = k === null ? null : actionGroups(keys, k);
  const index = runs.map((r) => r.index);
  return {
    toolCalls: keys.map((ks) => ks.length),
    forkAction: k,
    forkActions: groups ? groups.map((g) => ({ key: g.key, count: g.count, runs: g.runs.map((r) => index[r]!) })) : null,
    forkCause: groups ? forkCause(trajectories, k, groups, index) : null,
  };
}

/** Analyses a whole trace set given as text (JSON Lines); malformed lines are skipped and listed. */
export function analyzeTraceSet(text: string, options: AnalyzeOptions = {}): Analysis {
  const analyzer = new Analyzer(options);
  const skipped: LineProblem[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((line, i) => {
    const parsed = parseTraceLine(line, i + 1, seen);
    if (parsed === null) return;
    if ("error" in parsed) skipped.push(parsed.error);
    else {
      skipped.push(...parsed.warnings);
      analyzer.add(parsed.record);
    }
  });
  return analyzer.finish(skipped);
}

/** Analyses records already in memory. */
export function analyzeRecords(records: PromptRecord[], options: AnalyzeOptions = {}): Analysis {
  const analyzer = new Analyzer(options);
  for (const r of records) analyzer.add(r);
  return analyzer.finish();
}
