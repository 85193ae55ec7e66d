// `hotmess run`: rerun a prompt N times against a model, keep every sample in a run file, show
// live progress, then the analysis table.
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { analyzeRuns as analyzeRunFiles, describeRunFailure, type Analysis, type ParsedRun } from "../core";
import { checkConversation, conversationAtStep, conversationLabel, parseConversation, type Conversation } from "../core/conversation";
import { addConversation, callLabel, emptyReplayTable, replayStats, replayTableOf, rolloutSummary, type ReplayTable } from "../core/replay";
import { isRunFile, parseRunFile, type RolloutStop, type RunHeader } from "../core/runfile";
import { findTraceRecord, parseTraceLine, traceSetCalls } from "../core/traceset";
import type { PromptRecord } from "../core/types";
import { AnthropicProvider, defaultThinking } from "../sampling/anthropic";
import type { Progress, RunEvent } from "../sampling/engine";
import { recordRun, requestFromHeader, type RecordPlan } from "../sampling/record";
import { DEFAULT_MODELS } from "../sampling/defaults";
import { OpenAIProvider } from "../sampling/openai";
import { DEFAULT_KNOBS, SimulatedProvider, type SimulatorKnobs } from "../sampling/simulated";
import { DEFAULT_PRICES, fmtTokens, fmtUsd, parsePriceTable, priceOf, type PriceTable } from "../sampling/prices";
import { RunWriter, safeBaseURL } from "../sampling/store";
import { DEFAULT_TOOL_TIMEOUT_MS, splitCommand } from "../sampling/toolcommand";
import type { Provider, Rollout, SampleRequest, ThinkingMode } from "../sampling/types";
import { answerSpecFlags, PROVIDERS, RUN_DEFAULTS } from "./commands";
import { FatalError, num, UsageError, VERSION, type Io, type Parsed } from "./common";
import { analysisOutputs, liveLine, planOutputs, redactorOf, writeAnalysisOutputs, type AnalysisOutputs, type LiveLine } from "./io";
import { printTable } from "./table";

export type ProviderName = (typeof PROVIDERS)[number];

export { DEFAULT_MODELS };

/** The simulated reasoner's knobs, from their flags (`--sim-…`, commands.ts SIM_OPTIONS). */
export function simKnobs(flags: Map<string, string | true>): Partial<SimulatorKnobs> {
  const k: Partial<SimulatorKnobs> = {};
  const get = (name: string) => num(flags, name);
  const slipP = get("--sim-slip");
  const slipSize = get("--sim-slip-size");
  const kind = flags.get("--sim-slip-kind");
  if (kind !== undefined && kind !== "rate" && kind !== "drop-b") throw new UsageError(`--sim-slip-kind is rate or drop-b, not "${String(kind)}"`);
  if (slipP !== undefined || slipSize !== undefined || kind !== undefined)
    k.slip = { ...DEFAULT_KNOBS.slip, ...(slipP !== undefined ? { probability: slipP } : {}), ...(slipSize !== undefined ? { size: slipSize } : {}), ...(kind ? { kind } : {}) };
  const noiseP = get("--sim-noise");
  const sigma = get("--sim-sigma");
  if (noiseP !== undefined || sigma !== undefined) k.noise = { ...DEFAULT_KNOBS.noise, ...(noiseP !== undefined ? { probability: noiseP } : {}), ...(sigma !== undefined ? { sigma } : {}) };
  const base = get("--sim-distraction");
  const growth = get("--sim-growth");
  if (base !== undefined || growth !== undefined) k.distraction = { ...DEFAULT_KNOBS.distraction, ...(base !== undefined ? { base } : {}), ...(growth !== undefined ? { growth } : {}) };
  const spread = get("--sim-spread");
  if (spread !== undefined) k.spread = spread;
  const speed = get("--sim-speed");
  if (speed !== undefined) k.tokensPerSecond = speed;
  const seed = get("--sim-seed");
  if (seed !== undefined) k.seed = seed;
  return k;
}

/** The provider to use when none is named: the one whose key is set, else the simulated reasoner. */
export function defaultProvider(env: NodeJS.ProcessEnv): ProviderName {
  return env.ANTHROPIC_API_KEY ? "anthropic" : env.OPENAI_API_KEY ? "openai" : "simulated";
}

