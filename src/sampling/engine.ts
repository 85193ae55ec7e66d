// The run engine: N independent samples of one request through a provider, with bounded
// concurrency, an idle timeout per sample, retries with backoff and jitter that honour
// retry-after (up to a cap) and show in the progress, immediate failure on a refused key or
// request or a server that is not there, cancellation that keeps every finished sample, and
// adaptive stopping on the width of the incoherence interval. Every failed sample is reported
// with its reason (and what the model had said before it failed). Nothing is cached between
// samples: each is its own request, since a cache would erase the very variance being measured.
import { analyzeRecords, DEFAULT_SEED, runToPromptRecord, type RunEndLine, type RunFailureLine, type RunSampleLine } from "../core";
import { tallyOf } from "../core/interval";
import { projectReruns } from "../core/projection";
import { formatWait } from "../core/wait";
export { formatWait } from "../core/wait";
import { costOf, type Price } from "./prices";
import type { ConversationBlock, ConversationMessage } from "../core/conversation";
import { lookupReplay } from "../core/replay";
import type { RolloutStop } from "../core/runfile";
import { actionKey, argumentsValue } from "../core/trajectory";
import type { TrajectoryStep } from "../core/types";
import { runToolCommand, toolEnvironment, ToolCommandError } from "./toolcommand";
import { isSamplingError, SamplingError, type Provider, type ProviderEvent, type Rollout, type SampleRequest } from "./types";

export interface Usage {
  /** The whole prompt, cached tokens included. */
  inputTokens: number;
  outputTokens: number;
  /** Reasoning tokens when the server reports them apart (included in outputTokens). */
  thinkingTokens?: number;
  /**
   * Of inputTokens, those read from the provider's prompt cache (Anthropic
   * cache_read_input_tokens, OpenAI cached_tokens), billed at the cache-read price; absent when
   * none. The uncached input is inputTokens − cacheReadTokens − cacheWriteTokens.
   */
  cacheReadTokens?: number;
  /** Of inputTokens, those written to the prompt cache (Anthropic cache_creation_input_tokens), billed at the cache-write price; absent when none. */
  cacheWriteTokens?: number;
}

/**
 * The reply as a trajectory's steps, in the order the events came: consecutive thinking is one
 * reasoning step (until its block's signature: the next thinking is another block, another
 * step), the signature kept on it; consecutive text one text step, each tool call a step with
 * its arguments parsed (kept as the raw text when they are not JSON; none → {}). A rollout adds
 * each call's result as a tool_result step (`result`).
 */
/** A usage event's counts over the running ones: each field it gives is the latest known value (not an increment). */
export function latestUsage(usage: Usage, ev: Extract<ProviderEvent, { type: "usage" }>): void {
  if (ev.inputTokens !== undefined) usage.inputTokens = ev.inputTokens;
  if (ev.outputTokens !== undefined) usage.outputTokens = ev.outputTokens;
  if (ev.thinkingTokens !== undefined) usage.thinkingTokens = ev.thinkingTokens;
  if (ev.cacheReadTokens !== undefined) usage.cacheReadTokens = ev.cacheReadTokens;
  if (ev.cacheWriteTokens !== undefined) usage.cacheWriteTokens = ev.cacheWriteTokens;
}

export class StepRecorder {
  readonly steps: TrajectoryStep[] = [];
  add(ev: ProviderEvent): void {
    const last = this.steps[this.steps.length - 1];
    if (ev.type === "thinking" || ev.type === "text") {
      const kind = ev.type === "thinking" ? "reasoning" : "text";
      if (last && last.kind === kind && last.signature === undefined) last.text = (last.text ?? "") + ev.text;
      else this.steps.push({ kind, text: ev.text });
    } else if (ev.type === "thinking_signature") {
      // the signature of the thinking block just streamed (a block with no text still has one)
      if (last && last.kind === "reasoning" && last.signature === undefined) last.signature = ev.signature;
      else this.steps.push({ kind: "reasoning", text: "", signature: ev.signature });
    } else if (ev.type === "tool_call") {
      this.steps.push({ kind: "tool_call", name: ev.name, arguments: argumentsValue(ev.arguments), ...(ev.id ? { id: ev.id } : {}) });
    }
  }

