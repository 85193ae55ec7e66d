// `hotmess bench optimizer` and `hotmess demo`: the optimizer-emulation benchmark against any
// provider (the simulated reasoner by default), each difficulty kept as a run file, then the
// per-step table (incoherence as a function of the number of steps: the paper's synthetic
// optimizer result) and the self-contained comparison view.
import { join, resolve } from "node:path";
import { benchmarkSentence, benchmarkSubject, incoherenceTrend, type Analysis, type OptimizerAnalysis, type ParsedRun } from "../core";
import { benchmarkPrompts } from "../sampling/benchmark";
import type { SampleRequest } from "../sampling/types";
import { DEFAULT_PRICES } from "../sampling/prices";
import { BENCH_DEFAULTS } from "./commands";
import { FatalError, num, UsageError, type Io, type Parsed } from "./common";
import { analysisOutputs, liveLine, planOutputs, writeAnalysisOutputs, type AnalysisOutputs } from "./io";
import { analyzeRuns, DEFAULT_MODELS, defaultProvider, defaultThinkingFor, executeRun, makeProvider, simKnobs } from "./run";
import { fmt, fmtInterval, layout, promptTable, styleFor, type Style } from "./table";

/** A small number for a table: fixed when it reads well, else 3 significant digits. */
function sci(x: number | null): string {
  if (x === null) return "—";
  if (x === 0) return "0";
  return Math.abs(x) >= 0.001 && Math.abs(x) < 1000 ? x.toFixed(4) : x.toPrecision(3);
}

function ruleLabel(o: OptimizerAnalysis): string {
  const s = o.spec;
  return s.rule === "gd" ? `gradient descent, eta ${s.eta}` : `fixed-norm steepest descent, step ${s.stepNorm}`;
}

/** The per-step table of one benchmark prompt. */
export function stepTable(id: string, model: string | undefined, o: OptimizerAnalysis, st: Style): string[] {
  const s = o.spec;
  const n = o.iterates.length;
  const lines = [st.bold(`${id}`) + st.dim(` · d = ${s.d}, κ = ${s.conditionNumber ? s.conditionNumber.toFixed(1) : s.kappa}, ${ruleLabel(o)}, K = ${s.K} · ${n} runs${model ? ` of ${model}` : ""}`)];
  const rows = o.steps.map((x) => [
    String(x.k),
    `${x.reached}/${n}`,
    sci(x.bias2),
    sci(x.variance),
    sci(x.error),
    `${fmt(x.incoherence)} ${fmtInterval(x.ci95)}`.trim(),
    bar(x.incoherence),
  ]);
  lines.push(...layout(["k", "reached", "bias²", "variance", "error", "incoherence [95% CI]", ""], rows, new Set([0, 1, 2, 3, 4]), st).map((l) => "  " + l));
  return lines;
}

function bar(x: number | null): string {
  if (x === null) return "";
  const width = 20;
  const full = Math.round(x * width);
  return "▇".repeat(full) + "·".repeat(width - full);
}

/** Mean incoherence over the first third and over the last third of the steps. */
function thirds(o: OptimizerAnalysis): { early: number | null; late: number | null } {
  const vals = o.steps.map((s) => s.incoherence);
  const third = Math.max(1, Math.floor(vals.length / 3));
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return { early: mean(vals.slice(0, third)), late: mean(vals.slice(vals.length - third)) };
}

export interface BenchOptions {
  provider?: string;
  model?: string;
  baseURL?: string;
  n: number;
  difficulties: string[];
  seed: number;
  concurrency: number;
  maxTokens: number;
  outDir: string;
  idleTimeoutMs: number;
  retries: number;
  /** The longest retry-after honoured. */
  maxRetryWaitMs: number;
  flags: Map<string, string | true>;
}