/** The thinking `--thinking MODE` and `--thinking-budget T` ask for, else the provider's default for the model. */
export function thinkingFlags(f: Parsed["flags"], provider: string, model: string): ThinkingMode {
  const budget = num(f, "--thinking-budget");
  const mode = f.get("--thinking");
  if (mode !== undefined && (typeof mode !== "string" || !["adaptive", "off", "budget"].includes(mode))) throw new UsageError(`--thinking is adaptive, budget or off, not "${String(mode)}"`);
  if (mode === "off") return { type: "none" };
  if (mode === "adaptive") return { type: "adaptive" };
  if (mode === "budget" || budget !== undefined) return { type: "budget", budgetTokens: budget ?? RUN_DEFAULTS.thinkingBudget };
  return defaultThinkingFor(provider, model);
}

/** The thinking a request gets when none is asked for: Claude's default for the model (adaptive where it has it, else a budget); none elsewhere. */
export function defaultThinkingFor(provider: string, model: string): ThinkingMode {
  return provider === "anthropic" ? defaultThinking(model) : { type: "none" };
}

export interface ProviderSetup {
  provider: Provider;
  name: ProviderName;
  baseURL?: string;
}

/**
 * The provider for a name, with its key from the environment; a clear error when it cannot be had.
 * Its log lines (the SDKs' warnings, each once) are printed above the live progress line.
 */
export function makeProvider(name: string, env: NodeJS.ProcessEnv, baseURL: string | undefined, live: LiveLine, knobs: Partial<SimulatorKnobs> = {}): ProviderSetup {
  if (name === "simulated") return { provider: new SimulatedProvider(knobs), name };
  const log = (line: string) => live.print(`hotmess: ${line}`);
  if (name === "anthropic") {
    const key = env.ANTHROPIC_API_KEY;
    if (!key) throw new FatalError("ANTHROPIC_API_KEY is not set: export your Anthropic API key (https://console.anthropic.com/settings/keys) or choose another --provider");
    return { provider: new AnthropicProvider({ apiKey: key, ...(baseURL ? { baseURL } : {}), log }), name, ...(baseURL ? { baseURL } : {}) };
  }
  if (name === "openai") {
    const key = env.OPENAI_API_KEY;
    // local OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) need no key
    if (!key && !baseURL) throw new FatalError("OPENAI_API_KEY is not set: export your OpenAI key, or give --base-url for a local OpenAI-compatible server (Ollama: http://localhost:11434/v1)");
    return { provider: new OpenAIProvider({ ...(key ? { apiKey: key } : {}), ...(baseURL ? { baseURL } : {}), log }), name, ...(baseURL ? { baseURL } : {}) };
  }
  throw new UsageError(`unknown provider "${name}": choose ${PROVIDERS.join(", ")}`);
}

/** The built-in prices, with a user's table (`--prices FILE`) over them; a clear error when the file cannot be used. */
export function readPriceTable(file: string | undefined): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  try {
    return { ...DEFAULT_PRICES, ...parsePriceTable(JSON.parse(readFileSync(file, "utf8")), file) };
  } catch (e) {
    throw new FatalError(`cannot use the price table ${file}: ${(e as Error).message}`);
  }
}

export function fmtCost(c: number | null): string {
  return c === null ? "cost unknown" : fmtUsd(c);
}

/** After a wave of --until-ci W: the interval's width, and the next wave's size with why (the projection). */
export function waveLine(e: Extract<RunEvent, { type: "wave" }>, w: number): string {
  const width = `${e.samples} samples: incoherence interval width ${e.ciWidth === null ? "—" : e.ciWidth.toFixed(3)}`;
  if (e.ciWidth !== null && e.ciWidth < w) return `${width}, under ${w}`;
  if (e.more === null) return `${width}; narrowing it under ${w} is out of reach of the projection (over 10,000 more reruns): going on to n`;
  return `${width}; ≈ ${e.more.toLocaleString("en-US")} more rerun${e.more === 1 ? "" : "s"} projected to get it under ${w}`;
}