  /** A tool's result, paired with its call by id (a rollout's environment turn). */
  result(id: string, name: string, text: string, isError: boolean): void {
    this.steps.push({ kind: "tool_result", id, name, text, ...(isError ? { isError: true } : {}) });
  }
}

/**
 * The assistant turn as conversation blocks, from the events, to send back in a rollout's next
 * turn as the provider returned it: thinking with its signature (a signature closes its block),
 * redacted thinking with its data, text, and tool calls with their ids and parsed arguments.
 */
export class TurnBlocks {
  readonly blocks: ConversationBlock[] = [];
  add(ev: ProviderEvent): void {
    const last = this.blocks[this.blocks.length - 1];
    if (ev.type === "thinking") {
      if (last?.type === "thinking" && last.signature === undefined) last.thinking += ev.text;
      else this.blocks.push({ type: "thinking", thinking: ev.text });
    } else if (ev.type === "thinking_signature") {
      if (last?.type === "thinking" && last.signature === undefined) last.signature = ev.signature;
      else this.blocks.push({ type: "thinking", thinking: "", signature: ev.signature });
    } else if (ev.type === "redacted_thinking") {
      // without its data (a provider that does not pass it on) it cannot go back
      if (ev.data !== undefined) this.blocks.push({ type: "redacted_thinking", data: ev.data });
    } else if (ev.type === "text") {
      if (last?.type === "text") last.text += ev.text;
      else this.blocks.push({ type: "text", text: ev.text });
    } else if (ev.type === "tool_call") this.blocks.push({ type: "tool_call", id: ev.id, name: ev.name, arguments: argumentsValue(ev.arguments) });
  }
  /** The turn to pass back: blank text left out (the APIs refuse it), and thinking with neither text nor signature. */
  message(): ConversationMessage {
    return { role: "assistant", content: this.blocks.filter((b) => !(b.type === "text" && b.text.trim() === "") && !(b.type === "thinking" && !b.signature && b.thinking === "")) };
  }
}

/** One turn of a sample as it streamed. */
interface TurnResult {
  text: string;
  thinking: string;
  redacted: number;
  usage: Usage;
  steps: TrajectoryStep[];
  /** The turn as conversation blocks (TurnBlocks), for a rollout's next request. */
  blocks: ConversationMessage;
  /** Its tool calls, each with an id (one made up when the server sent none), arguments parsed. */
  calls: { id: string; name: string; arguments: unknown }[];
  stop: { reason: string; truncated: boolean };
  /** From the request to the stop event, in ms. */
  latencyMs: number;
}

/** The turns' texts (or thinking) as one: those that said something, a blank line between. One turn's is itself. */
function joinTurns(parts: readonly string[]): string {
  const said = parts.filter((p) => p !== "");
  return said.length <= 1 ? (said[0] ?? "") : said.join("\n\n");
}

/** Adds a turn's usage to a sample's (each optional count only once some turn reports it). */
function addUsage(into: Usage, u: Usage): void {
  into.inputTokens += u.inputTokens;
  into.outputTokens += u.outputTokens;
  if (u.thinkingTokens !== undefined) into.thinkingTokens = (into.thinkingTokens ?? 0) + u.thinkingTokens;
  if (u.cacheReadTokens !== undefined) into.cacheReadTokens = (into.cacheReadTokens ?? 0) + u.cacheReadTokens;
  if (u.cacheWriteTokens !== undefined) into.cacheWriteTokens = (into.cacheWriteTokens ?? 0) + u.cacheWriteTokens;
}

/**
 * A finished sample: a run file's sample line without its type (src/core/runfile.ts documents
 * each field: the visible reply, the thinking, redacted blocks, usage, cost, latency, retries,
 * truncation, the stop reason and when it finished). Its usage may also say how much of the
 * input came from the prompt cache (Usage: cacheReadTokens, cacheWriteTokens), written to the
 * run file's sample line as they are.
 */
export type FinishedSample = Omit<RunSampleLine, "type" | "usage"> & { usage: RunSampleLine["usage"] & Usage };

