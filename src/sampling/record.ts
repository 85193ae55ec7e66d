// A recorded run: the run engine with its samples written to a run file as they finish. Shared
// by the CLI (`hotmess run`, `hotmess bench`) and the editor: each adds only its own display.
import { DEFAULT_SEED, redactDeep, redactSecrets, runSeed, type OptimizerSpec, type ParsedRun, type RunEndLine, type RunFailureLine, type RunHeader, type RunSampleLine } from "../core";
import { runSamples, type FinishedSample, type RunEvent, type RunResult } from "./engine";
import { priceOf, type PriceTable } from "./prices";
import { promptHash, RunWriter, safeBaseURL } from "./store";
import { DEFAULT_THINKING_BUDGET } from "./defaults";
import { replayStats } from "../core/replay";
import type { AnswerSpec } from "../core/answerspec";
import { DEFAULT_TOOL_TIMEOUT_MS } from "./toolcommand";
import type { Provider, Rollout, SampleRequest, ThinkingMode } from "./types";

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
  /**
   * Keys to redact from everything written to the run file and returned (the environment's, the
   * editor's stored ones); the provider's own keys are added whatever the caller lists.
   */
  secrets?: readonly string[];
  prices: PriceTable;
  untilCi?: number;
  reference?: string | number;
  /** A next-action run's expected action (a tool's name or a full action key), kept in the header. */
  expectedAction?: string;
  benchmark?: OptimizerSpec;
  /** How the run's answers are extracted and compared (a prompt file's answer: / compare:, --answer / --compare), kept in the header. */
  answerSpec?: AnswerSpec;
  /** An id for the run (default: from the prompt's hash and the time). */
  id?: string;
  /** Where the prompt came from (a prompt file). */
  source?: RunHeader["source"];
  /** The seed of the run's intervals, recorded in a new run's header (default DEFAULT_SEED); a continued run keeps its own. */
  seed?: number;
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
    ...(request.conversation ? { conversation: request.conversation } : {}),
    ...(plan.expectedAction !== undefined ? { expectedAction: plan.expectedAction } : {}),
    ...(plan.source ? { source: plan.source } : {}),
    // every face reads the run's intervals from this seed (src/core/runanalysis.ts)
    analysis: { seed: plan.seed ?? DEFAULT_SEED },
    ...(plan.answerSpec && (plan.answerSpec.extract || plan.answerSpec.compare) ? { answerSpec: plan.answerSpec } : {}),
    parameters: {
      n: plan.n,
      maxTokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      thinking: request.thinking.type === "budget" ? { type: "budget", budgetTokens: request.thinking.budgetTokens } : { type: request.thinking.type },
      concurrency: plan.concurrency,
      idleTimeoutMs: plan.idleTimeoutMs,
      ...(plan.untilCi !== undefined ? { untilCi: plan.untilCi } : {}),
    },
    ...(request.rollout ? { rollout: rolloutHeader(request.rollout) } : {}),
  };
}

/**
 * What a run header records of a rollout: the steps, the replay table's source (a file's name)
 * and what it held, the tool command's program (argv[0] only: its arguments may hold a path or a
 * token, and the environment is never written) and its timeout.
 */
export function rolloutHeader(r: Rollout): NonNullable<RunHeader["rollout"]> {
  return {
    steps: r.steps,
    ...(r.replay ? { ...(r.replay.source !== undefined ? { replay: r.replay.source } : {}), ...(r.replay.task !== undefined ? { replayTask: r.replay.task } : {}), replayResults: replayStats(r.replay) } : {}),
    ...(r.command && r.command.length > 0 ? { command: r.command[0]!, timeoutMs: r.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS } : {}),
  };
}

/** The thinking a run or sweep header's parameters record, as a request's (a budget without its size: the default budget). */
export function thinkingOfParameters(t: RunHeader["parameters"]["thinking"] | undefined): ThinkingMode {
  return t?.type === "budget" ? { type: "budget", budgetTokens: t.budgetTokens ?? DEFAULT_THINKING_BUDGET } : t?.type === "adaptive" ? { type: "adaptive" } : { type: "none" };
}