function progressLine(p: Progress): string {
  const parts = [`${p.done}/${p.target} done`];
  if (p.streaming) parts.push(`${p.streaming} streaming`);
  if (p.retrying) parts.push(`${p.retrying} retrying`);
  if (p.failed) parts.push(`${p.failed} failed`);
  const cached = p.cacheReadTokens ? ` (${fmtTokens(p.cacheReadTokens)} from the cache)` : "";
  parts.push(`${fmtTokens(p.inputTokens)} in${cached} / ${fmtTokens(p.outputTokens)} out tokens`);
  parts.push(fmtCost(p.costUsd));
  // a long prefix is paid again at each rerun: what one costs, once several have finished
  if (p.done > 1 && p.costUsd !== null && p.cacheReadTokens !== undefined) parts.push(`${fmtCost(p.costUsd / p.done)} a rerun`);
  if (p.ciWidth !== undefined) parts.push(`CI width ${p.ciWidth === null ? "—" : p.ciWidth.toFixed(3)}`);
  return parts.join(" · ");
}

/** Analysis of runs (each run's samples as one prompt, with its recorded seed), as every face makes it. */
export function analyzeRuns(runs: ParsedRun[]): Analysis {
  return analyzeRunFiles(runs, { generator: { name: "hotmess", version: VERSION } });
}

export async function runCommand(p: Parsed, io: Io, signal?: AbortSignal): Promise<number> {
  const resuming = p.flags.get("--resume");
  if (p.flags.has("--prompts") || (typeof resuming === "string" && (await import("./sweep")).isSweepPath(resuming))) return (await import("./sweep")).sweepCommand(p, io, signal);
  for (const k of ["--batch", "--yes", "--no-wait", "--resubmit", "--cancel", "--poll"]) if (p.flags.has(k)) throw new UsageError(`${k} goes with a sweep: --prompts FILE (or --resume SWEEPFILE)`);
  const { plan, out } = planRun(p, io);
  const { run, code } = await executeRun(plan, io, signal);
  return finish([run], io, out, code);
}

/**
 * A conversation prefix from a JSON file, in either provider's format, checked as the APIs would
 * check it: a clear error (naming the file and the place in it) before any request.
 */
