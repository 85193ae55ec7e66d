// `hotmess run`: rerun a prompt N times against a model, keep every sample in a run file, show
// live progress, then the analysis table.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Analyzer, runToPromptRecord, type Analysis, type ParsedRun } from "../core";
import { AnthropicProvider, defaultThinking } from "../sampling/anthropic";
import { runSamples, type FinishedSample, type Progress, type RunEvent } from "../sampling/engine";
import { OpenAIProvider } from "../sampling/openai";
import { DEFAULT_PRICES, parsePriceTable, priceOf, type PriceTable } from "../sampling/prices";
import { promptHash, RunWriter, safeBaseURL } from "../sampling/store";
import type { Provider, SampleRequest, ThinkingMode } from "../sampling/types";
import { FatalError, parseArgs, UsageError, VERSION, type Io } from "./common";
import { writeFileAtomic } from "./io";
import { ANSI_STYLE, NO_STYLE, renderTable } from "./table";

export const PROVIDERS = ["anthropic", "openai"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const DEFAULT_MODELS: Record<ProviderName, string> = { anthropic: "claude-sonnet-4-5", openai: "gpt-5-mini" };

const VALUED = new Set([
  "--prompt",
  "--prompt-file",
  "--system",
  "-n",
  "--provider",
  "--model",
  "--base-url",
  "--reference",
  "--concurrency",
  "--thinking",
  "--thinking-budget",
  "--max-tokens",
  "--temperature",
  "--until-ci",
  "--timeout",
  "--retries",
  "--prices",
  "--out",
  "--json",
  "--resume",
  "--seed",
]);

export interface ProviderSetup {
  provider: Provider;
  name: ProviderName;
  baseURL?: string;
}

/** The provider for a name, with its key from the environment; a clear error when it cannot be had. */
export function makeProvider(name: string, env: NodeJS.ProcessEnv, baseURL: string | undefined, log?: (l: string) => void): ProviderSetup {
  if (name === "anthropic") {
    const key = env.ANTHROPIC_API_KEY;
    if (!key) throw new FatalError("ANTHROPIC_API_KEY is not set: export your Anthropic API key (https://console.anthropic.com/settings/keys) or choose another --provider");
    return { provider: new AnthropicProvider({ apiKey: key, ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, ...(baseURL ? { baseURL } : {}) };
  }
  if (name === "openai") {
    let key = env.OPENAI_API_KEY;
    if (!key) {
      // local OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) take any key
      if (!baseURL) throw new FatalError("OPENAI_API_KEY is not set: export your OpenAI key, or give --base-url for a local OpenAI-compatible server (Ollama: http://localhost:11434/v1)");
      key = "not-needed";
    }
    return { provider: new OpenAIProvider({ apiKey: key, ...(baseURL ? { baseURL } : {}), ...(log ? { log } : {}) }), name, ...(baseURL ? { baseURL } : {}) };
  }
  throw new UsageError(`unknown provider "${name}": choose ${PROVIDERS.join(" or ")}`);
}

function num(flags: Map<string, string | true>, name: string, opts: { int?: boolean; min?: number; max?: number }): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const x = Number(v);
  const ok = typeof v === "string" && v.trim() !== "" && Number.isFinite(x) && (!opts.int || Number.isInteger(x)) && (opts.min === undefined || x >= opts.min) && (opts.max === undefined || x <= opts.max);
  if (!ok) {
    const range = opts.min !== undefined && opts.max !== undefined ? ` between ${opts.min} and ${opts.max}` : opts.min !== undefined ? ` ≥ ${opts.min}` : "";
    throw new UsageError(`${name} must be ${opts.int ? "an integer" : "a number"}${range}, not "${String(v)}"`);
  }
  return x;
}

function fmtTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function fmtCost(c: number | null): string {
  if (c === null) return "cost unknown";
  return c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`;
}

function progressLine(p: Progress): string {
  const parts = [`${p.done}/${p.target} done`];
  if (p.streaming) parts.push(`${p.streaming} streaming`);
  if (p.retrying) parts.push(`${p.retrying} retrying`);
  if (p.failed) parts.push(`${p.failed} failed`);
  parts.push(`${fmtTokens(p.inputTokens)} in / ${fmtTokens(p.outputTokens)} out tokens`);
  parts.push(fmtCost(p.costUsd));
  if (p.ciWidth !== undefined) parts.push(`CI width ${p.ciWidth === null ? "—" : p.ciWidth.toFixed(3)}`);
  return parts.join(" · ");
}

/** Analysis of one run (its samples as one prompt). */
export function analyzeRun(run: ParsedRun, seed = 1): Analysis {
  const analyzer = new Analyzer({ seed, generator: { name: "hotmess", version: VERSION } });
  if (run.samples.length > 0) analyzer.add(runToPromptRecord(run));
  return analyzer.finish(run.warnings);
}

export async function runCommand(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const p = parseArgs(argv, VALUED, new Set());
  if (p.positional.length > 0) throw new UsageError(`unexpected argument "${p.positional[0]}" (the prompt goes in --prompt or --prompt-file)`);
  const f = p.flags;
  const str = (k: string) => {
    const v = f.get(k);
    return typeof v === "string" ? v : undefined;
  };

  // ---- everything is checked before any request is sent ----
  let prices: PriceTable = DEFAULT_PRICES;
  if (str("--prices")) {
    const file = str("--prices")!;
    try {
      prices = { ...DEFAULT_PRICES, ...parsePriceTable(JSON.parse(readFileSync(file, "utf8")), file) };
    } catch (e) {
      throw new FatalError(`cannot use the price table ${file}: ${(e as Error).message}`);
    }
  }
  const resumeFile = str("--resume");
  let resumed: { writer: RunWriter; run: ParsedRun } | null = null;
  let prompt: string;
  let system = str("--system");
  let providerName: string;
  let model: string;
  let baseURL = str("--base-url");
  let reference: string | number | undefined = str("--reference");
  let n: number;
  let maxTokens: number;
  let temperature = num(f, "--temperature", { min: 0, max: 2 });
  let thinking: ThinkingMode;
  let untilCi = num(f, "--until-ci", { min: 0.001, max: 1 });
  const concurrencyFlag = num(f, "--concurrency", { int: true, min: 1, max: 64 });
  const timeoutS = num(f, "--timeout", { min: 1 }) ?? 120;
  const retries = num(f, "--retries", { int: true, min: 0, max: 20 }) ?? 5;

  if (resumeFile) {
    for (const k of ["--prompt", "--prompt-file", "--system", "--provider", "--model", "--reference", "--thinking", "--thinking-budget", "--max-tokens", "--temperature"])
      if (f.has(k)) throw new UsageError(`--resume continues a run as it was recorded: ${k} cannot change it (start a new run instead)`);
    try {
      resumed = RunWriter.resume(resolve(resumeFile));
    } catch (e) {
      throw new FatalError(`cannot resume ${resumeFile}: ${(e as Error).message}`);
    }
    const h = resumed.run.header;
    prompt = h.prompt;
    system = h.system;
    providerName = h.provider;
    model = h.model;
    baseURL = baseURL ?? h.baseURL;
    reference = h.reference;
    n = num(f, "-n", { int: true, min: 1 }) ?? h.parameters.n;
    maxTokens = h.parameters.maxTokens;
    temperature = h.parameters.temperature;
    thinking = h.parameters.thinking.type === "budget" ? { type: "budget", budgetTokens: h.parameters.thinking.budgetTokens ?? 4096 } : h.parameters.thinking.type === "adaptive" ? { type: "adaptive" } : { type: "none" };
    untilCi = untilCi ?? h.parameters.untilCi;
  } else {
    if (str("--prompt") !== undefined && str("--prompt-file") !== undefined) throw new UsageError("give the prompt once: --prompt TEXT or --prompt-file FILE");
    if (str("--prompt-file") !== undefined) {
      try {
        prompt = readFileSync(str("--prompt-file")!, "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new FatalError(`cannot read the prompt file ${str("--prompt-file")}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
      }
    } else if (str("--prompt") !== undefined) prompt = str("--prompt")!;
    else throw new UsageError("run needs a prompt: --prompt TEXT or --prompt-file FILE");
    if (prompt.trim() === "") throw new FatalError("the prompt is empty");
    if (!f.has("-n")) throw new UsageError("run needs -n N, the number of reruns");
    n = num(f, "-n", { int: true, min: 1, max: 10000 })!;
    providerName = str("--provider") ?? (io.env.ANTHROPIC_API_KEY ? "anthropic" : io.env.OPENAI_API_KEY ? "openai" : "");
    if (providerName === "")
      throw new FatalError("no provider: set ANTHROPIC_API_KEY or OPENAI_API_KEY, or give --provider openai --base-url URL for a local OpenAI-compatible server");
    if (!(PROVIDERS as readonly string[]).includes(providerName)) throw new UsageError(`unknown provider "${providerName}": choose ${PROVIDERS.join(" or ")}`);
    model = str("--model") ?? DEFAULT_MODELS[providerName as ProviderName];
    maxTokens = num(f, "--max-tokens", { int: true, min: 1 }) ?? 8192;
    const budget = num(f, "--thinking-budget", { int: true, min: 1 });
    const mode = str("--thinking");
    if (mode !== undefined && !["adaptive", "off", "budget"].includes(mode)) throw new UsageError(`--thinking is adaptive, budget or off, not "${mode}"`);
    if (mode === "off") thinking = { type: "none" };
    else if (mode === "adaptive") thinking = { type: "adaptive" };
    else if (mode === "budget" || budget !== undefined) thinking = { type: "budget", budgetTokens: budget ?? 4096 };
    else thinking = providerName === "anthropic" ? defaultThinking(model) : { type: "none" };
  }
  if (untilCi !== undefined && reference === undefined) throw new UsageError("--until-ci needs --reference: incoherence (and its interval) needs a correct answer to split the error");
  if (typeof reference === "string" && /^-?\d+(\.\d+)?$/.test(reference.trim())) reference = Number(reference);

  const log = (line: string) => io.stderr.write(`hotmess: ${line}\n`);
  const setup = makeProvider(providerName, io.env, baseURL, log);
  const request: SampleRequest = { prompt, ...(system ? { system } : {}), model, maxTokens, ...(temperature !== undefined ? { temperature } : {}), thinking };
  const refused = setup.provider.check(request);
  if (refused) throw new FatalError(refused);
  const concurrency = concurrencyFlag ?? 4;
  const price = priceOf(model, prices);

  // ---- the run file ----
  const outDir = resolve(str("--out") ?? ".hotmess/runs");
  let writer: RunWriter;
  let existing: FinishedSample[] = [];
  if (resumed) {
    writer = resumed.writer;
    existing = resumed.run.samples.map(({ type: _t, ...s }) => s);
    if (existing.length >= n) {
      writer.close();
      io.stderr.write(`hotmess: ${resumeFile} already has ${existing.length} of ${n} samples; nothing to do\n`);
      return finish(resumed.run, io, str("--json"), 0);
    }
  } else {
    try {
      writer = RunWriter.create(outDir, {
        id: `${promptHash(prompt, system).slice(0, 8)}-${Date.now().toString(36)}`,
        createdAt: new Date().toISOString(),
        tool: { name: "hotmess", version: VERSION },
        provider: providerName,
        model,
        ...(safeBaseURL(baseURL) ? { baseURL: safeBaseURL(baseURL)! } : {}),
        prompt,
        ...(system ? { system } : {}),
        ...(reference !== undefined ? { reference } : {}),
        promptHash: promptHash(prompt, system),
        parameters: {
          n,
          maxTokens,
          ...(temperature !== undefined ? { temperature } : {}),
          thinking: thinking.type === "budget" ? { type: "budget", budgetTokens: thinking.budgetTokens } : { type: thinking.type },
          concurrency,
          idleTimeoutMs: timeoutS * 1000,
          ...(untilCi !== undefined ? { untilCi } : {}),
        },
      });
    } catch (e) {
      throw new FatalError(`cannot write the run file in ${outDir}: ${(e as Error).message}`);
    }
  }
  const thinkingLabel = thinking.type === "budget" ? `thinking budget ${thinking.budgetTokens}` : thinking.type === "adaptive" ? "adaptive thinking" : "no thinking";
  io.stderr.write(
    `hotmess: ${resumed ? `resuming ${existing.length} → ` : ""}${n} samples of ${model} (${setup.name}${baseURL ? ` at ${safeBaseURL(baseURL)}` : ""}, ${thinkingLabel}, ${concurrency} at once)${untilCi ? `, stopping once the interval is narrower than ${untilCi}` : ""}\n` +
      `hotmess: recording to ${writer.file}${price ? "" : ` (no price for ${model}: cost unknown; add it with --prices)`}\n`,
  );

  // ---- live progress ----
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  const draw = (p: Progress, force = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    io.stderr.write(`\r\x1b[K  ${progressLine(p)}`);
  };
  const say = (line: string) => io.stderr.write(`${tty ? "\r\x1b[K" : ""}  ${line}\n`);
  const onEvent = (e: RunEvent) => {
    if (e.type === "sample") {
      writer.sample(e.sample);
      if (!tty) say(`sample ${e.sample.index} done: ${(e.sample.latencyMs / 1000).toFixed(1)} s, ${e.sample.usage.outputTokens} tokens${e.sample.truncated ? ", truncated at max tokens" : ""}${e.sample.retries ? `, after ${e.sample.retries} retr${e.sample.retries === 1 ? "y" : "ies"}` : ""}`);
      else if (e.sample.truncated) say(`sample ${e.sample.index} was truncated at max tokens (${maxTokens})`);
    } else if (e.type === "failure") {
      writer.failure(e.failure);
      say(`sample ${e.failure.index} failed after ${e.failure.attempts} attempts: ${e.failure.message}`);
    } else if (e.type === "retry") say(`retrying sample ${e.index} (attempt ${e.attempt + 1}) in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
    else if (e.type === "wave") say(`${e.samples} samples: incoherence interval width ${e.ciWidth === null ? "—" : e.ciWidth.toFixed(3)}`);
    else if (e.type === "progress") draw(e.progress, e.progress.done + e.progress.failed >= e.progress.target);
  };

  const result = await runSamples({
    provider: setup.provider,
    request,
    n,
    concurrency,
    idleTimeoutMs: timeoutS * 1000,
    maxRetries: retries,
    price,
    ...(untilCi !== undefined && reference !== undefined ? { untilCi: { width: untilCi, reference } } : {}),
    existing,
    ...(signal ? { signal } : {}),
    onEvent,
  });
  writer.end(result.status, result.message, result.stoppedEarly);
  writer.close();
  if (tty) io.stderr.write("\r\x1b[K");
  io.stderr.write(`hotmess: ${progressLine(result.progress)}\n`);
  if (result.stoppedEarly) io.stderr.write(`hotmess: stopped after ${result.samples.length} samples: the interval is narrower than ${untilCi}\n`);
  if (result.status === "failed") io.stderr.write(`hotmess: the run failed: ${result.message}\n`);
  if (result.status === "cancelled") io.stderr.write(`hotmess: ${result.message}; continue with: hotmess run --resume ${writer.file}\n`);
  io.stderr.write(`hotmess: the run is in ${writer.file}\n`);

  const run: ParsedRun = {
    header: resumed ? resumed.run.header : (JSON.parse(readFileSync(writer.file, "utf8").split("\n")[0]!) as ParsedRun["header"]),
    samples: result.samples.map((s) => ({ type: "sample", ...s })),
    failures: result.failures.map((x) => ({ type: "failure", ...x })),
    end: null,
    warnings: [],
    goodLength: 0,
    missingNewline: false,
  };
  const code = result.status === "failed" ? 1 : result.status === "cancelled" ? 130 : result.failures.length > 0 ? 2 : 0;
  return finish(run, io, str("--json"), code);
}

function finish(run: ParsedRun, io: Io, json: string | undefined, code: number): number {
  if (run.samples.length === 0) {
    io.stderr.write("hotmess: no sample finished, so there is nothing to analyse\n");
    return code === 0 ? 1 : code;
  }
  const analysis = analyzeRun(run);
  if (json === "-") io.stdout.write(JSON.stringify(analysis) + "\n");
  else {
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderTable(analysis, color ? ANSI_STYLE : NO_STYLE).join("\n") + "\n");
    if (json) {
      writeFileAtomic(json, JSON.stringify(analysis) + "\n");
      io.stderr.write(`hotmess: wrote ${json} (hotmess.analysis/1)\n`);
    }
  }
  return code;
}
