// One `Analysis` (FORMATS.md `hotmess.analysis/1`) from a trace set: per prompt the answer
// classes, decompositions, intervals, steps, alignment and fork; then the pooled figures
// (METRICS.md §5), their intervals and the length split (§8). Prompts are analysed one at a
// time as they arrive (`Analyzer.add`), so a large file streams through in bounded memory:
// pooling keeps only sums and per-resample sums.
import { classify, traceOf } from "./answers";
import { align } from "./align";
import { hashSeed, mulberry32, ratioInterval, type Rng } from "./bootstrap";
import { FeatureSpaces } from "./features";
import { binaryParts, brierParts, complete, klInput, klParts, ratio, spread, type KlInput, type Parts } from "./metrics";
import { analyzeOptimizer } from "./optimizer";
import { segment } from "./segment";
import { parseTraceLine, type LineProblem } from "./traceset";
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
} from "./types";

export interface AnalyzeOptions {
  /** Ignore `reference` and `correct`: only the variance-side figures (METRICS.md §6). */
  referenceFree?: boolean;
  /** Bootstrap resamples (METRICS.md §7); 1000 by default. */
  resamples?: number;
  /** Bootstrap seed; the same seed prints the same intervals. */
  seed?: number;
  generator?: { name: string; version: string };
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 1;

/** Per-resample sums of variance and error over the pooled prompts. */
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

/** Running sums of one pooled decomposition, and of each bootstrap resample. */
class Pool extends BootSums {
  prompts = 0;
  bias2 = 0;
  variance = 0;
  error = 0;
  // the finite-sample correction pools over prompts with n ≥ 2 (n/(n−1) needs n > 1)
  unbiasedPrompts = 0;
  varianceU = 0;
  errorU = 0;
  add(p: Parts, d: Decomposition, bootVar: Float64Array, bootErr: Float64Array): void {
    this.prompts++;
    this.bias2 += p.bias2;
    this.variance += p.variance;
    this.error += p.error;
    if (d.varianceUnbiased !== null) {
      this.unbiasedPrompts++;
      this.varianceU += d.varianceUnbiased;
      this.errorU += p.error;
    }
    this.addBoot(bootVar, bootErr);
  }
  result(): PooledDecomposition | null {
    if (this.prompts === 0) return null;
    const k = this.prompts;
    const vu = this.unbiasedPrompts > 0 ? this.varianceU / this.unbiasedPrompts : null;
    const eu = this.unbiasedPrompts > 0 ? this.errorU / this.unbiasedPrompts : null;
    return {
      prompts: k,
      bias2: this.bias2 / k,
      variance: this.variance / k,
      error: this.error / k,
      incoherence: ratio(this.variance, this.error),
      varianceUnbiased: vu,
      bias2Unbiased: vu === null || eu === null ? null : Math.max(0, eu - vu),
      incoherenceUnbiased: vu === null || eu === null || !(eu > 0) ? null : Math.min(1, vu / eu),
      ci95: this.interval(),
    };
  }
}

/** Pooled Brier incoherence of one half of the length split. */
class HalfPool extends BootSums {
  variance = 0;
  error = 0;
  samples = 0;
  lengthSum = 0;
  result(): LengthHalf {
    return {
      incoherence: ratio(this.variance, this.error),
      ci95: this.samples > 0 ? this.interval() : null,
      samples: this.samples,
      meanLength: this.samples > 0 ? this.lengthSum / this.samples : null,
    };
  }
}

/**
 * Bootstrap of the Brier and binary decompositions (and KL when given) over `members`
 * (indices into classOf), B resamples drawn with replacement. Fills per-resample variance and
 * error arrays.
 *
 * Each resample's Brier and binary variance gets the finite-sample correction m/(m−1) of
 * METRICS.md §4. Resampling m runs from m runs shrinks the plug-in variance by (m−1)/m once
 * more (E*[1 − Σp*²] = (m−1)/m · (1 − Σp̂²)), so an uncorrected percentile interval sits
 * below its own point estimate when answers scatter (on the Game-of-24 fixture: pooled 0.482
 * with an interval of [0.474, 0.480]). With the correction the resampled figures are centred
 * on the plug-in incoherence that the interval is shown next to. KL has no such correction.
 */
function bootstrap(
  rng: Rng,
  B: number,
  members: Uint32Array,
  classOf: Int32Array,
  K: number,
  refIndex: number,
  out: { brier?: [Float64Array, Float64Array]; binary?: [Float64Array, Float64Array]; kl?: [Float64Array, Float64Array] },
  kl: KlInput | null,
): void {
  const m = members.length;
  const correction = m > 1 ? m / (m - 1) : 1;
  const counts = new Float64Array(K);
  const rows = new Uint32Array(m);
  for (let b = 0; b < B; b++) {
    counts.fill(0);
    for (let i = 0; i < m; i++) {
      const s = members[Math.floor(rng() * m)]!;
      rows[i] = s;
      counts[classOf[s]!]!++;
    }
    if (out.brier) {
      const p = brierParts(counts, refIndex, m);
      out.brier[0][b] = p.variance * correction;
      out.brier[1][b] = p.error;
    }
    if (out.binary) {
      const p = binaryParts(counts[refIndex]!, m);
      out.binary[0][b] = p.variance * correction;
      out.binary[1][b] = p.error;
    }
    if (out.kl && kl) {
      const p = klParts(kl, rows);
      out.kl[0][b] = p.variance;
      out.kl[1][b] = p.error;
    }
  }
}

function pair(B: number): [Float64Array, Float64Array] {
  return [new Float64Array(B), new Float64Array(B)];
}

/** Incrementally analyses prompts and pools them. */
export class Analyzer {
  readonly referenceFree: boolean;
  readonly B: number;
  readonly seed: number;
  private readonly generator: { name: string; version: string };
  private readonly prompts: PromptAnalysis[] = [];
  /** Step features, shared by prompt after prompt (features.ts FeatureSpaces). */
  private readonly spaces = new FeatureSpaces();
  private readonly brier: Pool;
  private readonly binary: Pool;
  private readonly kl: Pool;
  private readonly short: HalfPool;
  private readonly long: HalfPool;
  private splitPrompts = 0;
  private disagreementSum = 0;
  private entropySum = 0;