/** The request a run file recorded, rebuilt from its header (to continue the run with the same one). */
export function requestFromHeader(header: RunHeader): SampleRequest {
  const p = header.parameters;
  const thinking = thinkingOfParameters(p.thinking);
  return {
    prompt: header.prompt,
    ...(header.system ? { system: header.system } : {}),
    model: header.model,
    maxTokens: p.maxTokens,
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    thinking,
    ...(header.conversation ? { conversation: header.conversation } : {}),
    // a rollout's steps; its replay table and tool command are not in the file (only their
    // names): a caller continuing it gives them again (hotmess run --resume … --replay …), else
    // its reruns stop at their first call without a result, recorded as such
    ...(header.rollout ? { rollout: { steps: header.rollout.steps, ...(header.rollout.timeoutMs !== undefined ? { timeoutMs: header.rollout.timeoutMs } : {}) } } : {}),
  };
}

/**
 * Creates (or continues) the plan's run file, runs the samples, writes each finished sample and
 * failure as it happens, ends the file, and returns the run as recorded. `onEvent` sees every
 * engine event after it was written; `onStart` gets the file before the first request. Every
 * key the plan lists or the provider holds is redacted from the file, from the events and from
 * the run and result returned: nothing built from them can show one.
 */
export async function recordRun(plan: RecordPlan, hooks: { onStart?: (file: string, existing: number, header: RunHeader) => void; onEvent?: (e: RunEvent) => void; signal?: AbortSignal } = {}): Promise<Recorded> {
  const secrets = [...(plan.secrets ?? []), ...(plan.provider.secrets ?? [])];
  let writer: RunWriter;
  let header: RunHeader;
  // the lines as written (or read, for a resumed run), keys redacted: the run and result returned
  const samples: RunSampleLine[] = [];
  const failures: RunFailureLine[] = [];
  if (plan.resumed) {
    writer = plan.resumed.writer.redacting(secrets);
    const read = redactDeep(plan.resumed.run, secrets);
    header = read.header;
    samples.push(...read.samples);
    // as in the file: a resumed run's earlier failures, then this session's
    failures.push(...read.failures);
    if (samples.length >= plan.n) {
      writer.close();
      return { run: read, result: null, file: writer.file };
    }
  } else {
    writer = RunWriter.create(plan.outDir, headerFor(plan), secrets);
    header = writer.header!;
  }
  const earlierFailures = failures.length;
  const existing: FinishedSample[] = samples.map(({ type: _t, ...s }) => s);
  hooks.onStart?.(writer.file, existing.length, header);
  let result: RunResult;
  let end: RunEndLine;
  try {
    const raw = await runSamples({
      provider: plan.provider,
      request: plan.request,
      n: plan.n,
      concurrency: plan.concurrency,
      idleTimeoutMs: plan.idleTimeoutMs,
      maxRetries: plan.retries,
      ...(plan.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: plan.maxRetryWaitMs } : {}),
      price: priceOf(plan.request.model, plan.prices),
      // adaptive stopping judges the interval the run will show: the run's seed
      ...(plan.untilCi !== undefined && plan.reference !== undefined ? { untilCi: { width: plan.untilCi, reference: plan.reference, seed: runSeed(header) } } : {}),
      existing,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onEvent: (e) => {
        if (e.type === "sample") {
          const line = writer.sample(e.sample);
          samples.push(line);
          const { type: _t, ...sample } = line;
          hooks.onEvent?.({ type: "sample", sample });
        } else if (e.type === "failure") {
          const line = writer.failure(e.failure);
          failures.push(line);
          const { type: _t, ...failure } = line;
          hooks.onEvent?.({ type: "failure", failure });
        } else hooks.onEvent?.(e.type === "progress" ? e : redactDeep(e, secrets));
      },
    });
    // in index order, as the engine returns them
    samples.sort((a, b) => a.index - b.index);
    result = {
      ...raw,
      ...(raw.message !== undefined ? { message: redactSecrets(raw.message, secrets) } : {}),
      samples: samples.map(({ type: _t, ...s }) => s),
      failures: failures.slice(earlierFailures).map(({ type: _t, ...f }) => f),
    };
    end = writer.end(result.status, result.message, result.stoppedEarly);
  } finally {
    writer.close();
  }
  const run: ParsedRun = { header, samples, failures, end, warnings: [], goodLength: 0, missingNewline: false };
  return { run, result, file: writer.file };
}