/**
 * A failed sample: a run file's failure line without its type (src/core/runfile.ts: its kind,
 * the message, attempts, the HTTP status, the URL, the request id, whether it is worth retrying,
 * the wait the server asked for, and what the model had said before it failed).
 */
export type FailedSample = Omit<RunFailureLine, "type">;

export interface Progress {
  target: number;
  done: number;
  failed: number;
  /** Samples receiving their stream right now. */
  streaming: number;
  /** Samples waiting to retry. */
  retrying: number;
  retriesSoFar: number;
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, read from / written to the prompt cache so far; absent until a sample reports any. */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** USD so far, null when the price is unknown. */
  costUsd: number | null;
  /** For adaptive stopping: the width of the incoherence interval after the last wave. */
  ciWidth?: number | null;
}

export type RunEvent =
  | { type: "progress"; progress: Progress }
  | { type: "retry"; index: number; attempt: number; waitMs: number; reason: string }
  | { type: "sample"; sample: FinishedSample }
  | { type: "failure"; failure: FailedSample }
  | {
      type: "wave";
      samples: number;
      ciWidth: number | null;
      /** Reruns projected to bring the width under W (0: it is; null: more than 10,000, or nothing to split): the next wave's size, up to n. */
      more: number | null;
    };

export interface RunOptions {
  provider: Provider;
  request: SampleRequest;
  /** Samples wanted (the maximum, with adaptive stopping). */
  n: number;
  /** Samples at once (default 4). */
  concurrency?: number;
  /** A sample with no event for this long is abandoned and retried (default 120 s). */
  idleTimeoutMs?: number;
  /** Retries per sample after its first attempt (default 5). */
  maxRetries?: number;
  /** Backoff: base × 2^(attempt−1), capped, times a jitter in [0.5, 1] (defaults 1 s and 60 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * The longest retry-after honoured, in ms (default 60 s). A server asking for more fails that
   * sample as retryable at once and stops the run from starting anything new (samples in
   * flight finish): the run ends with what it has, to be resumed later.
   */
  maxRetryWaitMs?: number;
  /** Stop once the incoherence interval is narrower than `width` (needs a reference). */
  untilCi?: { width: number; reference: string | number; minSamples?: number; resamples?: number; /** The run's recorded seed (default 1). */ seed?: number };
  price?: Price | null;
  signal?: AbortSignal;
  /** Samples already finished (a resumed run): they count toward n and toward adaptive stopping. */
  existing?: FinishedSample[];
  /** Indices to use for new samples start here (after a resumed run's). */
  firstIndex?: number;
  /** Called for each event; a returned promise is awaited (a run store appending). */
  onEvent?: (e: RunEvent) => void | Promise<void>;
  /** Test seams. */
  /** Runs a rollout's tool command (default runToolCommand). */
  runTool?: typeof runToolCommand;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface RunResult {
  /**
   * The status its run file's end line records. complete: the run went its course, every sample
   * finished (or adaptive stopping ended it); partial: it went its course, but some samples
   * failed (`failures`); failed: a fatal error (a refused key or request, a server that is not
   * there), or no sample finished; cancelled: the caller stopped it.
   */
  status: RunEndLine["status"];
  /** Why the run failed (the API's own message), stopped early, or lost samples. */
  message?: string;
  /** Adaptive stopping ended the run before n. */
  stoppedEarly: boolean;
  samples: FinishedSample[];
  failures: FailedSample[];
  progress: Progress;
}

class Cancelled extends Error {}

/** A failed attempt, with what the model had said in it before it failed. */
class AttemptFailed extends Error {
  constructor(
    readonly error: SamplingError,
    readonly partial: { text: string; thinking: string } | undefined,
  ) {
    super(error.message);
  }
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Cancelled());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Width of the Brier incoherence interval of the samples so far, null when there is none: the
 * interval every face shows for these samples (the run's analysis: by index, with its seed).
 */
export function incoherenceCiWidth(samples: FinishedSample[], reference: string | number, resamples = 1000, seed = DEFAULT_SEED): number | null {
  return ciProgress(samples, reference, null, resamples, seed).width;
}

/**
 * The interval's width after a wave, and (given the width W asked for) about how many more
 * reruns would bring it under W: the projection every face shows for ±0.05 ("≈ N more reruns",
 * src/core/projection.ts), aimed at a half-width of W/2. From the same one analysis of the
 * samples (its counts, its interval, its seed).
 */
export function ciProgress(samples: FinishedSample[], reference: string | number, width: number | null, resamples = 1000, seed = DEFAULT_SEED): { width: number | null; more: number | null } {
  const p = analyzeRecords([runToPromptRecord({ header: { id: "run", prompt: "", reference, analysis: { seed } }, samples })], { resamples }).prompts[0]!;
  const ci = p.brier?.ci95 ?? null;
  if (width === null || !p.brier) return { width: ci ? ci[1] - ci[0] : null, more: null };
  const tally = tallyOf(
    p.answers.map((a) => a.count),
    p.answers.findIndex((a) => a.reference),
    p.n,
  );
  return { width: ci ? ci[1] - ci[0] : null, more: projectReruns(tally, ci, seed, width / 2).more };
}

/** The prompt-cache token totals of samples, each only when some sample reports it. */
function cacheTotals(samples: readonly FinishedSample[]): { cacheReadTokens?: number; cacheWriteTokens?: number } {
  const read = samples.reduce((s, x) => s + (x.usage.cacheReadTokens ?? 0), 0);
  const write = samples.reduce((s, x) => s + (x.usage.cacheWriteTokens ?? 0), 0);
  return { ...(read > 0 ? { cacheReadTokens: read } : {}), ...(write > 0 ? { cacheWriteTokens: write } : {}) };
}

export async function runSamples(o: RunOptions): Promise<RunResult> {
  const concurrency = Math.max(1, Math.floor(o.concurrency ?? 4));
  const idleMs = o.idleTimeoutMs ?? 120_000;
  const idleText = idleMs >= 1000 ? `${Math.round(idleMs / 1000)} s` : `${idleMs} ms`;
  const maxRetries = o.maxRetries ?? 5;
  const base = o.backoffBaseMs ?? 1000;
  const cap = o.backoffMaxMs ?? 60_000;
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? defaultSleep;
  const price = o.price ?? null;
  const maxRetryWaitMs = Math.max(0, o.maxRetryWaitMs ?? 60_000);

  const run = new AbortController(); // aborted on cancel or on a fatal error
  const onOuterAbort = () => run.abort();
  o.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (o.signal?.aborted) run.abort();
  // aborted with the run, and when a server asks to wait longer than the cap: nothing new starts
  // (no sample, no retry; waits end), samples in flight finish
  const starting = new AbortController();
  run.signal.addEventListener("abort", () => starting.abort(), { once: true });
  let halt: string | null = null; // why nothing new starts
  let haltError: SamplingError | null = null; // the error that made it so
  const runTool = o.runTool ?? runToolCommand;

  const samples: FinishedSample[] = [...(o.existing ?? [])];
  const failures: FailedSample[] = [];
  const progress: Progress = {
    target: o.n,
    done: samples.length,
    failed: 0,
    streaming: 0,
    retrying: 0,
    retriesSoFar: 0,
    inputTokens: samples.reduce((s, x) => s + x.usage.inputTokens, 0),
    outputTokens: samples.reduce((s, x) => s + x.usage.outputTokens, 0),
    ...cacheTotals(samples),
    // unknown from the start when the model has no price (not $0 until the first sample)
    costUsd: price !== null && samples.every((x) => x.costUsd !== null) ? samples.reduce((s, x) => s + (x.costUsd ?? 0), 0) : null,
  };
  const failed: { error: SamplingError | null } = { error: null }; // the first fatal error
  let pauseUntil = 0; // a shared retry-after: nobody starts an attempt before it
  const emit = async (e: RunEvent) => {
    if (o.onEvent) await o.onEvent(e);
  };
  const tick = () => emit({ type: "progress", progress: { ...progress } });

  /** One attempt at one turn of a sample; throws AttemptFailed (with what was said so far) or Cancelled. */
  const attempt = async (request: SampleRequest, turnNo: number): Promise<TurnResult> => {
    const ctl = new AbortController();
    const onRun = () => ctl.abort();
    run.signal.addEventListener("abort", onRun, { once: true });
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, idleMs);
    };
    const started = Date.now();
    let text = "";
    let thinking = "";
    let redacted = 0;
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    const recorder = new StepRecorder();
    const blocks = new TurnBlocks();
    const calls: TurnResult["calls"] = [];
    let stop: { reason: string; truncated: boolean } | null = null;
    const failedWith = (error: SamplingError) => new AttemptFailed(error, text || thinking ? { text, thinking } : undefined);
    progress.streaming++;
    try {
      arm();
      for await (const raw of o.provider.stream(request, ctl.signal)) {
        arm();
        // a rollout pairs each result with its call by id: a call the server sent without one gets one
        const ev = raw.type === "tool_call" && !raw.id && request.rollout ? { ...raw, id: `hotmess_call_${turnNo}_${calls.length}` } : raw;
        recorder.add(ev);
        blocks.add(ev);
        if (ev.type === "thinking") thinking += ev.text;
        else if (ev.type === "text") text += ev.text;
        else if (ev.type === "redacted_thinking") redacted++;
        else if (ev.type === "tool_call") calls.push({ id: ev.id, name: ev.name, arguments: argumentsValue(ev.arguments) });
        else if (ev.type === "usage") latestUsage(usage, ev);
        else if (ev.type === "stop") stop = { reason: ev.reason, truncated: ev.truncated };
      }
    } catch (e) {
      if (timedOut) throw failedWith(new SamplingError("timeout", `no data for ${idleText}: the sample was abandoned`));
      if (e instanceof Cancelled || run.signal.aborted) throw new Cancelled();
      throw failedWith(isSamplingError(e) ? e : new SamplingError("server", e instanceof Error ? e.message : String(e)));
    } finally {
      if (timer) clearTimeout(timer);
      run.signal.removeEventListener("abort", onRun);
      progress.streaming--;
    }
    if (timedOut) throw failedWith(new SamplingError("timeout", `no data for ${idleText}: the sample was abandoned`));
    if (run.signal.aborted) throw new Cancelled();
    if (stop === null) throw failedWith(new SamplingError("incomplete", "the stream ended without its stop event"));
    return { text, thinking, redacted, usage, steps: recorder.steps, blocks: blocks.message(), calls, stop, latencyMs: Date.now() - started };
  };

