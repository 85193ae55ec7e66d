// `hotmess run --prompts FILE -n N [--batch]`: a sweep, every prompt of a file N times, in one
// sweep file; and `hotmess run --resume SWEEPFILE`, which polls and collects a batch sweep's
// results (never submitting the same requests again), continues a live one, and with --resubmit
// sends the failed requests again as a new batch.
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
export { isSweepPath } from "../sampling/store";
import { dirname, resolve } from "node:path";
import { failureReasons, sweepProgress, type ParsedSweep, type SweepHeader } from "../core/sweepfile";
import { AnthropicBatchClient } from "../sampling/batch-anthropic";
import { OpenAIBatchClient } from "../sampling/batch-openai";
import type { BatchClient, BatchStatus } from "../sampling/batch";
import { DEFAULT_MODELS } from "../sampling/defaults";
import { fmtCount, fmtTokens } from "../sampling/prices";
import { safeBaseURL } from "../sampling/store";
import { endSweep, estimateSweep, failedRequests, pollSweep, readPrompts, recordedBatchIds, recoverUnrecorded, resubmitFailed, runLiveSweep, submitUnsent, sweepHeader, SweepWriter, requestFor, type SweepEstimate, type SweepEvent } from "../sampling/sweep";
import { answerSpecFlags, PROVIDERS, RUN_DEFAULTS } from "./commands";
import { FatalError, num, UsageError, VERSION, type Io, type Parsed } from "./common";
import { analysisOutputs, liveLine, planOutputs, redactorOf, writeAnalysisOutputs, type AnalysisOutputs } from "./io";
import { analyzeSweepFile } from "./main";
import { defaultProvider, fmtCost, makeProvider, readPriceTable, simKnobs, thinkingFlags } from "./run";
import { printTable } from "./table";

/** A batch client for a provider, its key from the environment. */
export function makeBatchClient(name: string, env: NodeJS.ProcessEnv, baseURL: string | undefined): BatchClient {
  if (name === "anthropic") {
    const key = env.ANTHROPIC_API_KEY;
    if (!key) throw new FatalError("ANTHROPIC_API_KEY is not set: export your Anthropic API key (https://console.anthropic.com/settings/keys)");
    return new AnthropicBatchClient({ apiKey: key, ...(baseURL ? { baseURL } : {}) });
  }
  if (name === "openai") {
    const key = env.OPENAI_API_KEY;
    if (!key) throw new FatalError("OPENAI_API_KEY is not set: export your OpenAI key (the Batch API needs one)");
    return new OpenAIBatchClient({ apiKey: key, ...(baseURL ? { baseURL } : {}) });
  }
  throw new UsageError(`--batch goes through a provider's batch API: anthropic or openai, not ${name}`);
}

/** The plan's cost line: requests, tokens, at most what they cost at the batch price, the live price beside it. */
export function estimateLine(e: SweepEstimate, batch: boolean): string {
  const cost = (c: number | null) => (c === null ? "cost unknown (no price for the model: add it with --prices)" : fmtCost(c));
  const prices = e.batchUsd === null ? cost(null) : batch ? `at most ${cost(e.batchUsd)} at the batch price (${cost(e.liveUsd)} live)` : `at most ${cost(e.liveUsd)} live (${cost(e.batchUsd)} with --batch)`;
  return `${fmtCount(e.requests)} request${e.requests === 1 ? "" : "s"} (${fmtCount(e.prompts)} prompt${e.prompts === 1 ? "" : "s"}) · ≈ ${fmtTokens(e.inputTokens)} input tokens, up to ${fmtTokens(e.maxOutputTokens)} output · ${prices}`;
}

/** One line of where a batch sweep stands. */
export function statusLine(s: ParsedSweep): string {
  const p = sweepProgress(s);
  const parts = [`${fmtCount(p.succeeded)}/${fmtCount(p.requests)} replies`];
  const polled = p.open.some((b) => b.status !== null);
  if (p.pending) parts.push(`${fmtCount(p.pending)} in ${p.open.length} batch${p.open.length === 1 ? "" : "es"} (${polled ? `${fmtCount(p.counts.processing)} processing, ${fmtCount(p.counts.succeeded)} succeeded, ${fmtCount(p.counts.errored)} errored, ${fmtCount(p.counts.expired)} expired` : "not polled yet"})`);
  if (p.failed) parts.push(`${fmtCount(p.failed)} failed${p.retryable < p.failed ? ` (${fmtCount(p.retryable)} worth resubmitting)` : ""}`);
  if (p.unsent) parts.push(`${fmtCount(p.unsent)} not sent`);
  return parts.join(" · ");
}