export function readConversation(file: string): Conversation {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(`cannot read the conversation ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  const parsed = parseConversation(json, file);
  if ("error" in parsed) throw new FatalError(`the conversation ${file} cannot be used: ${parsed.error}`);
  const refused = checkConversation(parsed.conversation);
  if (refused) throw new FatalError(`the conversation ${file} would be refused by the API: ${refused}`);
  return parsed.conversation;
}

/**
 * The prefix of a recorded run of a trace set (an imported agent's): the run `run` of prompt
 * `task`, up to just before its `action`-th tool call (from 1), its tools inferred from the calls
 * when the trace set declares none — what the view's "Rerun from here" sends.
 */
export function conversationAt(file: string, task: string | undefined, run: number | undefined, action: number | undefined): Conversation {
  if (task === undefined || run === undefined || action === undefined) throw new UsageError("rerunning from a point of a trace set needs --task ID, --run R and --before-action K");
  const text = readTraceText(file, "the trace set");
  const rec = findTraceRecord(text, task, file);
  if ("error" in rec) throw new FatalError(rec.error);
  const sample = rec.samples.find((s, i) => (s.index ?? i) === run);
  if (!sample) throw new FatalError(`prompt "${task}" of ${file} has no run ${run} (it has ${rec.samples.length})`);
  if (!sample.steps) throw new FatalError(`run ${run} of "${task}" is not a trajectory (it has no steps): rerun it as a prompt instead`);
  let calls = 0;
  const at = sample.steps.findIndex((st) => st.kind === "tool_call" && ++calls === action);
  if (at < 0) throw new FatalError(`run ${run} of "${task}" made ${calls} tool call${calls === 1 ? "" : "s"}: there is no action ${action} to rerun from`);
  // the system prompt the run had (an importer keeps the agent's policy as the prompt's
  // `system`), the tools inferred from every call of the trace set (the agent's, not this run's only)
  const c = conversationAtStep(sample.steps, at, { ...(rec.system ? { system: rec.system } : {}), ...(rec.prompt ? { prompt: rec.prompt } : {}), calls: traceSetCalls(text) });
  if ("error" in c) throw new FatalError(`cannot rerun run ${run} of "${task}" from action ${action}: ${c.error}`);
  return c;
}

function readTraceText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(`cannot read ${what} ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}

/**
 * A rollout's replay table (src/core/replay.ts): the prefix's own results first, then those
 * recorded in `file` — a trace set (every run of every prompt, or of `task` only) or a run file
 * (its samples' steps, after its own prefix's results) — in file order; the first recorded of a
 * call's results is the one replayed.
 */
export function readReplay(file: string | undefined, prefix: Conversation, task?: string): ReplayTable {
  if (file === undefined) {
    const t = emptyReplayTable();
    addConversation(t, prefix, "the prefix");
    return t;
  }
  const text = readTraceText(file, "the replay file");
  const table = emptyReplayTable(basename(file));
  if (task !== undefined) table.task = task;
  addConversation(table, prefix, "the prefix");
  const nl = text.indexOf("\n");
  const first = nl < 0 ? text : text.slice(0, nl);
  if (isRunFile(first)) {
    let run;
    try {
      run = parseRunFile(text);
    } catch (e) {
      throw new FatalError(`cannot read the replay file ${file}: ${(e as Error).message}`);
    }
    if (run.header.conversation) addConversation(table, run.header.conversation, `${basename(file)}'s prefix`);
    return replayTableOf([{ id: basename(file), samples: run.samples.filter((x) => x.steps).map((x) => ({ steps: x.steps!, index: x.index })) }], { into: table });
  }
  const seen = new Map<string, number>();
  const records: PromptRecord[] = [];
  text.split("\n").forEach((line, i) => {
    const parsed = parseTraceLine(line, i + 1, seen);
    if (parsed && "record" in parsed) records.push(parsed.record);
  });
  if (records.length === 0) throw new FatalError(`the replay file ${file} has no trace-set record (nor is it a run file): give a trace set of trajectories (hotmess import writes one) or a run file`);
  if (task !== undefined && !records.some((r) => r.id === task)) throw new FatalError(`the replay file ${file} has no prompt "${task}"`);
  return replayTableOf(records, { into: table, ...(task !== undefined ? { task } : {}) });
}

/** What a rollout will do, for the run's opening lines. */
function rolloutPlanLine(r: Rollout): string {
  const sources: string[] = [];
  const st = r.replay ? replayStats(r.replay) : null;
  if (r.replay && st && (st.calls > 0 || r.replay.source !== undefined)) {
    const where = r.replay.source ? `recorded in ${r.replay.source}${r.replay.task ? ` (the runs of ${r.replay.task})` : ""}` : "recorded in the prefix";
    sources.push(`${where}: ${st.answered} of ${st.calls} call${st.calls === 1 ? "" : "s"} with a result, ${st.keys} distinct${st.ambiguous ? `, ${st.ambiguous} answered differently in different places (the first recorded is given)` : ""}`);
  }
  if (r.command) sources.push(`${sources.length ? "else " : ""}from ${r.command[0]} (run without a shell, killed after ${(r.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS) / 1000} s; its output is untrusted text)`);
  if (sources.length === 0) return `rollouts of up to ${r.steps} action${r.steps === 1 ? "" : "s"}; no tool results recorded and no --tool-command: every rerun stops at its first call`;
  return `rollouts of up to ${r.steps} action${r.steps === 1 ? "" : "s"}; tool results ${sources.join("; ")}${r.command ? "" : "; a call with none stops its rerun"}`;
}

/** Why a rollout's sample ended, in a few words. */
function stopWords(s: RolloutStop): string {
  switch (s.reason) {
    case "answered":
      return "answered";
    case "steps":
      return "reached --steps";
    case "no-result":
      return `no recorded result for ${callLabel(s.call ?? "")}`;
    case "truncated":
      return "cut at max tokens";
    case "error":
      return `the tool command could not run: ${s.message ?? ""}`;
  }
}


/** Where `hotmess run` writes the analysis (--json, --html). */
type RunOutputs = AnalysisOutputs;

/**
 * `hotmess run`'s arguments made into a plan. Everything is checked here, before any request is
 * sent or any file written: the outputs first (never an input, and writable), then the prompt,
 * the provider and its key, and the request against the model's rules.
 */
export function planRun(p: Parsed, io: Io): { plan: RunPlan; out: RunOutputs } {
  const f = p.flags;
  const str = (k: string) => {
    const v = f.get(k);
    return typeof v === "string" ? v : undefined;
  };

  const out: RunOutputs = { json: str("--json"), html: str("--html") };
  const outDir = str("--out") ?? RUN_DEFAULTS.out;
  planOutputs(analysisOutputs(out), {
    inputs: [
      { path: str("--prompt-file"), what: "the prompt file" },
      { path: str("--conversation"), what: "the conversation" },
      { path: str("--replay"), what: "the replay file" },
      { path: str("--prices"), what: "the price table" },
      { path: str("--resume"), what: "the run file" },
    ],
    // a resumed run appends to its own file; a new one needs its folder
    dirs: str("--resume") ? [] : [outDir],
  });

  const prices = readPriceTable(str("--prices"));
  const resumeFile = str("--resume");
  let resumed: { writer: RunWriter; run: ParsedRun } | null = null;
  let prompt: string;
  let system = str("--system");
  let providerName: string;
  let model: string;
  let baseURL = str("--base-url");
  let reference: string | number | undefined = str("--reference");
  let conversation: Conversation | undefined;
  // a rerun from a point of a trace set: the file and the task (its runs are the default replay table)
  let pointOf: { file: string; task: string } | undefined;
  let expectedAction: string | undefined;
  let runId: string | undefined;
  let n: number;
  let maxTokens: number;
  let temperature = num(f, "--temperature");
  let thinking: ThinkingMode;
  let untilCi = num(f, "--until-ci");
  const concurrencyFlag = num(f, "--concurrency");
  const timeoutS = num(f, "--timeout") ?? RUN_DEFAULTS.timeoutS;
  const retries = num(f, "--retries") ?? RUN_DEFAULTS.retries;
  const maxRetryWaitS = num(f, "--max-retry-wait") ?? RUN_DEFAULTS.maxRetryWaitS;
  // the seed of the intervals is recorded in a new run's header; a resumed run keeps its own
  const seed = num(f, "--seed");
  const nFlag = num(f, "-n");

  if (resumeFile) {
    for (const k of ["--prompt", "--prompt-file", "--conversation", "--system", "--provider", "--model", "--reference", "--answer", "--compare", "--thinking", "--thinking-budget", "--max-tokens", "--temperature"])
      if (f.has(k)) throw new UsageError(`--resume continues a run as it was recorded: ${k} cannot change it (start a new run instead)`);
    if (f.has("--seed")) throw new UsageError("--resume continues a run as it was recorded: --seed cannot change it; start a new run, or read this one with another seed: hotmess analyze FILE --seed N");
    try {
      resumed = RunWriter.resume(resolve(resumeFile));
    } catch (e) {
      throw new FatalError(`cannot resume ${resumeFile}: ${(e as Error).message}`);
    }
    const h = resumed.run.header;
    ({ prompt, system, model, maxTokens, temperature, thinking, conversation } = requestFromHeader(h));
    providerName = h.provider;
    baseURL = baseURL ?? h.baseURL;
    reference = h.reference;
    expectedAction = h.expectedAction;
    n = nFlag ?? h.parameters.n;
    untilCi = untilCi ?? h.parameters.untilCi;
  } else {
    if ([str("--prompt"), str("--prompt-file"), str("--conversation")].filter((x) => x !== undefined).length > 1)
      throw new UsageError("give the prompt once: --prompt TEXT, --prompt-file FILE or --conversation FILE");
    if (str("--conversation") !== undefined) {
      const file = str("--conversation")!;
      const point = str("--task") !== undefined || f.has("--run") || f.has("--before-action");
      conversation = point ? conversationAt(file, str("--task"), num(f, "--run"), num(f, "--before-action")) : readConversation(file);
      // a prefix file carries its own system prompt; a recorded run's is its prompt's `system`
      // (importers keep a log's system message there), and --system replaces it (a changed policy)
      if (str("--system") !== undefined) {
        if (!point) throw new UsageError("--system goes in the conversation's own \"system\" with --conversation FILE");
        conversation = { ...conversation, system: str("--system")! };
      }
      system = conversation.system;
      // a rerun from a point of a recorded run is named by it: task-2 · run 0 · before action 2
      if (point) runId = `${str("--task")}-run${num(f, "--run")}-before-action${num(f, "--before-action")}-${Date.now().toString(36)}`;
      if (point) pointOf = { file, task: str("--task")! };
      prompt = conversationLabel(point ? `run ${num(f, "--run")} of ${str("--task")} in ${basename(file)}, before its action ${num(f, "--before-action")}` : basename(file), conversation);
      // the reference of a next action is the expected action: a tool's name or a full key
      if (reference !== undefined) {
        expectedAction = reference;
        reference = undefined;
      }
    } else if (str("--prompt-file") !== undefined) {
      try {
        prompt = readFileSync(str("--prompt-file")!, "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new FatalError(`cannot read the prompt file ${str("--prompt-file")}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
      }
    } else if (str("--prompt") !== undefined) prompt = str("--prompt")!;
    else throw new UsageError("run needs a prompt: --prompt TEXT, --prompt-file FILE or --conversation FILE");
    if (prompt.trim() === "") throw new FatalError("the prompt is empty");
    if (nFlag === undefined) throw new UsageError("run needs -n N, the number of reruns");
    n = nFlag;
    providerName = str("--provider") ?? defaultProvider(io.env);
    if (!(PROVIDERS as readonly string[]).includes(providerName)) throw new UsageError(`unknown provider "${providerName}": choose ${PROVIDERS.join(", ")}`);
    model = str("--model") ?? DEFAULT_MODELS[providerName]!;
    maxTokens = num(f, "--max-tokens") ?? RUN_DEFAULTS.maxTokens;
    thinking = thinkingFlags(f, providerName, model);
  }
  if (untilCi !== undefined && conversation) throw new UsageError("--until-ci is not available with --conversation yet: give -n");
  const rollout = planRollout(f, conversation, pointOf, resumed?.run.header.rollout);
  if (untilCi !== undefined && reference === undefined) throw new UsageError("--until-ci needs --reference: incoherence (and its interval) needs a correct answer to split the error");
  if (typeof reference === "string" && /^-?\d+(\.\d+)?$/.test(reference.trim())) reference = Number(reference);
  // how answers are extracted and compared: recorded in the header (a resumed run keeps its own)
  const answerSpec = answerSpecFlags(f);
  if (answerSpec && conversation) throw new UsageError("--answer and --compare are for replies: with --conversation the runs are classed by their next action");
  // the adaptive stop (src/sampling/engine.ts ciProgress) classes answers the default way: it would stop on other classes than the run's
  if (answerSpec && untilCi !== undefined) throw new UsageError("--until-ci does not use --answer / --compare yet: give -n (and read the run with them)");

  const live = liveLine(io);
  const setup = makeProvider(providerName, io.env, baseURL, live, simKnobs(f));
  const request: SampleRequest = { prompt, ...(system ? { system } : {}), model, maxTokens, ...(temperature !== undefined ? { temperature } : {}), thinking, ...(conversation ? { conversation } : {}), ...(rollout ? { rollout } : {}) };
  const refused = setup.provider.check(request);
  if (refused) throw new FatalError(refused);
  const benchmark = resumed?.run.header.benchmark;
  const plan: RunPlan = {
    setup,
    live,
    request,
    n,
    concurrency: concurrencyFlag ?? resumed?.run.header.parameters.concurrency ?? RUN_DEFAULTS.concurrency,
    idleTimeoutMs: timeoutS * 1000,
    retries,
    maxRetryWaitMs: maxRetryWaitS * 1000,
    prices,
    ...(untilCi !== undefined ? { untilCi } : {}),
    ...(reference !== undefined ? { reference } : {}),
    ...(answerSpec ? { answerSpec } : {}),
    ...(expectedAction !== undefined ? { expectedAction } : {}),
    ...(runId ? { id: runId } : {}),
    ...(benchmark ? { benchmark } : {}),
    outDir: resolve(outDir),
    ...(resumed ? { resumed } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
  return { plan, out };
}

/**
 * A rollout from `--steps K`, `--replay FILE`, `--tool-command CMD` and `--tool-timeout S` (or, for
 * a resumed run, from its header and the replay file and command given again): undefined without
 * one. The replay table defaults to the trace set's runs of the task a rerun from a point came
 * from; the prefix's own results come first in it. The command is split into words here, without
 * a shell.
 */
function planRollout(f: Parsed["flags"], conversation: Conversation | undefined, pointOf: { file: string; task: string } | undefined, recorded: RunHeader["rollout"] | undefined): Rollout | undefined {
  const str = (k: string) => {
    const v = f.get(k);
    return typeof v === "string" ? v : undefined;
  };
  const replayFile = str("--replay");
  const line = str("--tool-command");
  const timeoutS = num(f, "--tool-timeout");
  let steps = num(f, "--steps");
  let task = pointOf?.task;
  let timeoutMs = timeoutS !== undefined ? Math.round(timeoutS * 1000) : undefined;
  if (recorded) {
    // a resumed rollout: its steps as recorded, its replay file and command given again
    if (f.has("--steps")) throw new UsageError("--resume continues a run as it was recorded: --steps cannot change it (start a new run instead)");
    if (recorded.replay !== undefined && replayFile === undefined)
      throw new UsageError(`this run is a rollout whose tool results came from ${recorded.replay}: give that file again with --replay (the run file keeps only its name)`);
    if (recorded.command !== undefined && line === undefined) throw new UsageError(`this run is a rollout whose tool command was ${recorded.command}: give it again with --tool-command (the run file keeps only the program's name)`);
    steps = recorded.steps;
    task = recorded.replayTask;
    timeoutMs ??= recorded.timeoutMs;
  } else if (steps === undefined) {
    for (const k of ["--replay", "--tool-command", "--tool-timeout"]) if (f.has(k)) throw new UsageError(`${k} goes with a rollout: give --steps K`);
    return undefined;
  }
  if (steps === undefined) return undefined;
  if (!conversation) throw new UsageError("--steps continues an agent's conversation: give it with --conversation FILE (or a trace set with --task, --run and --before-action)");
  let command: string[] | undefined;
  if (line !== undefined) {
    try {
      command = splitCommand(line);
    } catch (e) {
      throw new UsageError(`--tool-command: ${(e as Error).message}`);
    }
  }
  // an explicit --replay FILE is read whole; the default, a point's own trace set, for its task only
  const replay = readReplay(replayFile ?? pointOf?.file, conversation, replayFile !== undefined && !recorded ? undefined : task);
  return { steps, replay, ...(command ? { command } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** A recorded run as the CLI starts it: the provider as set up from flags, and how loud to be. */
export type RunPlan = Omit<RecordPlan, "provider" | "providerName" | "baseURL" | "tool"> & {
  setup: ProviderSetup;
  /** Standard error's live line: the progress, with the run's messages and the provider's log above it (the one makeProvider was given). */
  live: LiveLine;
  /** Print one line a sample on a terminal too (off: a redrawn progress line). */
  quiet?: boolean;
};

/**
 * Runs a plan: creates (or continues) its run file, samples with live progress on stderr,
 * records every sample as it finishes, ends the file, and returns the run as recorded.
 */
export async function executeRun(plan: RunPlan, io: Io, signal?: AbortSignal): Promise<{ run: ParsedRun; code: number; file: string }> {
  const { setup, live, request, n } = plan;
  const { model, thinking, maxTokens } = request;
  const price = priceOf(model, plan.prices);
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  const draw = (p: Progress, force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    live.setLive(progressLine(p));
  };
  const say = (line: string) => live.print(`  ${line}`);
  const onStart = (file: string, existing: number) => {
    const thinkingLabel = thinking.type === "budget" ? `thinking budget ${thinking.budgetTokens}` : thinking.type === "adaptive" ? "adaptive thinking" : "no thinking";
    const where = setup.baseURL ? ` at ${safeBaseURL(setup.baseURL)}` : "";
    io.stderr.write(
      `hotmess: ${plan.resumed ? `resuming ${existing} → ` : ""}${n} samples of ${model} (${setup.name}${where}, ${setup.name === "simulated" ? "offline: no model is called" : thinkingLabel}, ${plan.concurrency} at once)${plan.untilCi ? `, stopping once the interval is narrower than ${plan.untilCi}` : ""}\n` +
        `hotmess: recording to ${file}${price || setup.name === "simulated" ? "" : ` (no price for ${model}: cost unknown; add it with --prices)`}\n` +
        (request.rollout ? `hotmess: ${rolloutPlanLine(request.rollout)}\n` : ""),
    );
  };
  const onEvent = (e: RunEvent) => {
    if (e.type === "sample") {
      const stop = e.sample.rolloutStop;
      const rolled = stop ? `, ${stop.turns} turn${stop.turns === 1 ? "" : "s"} and ${stop.actions} action${stop.actions === 1 ? "" : "s"} (${stopWords(stop)})` : "";
      if (!tty && !plan.quiet)
        say(`sample ${e.sample.index} done: ${(e.sample.latencyMs / 1000).toFixed(1)} s, ${e.sample.usage.outputTokens} tokens${rolled}${e.sample.truncated ? ", truncated at max tokens" : ""}${e.sample.retries ? `, after ${e.sample.retries} retr${e.sample.retries === 1 ? "y" : "ies"}` : ""}`);
      else if (e.sample.truncated) say(`sample ${e.sample.index} was truncated at max tokens (${maxTokens})`);
    } else if (e.type === "failure" && e.failure.retryable !== false) say(`sample ${e.failure.index} failed after ${e.failure.attempts} attempt${e.failure.attempts === 1 ? "" : "s"}: ${e.failure.message}`);
    else if (e.type === "retry") say(`retrying sample ${e.index} (attempt ${e.attempt + 1}) in ${(e.waitMs / 1000).toFixed(1)} s: ${e.reason}`);
    else if (e.type === "wave") say(waveLine(e, plan.untilCi!));
    else if (e.type === "progress") draw(e.progress, e.progress.done + e.progress.failed >= e.progress.target);
  };
  let recorded;
  try {
    recorded = await recordRun(
      {
        provider: setup.provider,
        providerName: setup.name,
        ...(setup.baseURL ? { baseURL: setup.baseURL } : {}),
        request,
        n,
        concurrency: plan.concurrency,
        idleTimeoutMs: plan.idleTimeoutMs,
        retries: plan.retries,
        ...(plan.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: plan.maxRetryWaitMs } : {}),
        secrets: [...redactorOf(io).secrets, ...(plan.secrets ?? [])],
        prices: plan.prices,
        ...(plan.untilCi !== undefined ? { untilCi: plan.untilCi } : {}),
        ...(plan.reference !== undefined ? { reference: plan.reference } : {}),
        ...(plan.answerSpec ? { answerSpec: plan.answerSpec } : {}),
        ...(plan.expectedAction !== undefined ? { expectedAction: plan.expectedAction } : {}),
        ...(plan.benchmark ? { benchmark: plan.benchmark } : {}),
        ...(plan.id ? { id: plan.id } : {}),
        ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
        outDir: plan.outDir,
        ...(plan.resumed ? { resumed: plan.resumed } : {}),
        tool: { name: "hotmess", version: VERSION },
      },
      { onStart, onEvent, ...(signal ? { signal } : {}) },
    );
  } catch (e) {
    live.clear();
    throw new FatalError(`cannot write the run file in ${plan.outDir}: ${(e as Error).message}`);
  }
  const { run, result, file } = recorded;
  if (!result) {
    io.stderr.write(`hotmess: ${file} already has ${run.samples.length} of ${n} samples; nothing to do\n`);
    return { run, code: 0, file };
  }
  live.clear();
  io.stderr.write(`hotmess: ${progressLine(result.progress)}\n`);
  const rolled = run.header.rollout ? rolloutSummary(run.samples, run.header.rollout.steps) : null;
  if (rolled) io.stderr.write(`hotmess: ${rolled}\n`);
  if (result.stoppedEarly) io.stderr.write(`hotmess: stopped after ${result.samples.length} samples: the interval is narrower than ${plan.untilCi}\n`);
  // a failed or partial run says why, once (a fatal error is not also printed as a sample's failure)
  const why = result.status === "cancelled" ? null : describeRunFailure(run, file);
  if (why) io.stderr.write(`hotmess: ${why}\n`);
  if (result.status === "cancelled") io.stderr.write(`hotmess: ${result.message}; continue with: hotmess run --resume ${file}\n`);
  if (!plan.quiet) io.stderr.write(`hotmess: the run is in ${file}\n`);
  const code = { complete: 0, partial: 2, failed: 1, cancelled: 130 }[result.status];
  return { run, code, file };
}

/** Prints the analysis of the runs (and writes --json / --html); returns the exit status. */
export function finish(runs: ParsedRun[], io: Io, out: RunOutputs, code: number): number {
  const withSamples = runs.filter((r) => r.samples.length > 0);
  if (withSamples.length === 0) {
    // a failed run has said why already
    if (code === 0) io.stderr.write("hotmess: no sample finished, so there is nothing to analyse\n");
    return code === 0 ? 1 : code;
  }
  writeAnalysisOutputs(analyzeRuns(withSamples), out, io, (a) => printTable(a, io));
  return code;
}