  constructor(options: AnalyzeOptions = {}) {
    this.referenceFree = options.referenceFree ?? false;
    this.B = Math.max(0, Math.floor(options.resamples ?? DEFAULT_RESAMPLES));
    this.seed = options.seed ?? DEFAULT_SEED;
    this.generator = options.generator ?? { name: "hotmess", version: "0" };
    this.brier = new Pool(this.B);
    this.binary = new Pool(this.B);
    this.kl = new Pool(this.B);
    this.short = new HalfPool(this.B);
    this.long = new HalfPool(this.B);
  }

  /** Analyses one prompt, adds it to the pool, and returns its analysis. */
  add(record: PromptRecord): PromptAnalysis {
    const { samples } = record;
    const n = samples.length;
    const B = this.B;
    const cls = classify(samples, record.reference, this.referenceFree);
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

    // Steps and alignment.
    const space = this.spaces.next();
    const runs: Run[] = [];
    const features = samples.map((s, i) => {
      const trace = traceOf(s);
      const steps = segment(trace);
      runs.push({
        index: i,
        answerKey: cls.classes[classOf[i]!]!.key,
        answerClass: classOf[i]!,
        correct: cls.correct[i]!,
        answerExtracted: cls.answers[i]!.extracted,
        length: trace.length,
        fromThinking: typeof s.thinking === "string",
        ...(typeof s.thinking === "string" && typeof s.text === "string" && s.text !== "" ? { reply: s.text } : {}),
        steps,
      });
      return steps.map((st) => space.features(st.text));
    });
    const alignment = align(features);

    // Intervals, and the pool.
    const rng = mulberry32(hashSeed(this.seed, record.id));
    if (hasTarget && B > 0) {
      const all = new Uint32Array(n).map((_, i) => i);
      const boot = { brier: pair(B), binary: pair(B), kl: klIn ? pair(B) : undefined };
      bootstrap(rng, B, all, classOf, K, ref, boot, klIn);
      brier!.ci95 = ratioInterval(...boot.brier);
      binary!.ci95 = ratioInterval(...boot.binary);
      if (kl && boot.kl) kl.ci95 = ratioInterval(...boot.kl);
      this.brier.add(brierP!, brier!, ...boot.brier);
      this.binary.add(binaryP!, binary!, ...boot.binary);
      if (klP && kl && boot.kl) this.kl.add(klP, kl, ...boot.kl);
    } else if (hasTarget) {
      const none = new Float64Array(0);
      this.brier.add(brierP!, brier!, none, none);
      this.binary.add(binaryP!, binary!, none, none);
      if (klP && kl) this.kl.add(klP, kl, none, none);
    }
    if (hasTarget && n >= 2) this.addLengthSplit(runs, classOf, K, ref, rng);
    this.disagreementSum += sp.disagreement;
    this.entropySum += sp.entropy;

    // The optimizer benchmark: every step of every run scored against the true trajectory.
    const optimizer =
      record.benchmark?.kind === "optimizer"
        ? analyzeOptimizer(
            record.benchmark,
            samples.map((s) => [s.thinking ?? "", s.text ?? ""].filter(Boolean).join("\n")),
            B,
            mulberry32(hashSeed(this.seed, `${record.id}:optimizer`)),
          )
        : null;

    const analysis: PromptAnalysis = {
      id: record.id,
      ...(record.prompt !== undefined ? { prompt: record.prompt } : {}),
      ...(record.model !== undefined ? { model: record.model } : {}),
      ...(optimizer ? { optimizer } : {}),
      n,
      target: cls.target,
      reference: record.reference === undefined || record.reference === null ? null : String(record.reference),
      answers: cls.classes,
      brier,
      binary,
      kl,
      disagreement: sp.disagreement,
      entropy: sp.entropy,
      classes: sp.classes,
      extractedAnswers: cls.answers.filter((a) => a.extracted).length,
      runs,
      columns: alignment.columns,
      forkColumn: alignment.forkColumn,
    };
    this.prompts.push(analysis);
    return analysis;
  }

  /**
   * The median split of METRICS.md §8: the prompt's runs ordered by trace length (ties by run
   * index); the shorter ⌊n/2⌋ form the short half and the longer ⌊n/2⌋ the long half (with odd
   * n the median run is in neither). Each half's Brier variance and error join that half's pool.
   */
  private addLengthSplit(runs: Run[], classOf: Int32Array, K: number, ref: number, rng: Rng): void {
    const n = runs.length;
    const order = runs.map((r) => r.index).sort((a, b) => runs[a]!.length - runs[b]!.length || a - b);
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
      pool.samples += h;
      if (this.B > 0) {
        const boot = { brier: pair(this.B) };
        bootstrap(rng, this.B, members, classOf, K, ref, boot, null);
        pool.addBoot(...boot.brier);
      }
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
        disagreement: k > 0 ? this.disagreementSum / k : null,
        entropy: k > 0 ? this.entropySum / k : null,
        lengthSplit: this.splitPrompts > 0 ? { short: this.short.result(), long: this.long.result() } : null,
      },
      skipped,
    };
  }
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