export async function runBenchmark(o: BenchOptions, io: Io, signal?: AbortSignal): Promise<{ analysis: Analysis; code: number }> {
  const name = o.provider ?? defaultProvider(io.env);
  const live = liveLine(io);
  const setup = makeProvider(name, io.env, o.baseURL, live, simKnobs(o.flags));
  const model = o.model ?? DEFAULT_MODELS[name]!;
  let prompts;
  try {
    prompts = benchmarkPrompts(o.difficulties, o.seed);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const thinking = defaultThinkingFor(name, model);
  // the model's rules do not depend on the prompt: checked once, before the first request
  const refused = setup.provider.check({ prompt: prompts[0]?.prompt ?? "", model, maxTokens: o.maxTokens, thinking });
  if (refused) throw new FatalError(refused);
  const runs: ParsedRun[] = [];
  let code = 0;
  for (const bp of prompts) {
    const request: SampleRequest = { prompt: bp.prompt, model, maxTokens: o.maxTokens, thinking };
    io.stderr.write(`\nhotmess: optimizer benchmark, ${bp.difficulty}: d = ${bp.spec.d}, κ = ${bp.spec.kappa}, K = ${bp.spec.K} steps\n`);
    const r = await executeRun(
      {
        setup,
        live,
        request,
        n: o.n,
        concurrency: o.concurrency,
        idleTimeoutMs: o.idleTimeoutMs,
        retries: o.retries,
        maxRetryWaitMs: o.maxRetryWaitMs,
        prices: DEFAULT_PRICES,
        reference: bp.reference,
        benchmark: bp.spec,
        id: `${bp.id}-seed${o.seed}`,
        outDir: o.outDir,
        quiet: true,
      },
      io,
      signal,
    );
    runs.push(r.run);
    code = Math.max(code, r.code);
    if (r.code === 1 || r.code === 130) break;
  }
  return { analysis: analyzeRuns(runs), code };
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** The summary's verdict per problem: the sentence's own (incoherenceTrend), in a column's words. */
const TREND_WORDS = { rises: "rises with steps", overlaps: "not shown (intervals overlap)", flat: "does not rise", none: "—" } as const;

/** Incoherence per step in one line of characters, 0 to 1 (· where a step has none). */
function sparkline(o: OptimizerAnalysis): string {
  return o.steps.map((s) => (s.incoherence === null ? "·" : SPARKS[Math.min(SPARKS.length - 1, Math.max(0, Math.floor(s.incoherence * SPARKS.length)))]!)).join("");
}

/**
 * The benchmark's result. A terminal shows the end of what was printed, so the end is what the
 * reader sees first: the per-step tables come first, then the final answers, captioned (each is a
 * vector, so every run is a class of its own, which is expected and not the point), and last the
 * result itself: the sentence, and incoherence against the number of steps per problem.
 */
export function printBenchmark(analysis: Analysis, io: Io, opts: { subject?: string } = {}): void {
  const st = styleFor(io);
  const out: string[] = [""];
  for (const p of analysis.prompts) {
    if (!p.optimizer) continue;
    out.push(...stepTable(p.id, p.model, p.optimizer, st), "");
  }
  out.push(st.bold("Final answers") + st.dim(" (exact to the prompt's decimals = correct)"));
  out.push(st.dim("Each answer is a vector: every run lands somewhere slightly different, so each is a class of its own. The per-step figures are the ones to read."));
  out.push(...promptTable(analysis, st), "");
  const summary = analysis.prompts
    .filter((p) => p.optimizer)
    .map((p) => {
      const o = p.optimizer!;
      const t = thirds(o);
      return [p.id, String(o.spec.K), fmt(o.steps[0]?.incoherence), fmt(o.steps.at(-1)?.incoherence), fmt(t.early), fmt(t.late), sparkline(o), TREND_WORDS[incoherenceTrend(o)?.verdict ?? "none"]];
    });
  const sentence = benchmarkSentence(opts.subject ?? benchmarkSubject(analysis), analysis);
  if (sentence) out.push(st.bold(sentence), "");
  if (summary.length > 0) {
    out.push(st.bold("Incoherence against the number of steps") + st.dim(" (at the first and the last step; mean over the first and the last third)"));
    out.push(...layout(["prompt", "K", "first", "last", "early", "late", "per step", ""], summary, new Set([1, 2, 3, 4, 5]), st).map((l) => "  " + l));
  }
  io.stdout.write(out.join("\n") + "\n");
}

/**
 * `hotmess bench`'s arguments made into options, everything checked before the benchmark runs:
 * the outputs (two never the same file, each writable, the run folder too), then the numbers.
 */
export function planBench(p: Parsed): { options: BenchOptions; out: AnalysisOutputs } {
  const what = p.positional[0];
  if (what !== "optimizer") throw new UsageError(what === undefined ? "bench needs a benchmark: hotmess bench optimizer -n N" : `unknown benchmark "${what}": the one there is is "optimizer"`);
  const f = p.flags;
  const str = (k: string) => (typeof f.get(k) === "string" ? (f.get(k) as string) : undefined);

  const outArg = str("--out") ?? BENCH_DEFAULTS.out;
  const out = { json: str("--json"), html: str("--html") ?? join(outArg, "report.html") };
  planOutputs(analysisOutputs(out), { dirs: [outArg] });

  const n = num(f, "-n");
  if (n === undefined) throw new UsageError("bench optimizer needs -n N, the reruns of each problem");
  const options = benchOptions({
    provider: str("--provider"),
    model: str("--model"),
    baseURL: str("--base-url"),
    n,
    difficulty: str("--difficulty") ?? BENCH_DEFAULTS.difficulty,
    seed: num(f, "--seed") ?? BENCH_DEFAULTS.seed,
    concurrency: num(f, "--concurrency") ?? BENCH_DEFAULTS.concurrency,
    maxTokens: num(f, "--max-tokens") ?? BENCH_DEFAULTS.maxTokens,
    out: outArg,
    timeoutS: num(f, "--timeout") ?? BENCH_DEFAULTS.timeoutS,
    retries: num(f, "--retries") ?? BENCH_DEFAULTS.retries,
    maxRetryWaitS: num(f, "--max-retry-wait") ?? BENCH_DEFAULTS.maxRetryWaitS,
    flags: f,
  });
  return { options, out };
}

/** The benchmark's settings as the flags give them (seconds, a comma-separated list of difficulties); BENCH_DEFAULTS has the rest. */
export type BenchSettings = typeof BENCH_DEFAULTS & { n: number; provider?: string | undefined; model?: string | undefined; baseURL?: string | undefined; flags?: Map<string, string | true> };

/** The options runBenchmark takes, from settings in the flags' terms. */
export function benchOptions(s: BenchSettings): BenchOptions {
  return {
    ...(s.provider ? { provider: s.provider } : {}),
    ...(s.model ? { model: s.model } : {}),
    ...(s.baseURL ? { baseURL: s.baseURL } : {}),
    n: s.n,
    difficulties: s.difficulty.split(",").map((d) => d.trim()).filter(Boolean),
    seed: s.seed,
    concurrency: s.concurrency,
    maxTokens: s.maxTokens,
    outDir: resolve(s.out),
    idleTimeoutMs: s.timeoutS * 1000,
    retries: s.retries,
    maxRetryWaitMs: s.maxRetryWaitS * 1000,
    flags: s.flags ?? new Map(),
  };
}

export async function benchCommand(p: Parsed, io: Io, signal?: AbortSignal): Promise<number> {
  const { options, out } = planBench(p);
  const { analysis, code } = await runBenchmark(options, io, signal);
  if (analysis.prompts.length === 0) {
    io.stderr.write("hotmess: no run finished a sample, so there is nothing to analyse\n");
    return code || 1;
  }
  writeAnalysisOutputs(analysis, out, io, (a) => printBenchmark(a, io));
  io.stderr.write(`hotmess: run files in ${options.outDir}\n`);
  return code;
}