  /** Records a sample as failed, with its reason and what its last attempt had said. */
  const recordFailure = async (index: number, err: SamplingError, attempts: number, partial: AttemptFailed["partial"], extra: { message?: string; retryAfterMs?: number } = {}) => {
    const failure: FailedSample = {
      index,
      kind: err.kind,
      message: extra.message ?? err.message,
      attempts,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.url ? { url: err.url } : {}),
      ...(err.requestId ? { requestId: err.requestId } : {}),
      retryable: err.retryable,
      ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
      ...(partial ? { partial } : {}),
    };
    failures.push(failure);
    progress.failed++;
    await emit({ type: "failure", failure });
    await tick();
  };

  /** Waits, unless nothing new may start any more; false when it may not. */
  const waitToStart = async (ms: number): Promise<boolean> => {
    if (ms > 0) {
      try {
        await sleep(ms, starting.signal);
      } catch (e) {
        if (run.signal.aborted) throw new Cancelled();
        if (!halt) throw e;
      }
    }
    if (run.signal.aborted) throw new Cancelled();
    return halt === null;
  };

  /**
   * One turn of a sample (its only turn, or one of a rollout's), retried on its own with backoff:
   * the turn, with the attempts it took, or null when the sample failed (recorded) or may not go
   * on. `before` is what the sample's earlier turns had said and how many attempts they took (a
   * failure records them too). Throws Cancelled.
   */
  const turnWithRetries = async (index: number, request: SampleRequest, turnNo: number, before: { text: string; thinking: string; attempts: number }): Promise<{ turn: TurnResult; tries: number } | null> => {
    const withBefore = (p: AttemptFailed["partial"]): AttemptFailed["partial"] => {
      const text = joinTurns([before.text, p?.text ?? ""]);
      const thinking = joinTurns([before.thinking, p?.thinking ?? ""]);
      return text || thinking ? { text, thinking } : undefined;
    };
    let last: AttemptFailed | null = null;
    for (let tries = 0; ; tries++) {
      if (!(await waitToStart(pauseUntil - Date.now()))) {
        // the server said to stop while this sample waited to retry: it fails with its last reason
        if (last) await recordFailure(index, last.error, before.attempts + tries, withBefore(last.partial));
        // or between two turns of its rollout: it fails as the run was halted (a resumed run redoes it)
        else if (turnNo > 0 && haltError) await recordFailure(index, haltError, before.attempts, withBefore(undefined), { message: `stopped between two turns of its rollout: ${halt}` });
        return null;
      }
      try {
        return { turn: await attempt(request, turnNo), tries };
      } catch (e) {
        if (e instanceof Cancelled || run.signal.aborted) throw new Cancelled();
        if (!(e instanceof AttemptFailed)) {
          // not the sample's failure: stop the run with it
          run.abort();
          throw e;
        }
        last = e;
        const err = e.error;
        const attempts = before.attempts + tries + 1;
        if (!err.retryable) {
          // fatal: the first sample to meet it fails the run (one failure line, one message);
          // others meeting it at the same moment stop like the samples in flight
          if (failed.error) throw new Cancelled();
          failed.error = err;
          run.abort();
          await recordFailure(index, err, attempts, withBefore(e.partial));
          throw new Cancelled();
        }
        const asked = err.retryAfterMs;
        if (asked !== undefined && asked > maxRetryWaitMs) {
          // waiting that long would hold the whole run: stop starting, keep what finishes
          const wait = `the server asked to wait ${formatWait(asked)} before retrying (more than the ${formatWait(maxRetryWaitMs)} limit, --max-retry-wait or the hotmess.maxRetryWait setting)`;
          halt ??= wait;
          haltError ??= err;
          starting.abort();
          await recordFailure(index, err, attempts, withBefore(e.partial), { message: `${err.message.replace(/\.$/, "")}: ${wait}`, retryAfterMs: asked });
          return null;
        }
        if (halt || tries >= maxRetries) {
          await recordFailure(index, err, attempts, withBefore(e.partial));
          return null;
        }
        const backoff = Math.min(cap, base * 2 ** tries) * (0.5 + 0.5 * random());
        const waitMs = asked !== undefined ? asked + 0.1 * backoff * random() : backoff;
        if (asked !== undefined && (err.kind === "rate_limit" || err.kind === "overloaded")) pauseUntil = Math.max(pauseUntil, Date.now() + asked);
        progress.retrying++;
        progress.retriesSoFar++;
        await emit({ type: "retry", index, attempt: attempts, waitMs, reason: err.message });
        await tick();
        try {
          if (!(await waitToStart(waitMs))) {
            await recordFailure(index, err, attempts, withBefore(e.partial));
            return null;
          }
        } finally {
          progress.retrying--;
        }
      }
    }
  };

  /**
   * The result a rollout gives a call: from the replay table, else from the tool command; missing
   * when neither has one; an error when the tool command cannot be started. Throws Cancelled.
   */
  const resultFor = async (rollout: Rollout, call: TurnResult["calls"][number]): Promise<{ text: string; isError: boolean; from: "replay" | "command"; ambiguous: boolean } | { missing: true } | { error: string }> => {
    const replayed = rollout.replay ? lookupReplay(rollout.replay, call) : null;
    if (replayed) return { text: replayed.result.text, isError: replayed.result.isError, from: "replay", ambiguous: replayed.others > 0 };
    if (!rollout.command) return { missing: true };
    try {
      const r = await runTool(rollout.command, call, { ...(rollout.timeoutMs !== undefined ? { timeoutMs: rollout.timeoutMs } : {}), ...(rollout.cwd ? { cwd: rollout.cwd } : {}), signal: run.signal, env: toolEnvironment(process.env, o.provider.secrets ?? []) });
      if (run.signal.aborted) throw new Cancelled();
      return { text: r.text, isError: r.isError, from: "command", ambiguous: false };
    } catch (e) {
      if (e instanceof Cancelled || run.signal.aborted) throw new Cancelled();
      if (e instanceof ToolCommandError) return { error: e.message };
      throw e;
    }
  };

  /**
   * One sample: its turn, or with a rollout its turns until it answers without a call, reaches
   * the actions asked for, meets a call without a result, or stops at max tokens. Each turn is
   * retried on its own; the sample is recorded once, with every turn's steps, its usage and cost
   * summed over the turns.
   */
  const sampleOne = async (index: number): Promise<void> => {
    const rollout = o.request.rollout && o.request.conversation ? o.request.rollout : null;
    // the turns' streaming time and the time their results took (not the waits between retries)
    let latencyMs = 0;
    const texts: string[] = [];
    const thoughts: string[] = [];
    const steps: TrajectoryStep[] = [];
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let redacted = 0;
    let cost: number | null = 0;
    let attempts = 0;
    let retries = 0;
    let lastStop = { reason: "", truncated: false };
    let conversation = o.request.conversation;
    let rolloutStop: RolloutStop | undefined;
    const tally = { replay: 0, command: 0, ambiguous: 0 };
    let actions = 0;
    for (let turnNo = 0; ; turnNo++) {
      const request = turnNo === 0 ? o.request : { ...o.request, ...(conversation ? { conversation } : {}) };
      const got = await turnWithRetries(index, request, turnNo, { text: joinTurns(texts), thinking: joinTurns(thoughts), attempts });
      if (!got) return;
      const { turn } = got;
      attempts += got.tries + 1;
      retries += got.tries;
      texts.push(turn.text);
      thoughts.push(turn.thinking);
      steps.push(...turn.steps);
      redacted += turn.redacted;
      addUsage(usage, turn.usage);
      // priced per turn: a long prompt's rate depends on each request's own length
      const turnCost = costOf(price, turn.usage.inputTokens, turn.usage.outputTokens, { readTokens: turn.usage.cacheReadTokens, writeTokens: turn.usage.cacheWriteTokens });
      cost = cost === null || turnCost === null ? null : cost + turnCost;
      lastStop = turn.stop;
      latencyMs += turn.latencyMs;
      if (!rollout || !conversation) break;
      const ended = (reason: RolloutStop["reason"], extra: { call?: string; message?: string } = {}): RolloutStop => ({ reason, ...extra, turns: turnNo + 1, actions, results: { ...tally } });
      if (turn.stop.truncated) {
        rolloutStop = ended("truncated");
        break;
      }
      if (turn.calls.length === 0) {
        rolloutStop = ended("answered");
        break;
      }
      actions += turn.calls.length;
      if (actions >= rollout.steps) {
        rolloutStop = ended("steps");
        break;
      }
      const results: ConversationBlock[] = [];
      for (const call of turn.calls) {
        const asked = Date.now();
        const r = await resultFor(rollout, call);
        latencyMs += Date.now() - asked;
        if ("missing" in r) rolloutStop = ended("no-result", { call: actionKey(call) });
        else if ("error" in r) rolloutStop = ended("error", { call: actionKey(call), message: r.error });
        if (rolloutStop) break;
        const got = r as Exclude<typeof r, { missing: true } | { error: string }>;
        tally[got.from]++;
        if (got.ambiguous) tally.ambiguous++;
        steps.push({ kind: "tool_result", id: call.id, name: call.name, text: got.text, ...(got.isError ? { isError: true } : {}) });
        results.push({ type: "tool_result", id: call.id, content: got.text, ...(got.isError ? { isError: true } : {}) });
      }
      if (rolloutStop) {
        rolloutStop.results = { ...tally };
        break;
      }
      // the turn as the provider returned it (thinking with its signature), then its results
      conversation = { ...conversation, messages: [...conversation.messages, turn.blocks, { role: "user", content: results }] };
    }
    try {
      const finished: FinishedSample = {
        index,
        text: joinTurns(texts),
        thinking: joinTurns(thoughts),
        redactedThinking: redacted,
        usage,
        costUsd: cost,
        latencyMs,
        truncated: lastStop.truncated,
        stopReason: lastStop.reason,
        // a conversation's next turn, or a reply that called a tool, is kept as its steps
        ...(o.request.conversation || steps.some((st) => st.kind === "tool_call") ? { steps } : {}),
        ...(rolloutStop ? { rolloutStop } : {}),
        retries,
        finishedAt: new Date().toISOString(),
      };
      samples.push(finished);
      progress.done++;
      progress.inputTokens += usage.inputTokens;
      progress.outputTokens += usage.outputTokens;
      if (usage.cacheReadTokens) progress.cacheReadTokens = (progress.cacheReadTokens ?? 0) + usage.cacheReadTokens;
      if (usage.cacheWriteTokens) progress.cacheWriteTokens = (progress.cacheWriteTokens ?? 0) + usage.cacheWriteTokens;
      progress.costUsd = progress.costUsd === null || cost === null ? null : progress.costUsd + cost;
      await emit({ type: "sample", sample: finished });
      await tick();
    } catch (e) {
      // not the sample's failure (the run file could not be written): stop the run with it
      run.abort();
      throw e;
    }
  };

  /** Runs `count` new samples with the concurrency bound. */
  let nextIndex = o.firstIndex ?? samples.reduce((m, s) => Math.max(m, s.index + 1), 0);
  const wave = async (count: number) => {
    let left = count;
    const worker = async () => {
      while (left > 0 && !run.signal.aborted && halt === null) {
        left--;
        await sampleOne(nextIndex++);
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, worker));
    for (const r of results) if (r.status === "rejected" && !(r.reason instanceof Cancelled)) throw r.reason;
  };

  let stoppedEarly = false;
  await tick();
  // a request the provider refuses as it is (a key in its base URL, a temperature the model does
  // not take) is never sent: the run fails with it as a refused request, before any attempt
  const refused = o.provider.check(o.request);
  try {
    if (refused) {
      failed.error = new SamplingError("request", refused);
      await recordFailure(nextIndex, failed.error, 0, undefined);
    } else if (!o.untilCi) await wave(Math.max(0, o.n - samples.length));
    else {
      // the first wave reaches the minimum; each next one is as large as the projection says it
      // takes to bring the width under W (never past n; all the rest when it is out of reach)
      const min = Math.max(2, o.untilCi.minSamples ?? 10);
      let next = 0;
      while (!run.signal.aborted && halt === null && samples.length + failures.length < o.n) {
        const left = o.n - samples.length - failures.length;
        const want = samples.length < min ? min - samples.length : next;
        await wave(Math.min(want, left));
        if (run.signal.aborted || halt !== null || samples.length < min) continue;
        const { width, more } = ciProgress(samples, o.untilCi.reference, o.untilCi.width, o.untilCi.resamples, o.untilCi.seed);
        progress.ciWidth = width;
        await emit({ type: "wave", samples: samples.length, ciWidth: width, more });
        if (width !== null && width < o.untilCi.width) {
          stoppedEarly = samples.length < o.n;
          break;
        }
        // 0: the projection (fewer draws) already calls it narrow enough; one more rerun at a time then
        next = more === null ? o.n : Math.max(1, more);
      }
    }
  } finally {
    o.signal?.removeEventListener("abort", onOuterAbort);
  }
  await tick();
  samples.sort((a, b) => a.index - b.index);
  const fatal = failed.error;
  const cancelled = !fatal && o.signal?.aborted === true;
  const none = !fatal && !cancelled && samples.length === 0 && failures.length > 0;
  const status: RunEndLine["status"] = fatal || none ? "failed" : cancelled ? "cancelled" : failures.length > 0 ? "partial" : "complete";
  const lost = failures.length > 0 ? `${failures.length} of ${o.n} failed (${failures.at(-1)!.message})` : "";
  const message =
    fatal ? fatal.message
    : cancelled ? `cancelled with ${samples.length} of ${o.n} samples finished (kept)`
    : halt ? `stopped starting samples: ${halt}; ${samples.length} of ${o.n} samples finished`
    : none ? `no sample finished: ${lost}`
    : lost ? `${samples.length} of ${o.n} samples finished, ${lost}`
    : undefined;
  return { status, ...(message ? { message } : {}), stoppedEarly, samples, failures, progress: { ...progress } };
}
