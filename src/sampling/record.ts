// A recorded run: the run engine with its samples written to a run file as they finish. Shared
// by the CLI (`hotmess run`, `hotmess bench`) and the editor: each adds only its own display.
import type { OptimizerSpec, ParsedRun, RunHeader } from "../core";
import { runSamples, type FinishedSample, type RunEvent, type RunResult } from "./engine";
import { priceOf, type PriceTable } from "./prices";
import { promptHash, RunWriter, safeBaseURL } from "./store";
import type { Provider, SampleRequest } from "./types";

export interface RecordPlan {
  provider: Provider;
  /** The provider's name as recorded ("anthropic", "openai", "simulated", "vscode-lm"). */
  providerName: string;
  baseURL?: string;
  request: SampleRequest;
  n: number;
  concurrency: number;
  idleTimeoutMs: number;
  retries: number;
  /** The longest retry-after honoured, in ms (default 60 s); a server asking for more fails the sample as retryable. */
  maxRetryWaitMs?: number;
  /** Keys to redact from everything written to the run file (the keys in use and the environment's). */
  secrets?: readonly string[];
  prices: PriceTable;
  untilCi?: number;
  reference?: string | number;
  benchmark?: OptimizerSpec;
  /** An id for the run (default: from the prompt's hash and the time). */
  id?: string;
  /** Where the prompt came from (a prompt file). */
  source?: RunHeader["source"];
  /** Directory of new run files. */
  outDir: string;
  /** A run file to continue instead of a new one. */
  resumed?: { writer: RunWriter; run: ParsedRun };
  tool: { name: string; version: string };
}

export interface Recorded {
  run: ParsedRun;
  result: RunResult | null;
  file: string;
}

/** The header a plan's new run file starts with. */
export function headerFor(plan: RecordPlan): Omit<RunHeader, "type" | "schema"> {
  const { request } = plan;
  const baseURL = safeBaseURL(plan.baseURL);
  return {
    id: plan.id ?? `${promptHash(request.prompt, request.system).slice(0, 8)}-${Date.now().toString(36)}`,
    createdAt: new Date().toISOString(),
    tool: plan.tool,
    provider: plan.providerName,
    model: request.model,
    ...(baseURL ? { baseURL } : {}),
    prompt: request.prompt,
    ...(request.system ? { system: request.system } : {}),
    ...(plan.reference !== undefined ? { reference: plan.reference } : {}),
    promptHash: promptHash(request.prompt, request.system),
    ...(plan.benchmark ? { benchmark: plan.benchmark } : {}),
    ...(plan.source ? { source: plan.source } : {}),
    parameters: {
      n: plan.n,
      maxTokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      thinking: request.thinking.type === "budget" ? { type: "budget", budgetTokens: request.thinking.budgetTokens } : { type: request.thinking.type },
      concurrency: plan.concurrency,
      idleTimeoutMs: plan.idleTimeoutMs,
      ...(plan.untilCi !== undefined ? { untilCi: plan.untilCi } : {}),
    },
  };
}

/**
 * Creates (or continues) the plan's run file, runs the samples, writes each finished sample and
 * failure as it happens, ends the file, and returns the run as recorded. `onEvent` sees every
 * engine event after it was written; `onStart` gets the file before the first request.
 */
export async function recordRun(plan: RecordPlan, hooks: { onStart?: (file: string, existing: number, header: RunHeader) => void; onEvent?: (e: RunEvent) => void; signal?: AbortSignal } = {}): Promise<Recorded> {
  let writer: RunWriter;
  let header: RunHeader;
  let existing: FinishedSample[] = [];
  if (plan.resumed) {
    writer = plan.resumed.writer;
    header = plan.resumed.run.header;
    existing = plan.resumed.run.samples.map(({ type: _t, ...s }) => s);
    if (existing.length >= plan.n) {
      writer.close();
      return { run: plan.resumed.run, result: null, file: writer.file };
    }
  } else {
    const fields = headerFor(plan);
    writer = RunWriter.create(plan.outDir, fields);
    header = { type: "header", schema: "hotmess.run/1", ...fields };
  }
  hooks.onStart?.(writer.file, existing.length, header);
  let result: RunResult;
  try {
    result = await runSamples({
      provider: plan.provider,
      request: plan.request,
      n: plan.n,
      concurrency: plan.concurrency,
      idleTimeoutMs: plan.idleTimeoutMs,
      maxRetries: plan.retries,
      price: priceOf(plan.request.model, plan.prices),
      ...(plan.untilCi !== undefined && plan.reference !== undefined ? { untilCi: { width: plan.untilCi, reference: plan.reference } } : {}),
      existing,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onEvent: (e) => {
        if (e.type === "sample") writer.sample(e.sample);
        else if (e.type === "failure") writer.failure(e.failure);
        hooks.onEvent?.(e);
      },
    });
    writer.end(result.status, result.message, result.stoppedEarly);
  } finally {
    writer.close();
  }
  const run: ParsedRun = {
    header,
    samples: result.samples.map((x) => ({ type: "sample", ...x })),
    failures: result.failures.map((x) => ({ type: "failure", ...x })),
    end: { type: "end", status: result.status, ...(result.message ? { message: result.message } : {}), ...(result.stoppedEarly ? { stoppedEarly: true } : {}), finishedAt: new Date().toISOString() },
    warnings: [],
    goodLength: 0,
    missingNewline: false,
  };
  return { run, result, file: writer.file };
}