/** Asks yes or no: on a terminal, a line of standard input; elsewhere, the caller must pass --yes. */
async function confirm(io: Io, question: string): Promise<boolean> {
  if (io.confirm) return io.confirm(question);
  if (!process.stdin.isTTY) throw new UsageError(`${question} — standard input is not a terminal: add --yes to confirm`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((res) => rl.question(`hotmess: ${question} [y/N] `, res));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function str(f: Parsed["flags"], k: string): string | undefined {
  const v = f.get(k);
  return typeof v === "string" ? v : undefined;
}

/** How the sweep's events are told on standard error. */
function reporter(io: Io, live: ReturnType<typeof liveLine>, sweep: ParsedSweep): (e: SweepEvent) => void {
  let last = 0;
  return (e) => {
    if (e.type === "submitted") live.print(`hotmess: batch ${e.batchId} submitted: ${fmtCount(e.requests)} request${e.requests === 1 ? "" : "s"}`);
    else if (e.type === "refused") live.print(`hotmess: the batch of part ${e.part} was refused: ${e.message}`);
    else if (e.type === "status" && e.changed) live.print(`hotmess: ${e.batchId} ${statusWords(e.status)}`);
    else if (e.type === "collected") live.print(`hotmess: ${e.batchId} collected: ${fmtCount(e.succeeded)} replies, ${fmtCount(e.failed)} failed`);
    else if (e.type === "sample" || e.type === "failure" || e.type === "progress") {
      const t = Date.now();
      if (t - last > 200) {
        last = t;
        live.setLive(statusLine(sweep));
      }
    }
  };
}

function statusWords(s: BatchStatus): string {
  const c = s.counts;
  return `${s.providerStatus}: ${fmtCount(c.processing)} processing, ${fmtCount(c.succeeded)} succeeded, ${fmtCount(c.errored)} errored, ${fmtCount(c.expired)} expired${c.canceled ? `, ${fmtCount(c.canceled)} canceled` : ""}${s.message ? ` (${s.message})` : ""}`;
}

/** `hotmess run --prompts FILE …` and `hotmess run --resume SWEEPFILE`. */
export async function sweepCommand(p: Parsed, io: Io, signal?: AbortSignal): Promise<number> {
  const f = p.flags;
  const out: AnalysisOutputs = { json: str(f, "--json"), html: str(f, "--html") };
  const resumeFile = str(f, "--resume");
  const promptsPath = str(f, "--prompts");
  const outDir = str(f, "--out") ?? RUN_DEFAULTS.out;
  planOutputs(analysisOutputs(out), {
    inputs: [
      { path: promptsPath, what: "the prompts" },
      { path: resumeFile, what: "the sweep file" },
      { path: str(f, "--prices"), what: "the price table" },
    ],
    dirs: resumeFile ? [] : [outDir],
  });
  const table = readPriceTable(str(f, "--prices"));
  const live = liveLine(io);
  const secrets = redactorOf(io).secrets;
  const intervalMs = Math.round((num(f, "--poll") ?? 30) * 1000);
  const wait = !f.has("--no-wait");

  let writer: SweepWriter;
  let sweep: ParsedSweep;
  let batchClient: BatchClient | null = null;
  let baseURL = str(f, "--base-url");
  if (!resumeFile) for (const k of ["--resubmit", "--cancel"]) if (f.has(k)) throw new UsageError(`${k} goes with --resume SWEEPFILE`);
  if (resumeFile) {
    for (const k of ["--prompt", "--prompt-file", "--conversation", "--system", "--provider", "--model", "--reference", "--answer", "--compare", "--thinking", "--thinking-budget", "--max-tokens", "--temperature", "--seed", "--batch", "-n"])
      if (f.has(k)) throw new UsageError(`--resume continues the sweep as it was recorded: ${k} cannot change it (start a new sweep instead)`);
    try {
      ({ writer, sweep } = SweepWriter.open(resolve(resumeFile), secrets));
    } catch (e) {
      throw new FatalError(`cannot resume ${resumeFile}: ${(e as Error).message}`);
    }
    baseURL = baseURL ?? sweep.header.baseURL;
    for (const w of sweep.warnings) io.stderr.write(`hotmess: ${resumeFile} line ${w.line}: ${w.message}\n`);
    io.stderr.write(`hotmess: ${resumeFile}: ${sweep.prompts.length} prompts × ${sweep.header.parameters.n} of ${sweep.header.model} (${sweep.header.provider}, ${sweep.header.mode}); ${statusLine(sweep)}\n`);
  } else {
    if (!promptsPath) throw new UsageError("a sweep needs --prompts FILE");
    for (const k of ["--prompt", "--prompt-file", "--conversation", "--reference", "--until-ci", "--steps", "--system"])
      if (f.has(k)) throw new UsageError(`--prompts sweeps the prompts of a file (each with its own reference and system prompt): ${k} does not go with it`);
    const n = num(f, "-n");
    if (n === undefined) throw new UsageError("a sweep needs -n N, the reruns of each prompt");
    let read;
    try {
      if (!existsSync(promptsPath)) throw new Error("no such file or folder");
      read = readPrompts(promptsPath);
    } catch (e) {
      throw new FatalError(`cannot read the prompts ${promptsPath}: ${(e as Error).message}`);
    }
    for (const problem of read.problems) io.stderr.write(`hotmess: ${problem}\n`);
    if (read.prompts.length === 0) throw new FatalError(`${promptsPath} has no prompt to sweep: give JSON Lines of {"id", "prompt", "reference"?, "system"?}, a trace set, or .prompt.md files`);
    const providerName = str(f, "--provider") ?? defaultProvider(io.env);
    if (!(PROVIDERS as readonly string[]).includes(providerName)) throw new UsageError(`unknown provider "${providerName}": choose ${PROVIDERS.join(", ")}`);
    const batch = f.has("--batch");
    if (batch && providerName === "simulated") throw new UsageError("--batch sends the sweep through a provider's batch API: give --provider anthropic or openai");
    const model = str(f, "--model") ?? DEFAULT_MODELS[providerName]!;
    const maxTokens = num(f, "--max-tokens") ?? RUN_DEFAULTS.maxTokens;
    const thinking = thinkingFlags(f, providerName, model);
    const temperature = num(f, "--temperature");
    const answerSpec = answerSpecFlags(f);
    const header = sweepHeader({
      ...(answerSpec ? { answerSpec } : {}),
      provider: providerName,
      model,
      ...(safeBaseURL(baseURL) ? { baseURL: safeBaseURL(baseURL)! } : {}),
      mode: batch ? "batch" : "live",
      source: promptsPath,
      ...(num(f, "--seed") !== undefined ? { seed: num(f, "--seed")! } : {}),
      parameters: {
        n,
        maxTokens,
        ...(temperature !== undefined ? { temperature } : {}),
        thinking: thinking.type === "budget" ? { type: "budget", budgetTokens: thinking.budgetTokens } : { type: thinking.type },
        concurrency: num(f, "--concurrency") ?? RUN_DEFAULTS.concurrency,
        idleTimeoutMs: (num(f, "--timeout") ?? RUN_DEFAULTS.timeoutS) * 1000,
      },
      tool: { name: "hotmess", version: VERSION },
    });
    // every request checked against the model's rules before anything is sent or written
    const setup = makeProvider(providerName, io.env, baseURL, live, simKnobs(f));
    for (const pr of read.prompts) {
      const refused = setup.provider.check(requestFor({ ...header, type: "sweep", schema: "hotmess.sweep/1", prompts: 0 } as SweepHeader, pr, thinking));
      if (refused) throw new FatalError(`prompt ${pr.id}: ${refused}`);
    }
    if (batch) batchClient = makeBatchClient(providerName, io.env, baseURL);
    const estimate = estimateSweep(read.prompts, n, model, maxTokens, table);
    io.stderr.write(`hotmess: ${read.prompts.length} prompts × ${n} reruns of ${model} (${providerName}${batch ? ", as a batch: results within 24 h" : ", live"})\n`);
    if (providerName !== "simulated") io.stderr.write(`hotmess: ${estimateLine(estimate, batch)}\n`);
    if (batch && !f.has("--yes")) {
      const ok = await confirm(io, `submit ${fmtCount(estimate.requests)} requests for ${estimate.batchUsd === null ? "an unknown cost" : `at most ${fmtCost(estimate.batchUsd)}`}?`);
      if (!ok) {
        io.stderr.write("hotmess: nothing was submitted\n");
        return 1;
      }
    }
    try {
      ({ writer, sweep } = SweepWriter.create(resolve(outDir), header, read.prompts, secrets));
    } catch (e) {
      throw new FatalError(`cannot write the sweep file in ${outDir}: ${(e as Error).message}`);
    }
    io.stderr.write(`hotmess: recording to ${writer.file}\n`);
  }
  const file = writer.file;
  const onEvent = reporter(io, live, sweep);
  const hooks = { onEvent, prices: table, ...(signal ? { signal } : {}) };
  let code = 0;
  try {
    if (sweep.header.mode === "batch") {
      batchClient ??= makeBatchClient(sweep.header.provider, io.env, baseURL);
      if (sweepProgress(sweep).unrecorded.length) {
        // the process stopped between sending a batch and recording its id: look it up
        const r = await recoverUnrecorded(writer, sweep, batchClient, { ...hooks, exclude: recordedBatchIds([dirname(writer.file)], writer.file) });
        for (const a of r.adopted) io.stderr.write(`hotmess: part ${a.part}'s batch was sent but its id not recorded: found it at the provider, ${a.batchId}\n`);
        for (const part of r.notCreated) io.stderr.write(`hotmess: part ${part} was never created at the provider: its requests are sent now\n`);
        if (r.unresolved.length) throw new FatalError(`${r.unresolved.map((u) => `part ${u.part}: ${u.why}`).join("; ")}; nothing was resubmitted`);
      }
      const progress = sweepProgress(sweep);
      if (progress.unsent > 0) await submitUnsent(writer, sweep, batchClient, hooks);
      if (f.has("--cancel")) {
        const open = sweep.batches.filter((b) => b.batchId !== null && !b.collected && !b.refused);
        if (open.length === 0) io.stderr.write("hotmess: no batch in progress to cancel\n");
        for (const b of open) {
          const st = await batchClient.cancel(b.batchId!, signal);
          io.stderr.write(`hotmess: ${b.batchId} ${statusWords(st)}: its requests not yet processed come back canceled (resubmit them with --resubmit)\n`);
        }
      }
      if (f.has("--resubmit")) {
        const failed = failedRequests(sweep);
        if (failed.length === 0) io.stderr.write("hotmess: no failed request to resubmit\n");
        else {
          for (const r of failed.slice(0, 20)) io.stderr.write(`hotmess:   ${sweep.prompts.find((x) => x.key === r.key)?.id ?? r.key} rerun ${r.index}: ${r.failure.kind}: ${r.failure.message}\n`);
          if (failed.length > 20) io.stderr.write(`hotmess:   … and ${failed.length - 20} more\n`);
          const counts = sweep.prompts.map((x) => failed.filter((r) => r.key === x.key).length);
          const e = estimateSweep(sweep.prompts, sweep.header.parameters.n, sweep.header.model, sweep.header.parameters.maxTokens, table, counts);
          io.stderr.write(`hotmess: ${estimateLine(e, true)}\n`);
          if (f.has("--yes") || (await confirm(io, `resubmit these ${fmtCount(failed.length)} requests as a new batch?`))) await resubmitFailed(writer, sweep, batchClient, hooks);
        }
      }
      if (wait) {
        const how = await pollSweep(writer, sweep, batchClient, { ...hooks, intervalMs });
        live.clear();
        if (how === "waiting") {
          io.stderr.write(`hotmess: stopped polling; the batch goes on at the provider. ${statusLine(sweep)}\nhotmess: collect it later with: hotmess run --resume ${file}\n`);
          return 130;
        }
      } else {
        io.stderr.write(`hotmess: submitted; collect the results with: hotmess run --resume ${file}\n`);
        return 0;
      }
    } else {
      const setup = makeProvider(sweep.header.provider, io.env, baseURL, live, simKnobs(f));
      const status = await runLiveSweep(writer, sweep, setup.provider, {
        concurrency: num(f, "--concurrency") ?? sweep.header.parameters.concurrency,
        idleTimeoutMs: sweep.header.parameters.idleTimeoutMs,
        retries: num(f, "--retries") ?? RUN_DEFAULTS.retries,
        maxRetryWaitMs: (num(f, "--max-retry-wait") ?? RUN_DEFAULTS.maxRetryWaitS) * 1000,
        ...hooks,
      });
      live.clear();
      if (status === "cancelled") {
        endSweep(writer, sweep, "cancelled", "cancelled by the user");
        io.stderr.write(`hotmess: cancelled; ${statusLine(sweep)}\nhotmess: continue with: hotmess run --resume ${file}\n`);
        return 130;
      }
    }
    const p = sweepProgress(sweep);
    const end = endSweep(writer, sweep);
    io.stderr.write(`hotmess: ${statusLine(sweep)}\n`);
    if (p.failed) {
      for (const r of failureReasons(sweep).slice(0, 5)) io.stderr.write(`hotmess:   ${fmtCount(r.count)} × ${r.reason}\n`);
      io.stderr.write(`hotmess: send them again with: hotmess run --resume ${file}${sweep.header.mode === "batch" ? " --resubmit" : ""}\n`);
    }
    code = end.status === "complete" ? 0 : end.status === "partial" ? 2 : 1;
  } catch (e) {
    live.clear();
    if (e instanceof FatalError || e instanceof UsageError) throw e;
    throw new FatalError(`${(e as Error).message}${sweep.batches.some((b) => b.batchId) ? `; what was submitted is recorded: hotmess run --resume ${file}` : ""}`);
  } finally {
    writer.close();
  }
  io.stderr.write(`hotmess: the sweep is in ${file}\n`);
  // read back from the file in two passes, one prompt at a time: never the whole sweep at once
  let analysis;
  try {
    analysis = await analyzeSweepFile(file, { generator: { name: "hotmess", version: VERSION } });
  } catch (e) {
    if (code === 0) throw e;
    return code; // nothing answered: the failure has been said
  }
  writeAnalysisOutputs(analysis, out, io, (a) => printTable(a, io));
  return code;
}
