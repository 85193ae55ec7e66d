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
import { argumentsValue } from "../core/trajectory";
import type { TrajectoryStep } from "../core/types";
import { isSamplingError, SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "./types";

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
 * reasoning step, consecutive text one text step, each tool call a step with its arguments
 * parsed (kept as the raw text when they are not JSON; none → {}).
 */
export class StepRecorder {
  readonly steps: TrajectoryStep[] = [];
  add(ev: ProviderEvent): void {
    const last = this.steps[this.steps.length - 1];
    if (ev.type === "thinking" || ev.type === "text") {
      const kind = ev.type === "thinking" ? "reasoning" : "text";
      if (last && last.kind === kind) last.text = (last.text ?? "") + ev.text;
      else this.steps.push({ kind, text: ev.text });
    } else if (ev.type === "tool_call") {
      this.steps.push({ kind: "tool_call", name: ev.name, arguments: argumentsValue(ev.arguments), ...(ev.id ? { id: ev.id } : {}) });
    }
  }

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

  /** One attempt at a sample; throws AttemptFailed (with what was said so far) or Cancelled. */
  const attempt = async (index: number): Promise<Omit<FinishedSample, "retries" | "finishedAt">> => {
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
    let stop: { reason: string; truncated: boolean } | null = null;
    const failedWith = (error: SamplingError) => new AttemptFailed(error, text || thinking ? { text, thinking } : undefined);
    progress.streaming++;
    try {
      arm();
      for await (const ev of o.provider.stream(o.request, ctl.signal)) {
        arm();
        recorder.add(ev);
        if (ev.type === "thinking") thinking += ev.text;
        else if (ev.type === "text") text += ev.text;
        else if (ev.type === "redacted_thinking") redacted++;
        else if (ev.type === "usage") {
          if (ev.inputTokens !== undefined) usage.inputTokens = ev.inputTokens;
          if (ev.outputTokens !== undefined) usage.outputTokens = ev.outputTokens;
          if (ev.thinkingTokens !== undefined) usage.thinkingTokens = ev.thinkingTokens;
          if (ev.cacheReadTokens !== undefined) usage.cacheReadTokens = ev.cacheReadTokens;
          if (ev.cacheWriteTokens !== undefined) usage.cacheWriteTokens = ev.cacheWriteTokens;
        } else if (ev.type === "stop") stop = { reason: ev.reason, truncated: ev.truncated };
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
    return {
      index,
      text,
      thinking,
      redactedThinking: redacted,
      usage,
      costUsd: costOf(price, usage.inputTokens, usage.outputTokens, { readTokens: usage.cacheReadTokens, writeTokens: usage.cacheWriteTokens }),
      latencyMs: Date.now() - started,
      truncated: stop.truncated,
      stopReason: stop.reason,
      // a conversation's next turn, or a reply that called a tool, is kept as its steps
      ...(o.request.conversation || recorder.steps.some((st) => st.kind === "tool_call") ? { steps: recorder.steps } : {}),
    };
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

  const sampleOne = async (index: number): Promise<void> => {
    let last: AttemptFailed | null = null;
    for (let tries = 0; ; tries++) {
      if (!(await waitToStart(pauseUntil - Date.now()))) {
        // the server said to stop while this sample waited to retry: it fails with its last reason
        if (last) await recordFailure(index, last.error, tries, last.partial);
        return;
      }
      try {
        const s = await attempt(index);
        const finished: FinishedSample = { ...s, retries: tries, finishedAt: new Date().toISOString() };
        samples.push(finished);
        progress.done++;
        progress.inputTokens += s.usage.inputTokens;
        progress.outputTokens += s.usage.outputTokens;
        if (s.usage.cacheReadTokens) progress.cacheReadTokens = (progress.cacheReadTokens ?? 0) + s.usage.cacheReadTokens;
        if (s.usage.cacheWriteTokens) progress.cacheWriteTokens = (progress.cacheWriteTokens ?? 0) + s.usage.cacheWriteTokens;
        progress.costUsd = progress.costUsd === null || s.costUsd === null ? null : progress.costUsd + s.costUsd;
        await emit({ type: "sample", sample: finished });
        await tick();
        return;
      } catch (e) {
        if (e instanceof Cancelled || run.signal.aborted) throw new Cancelled();
        if (!(e instanceof AttemptFailed)) {
          // not the sample's failure (the run file could not be written): stop the run with it
          run.abort();
          throw e;
        }
        last = e;
        const err = e.error;
        if (!err.retryable) {
          // fatal: the first sample to meet it fails the run (one failure line, one message);
          // others meeting it at the same moment stop like the samples in flight
          if (failed.error) throw new Cancelled();
          failed.error = err;
          run.abort();
          await recordFailure(index, err, tries + 1, e.partial);
          throw new Cancelled();
        }
        const asked = err.retryAfterMs;
        if (asked !== undefined && asked > maxRetryWaitMs) {
          // waiting that long would hold the whole run: stop starting, keep what finishes
          const wait = `the server asked to wait ${formatWait(asked)} before retrying (more than the ${formatWait(maxRetryWaitMs)} limit, --max-retry-wait or the hotmess.maxRetryWait setting)`;
          halt ??= wait;
          starting.abort();
          await recordFailure(index, err, tries + 1, e.partial, { message: `${err.message.replace(/\.$/, "")}: ${wait}`, retryAfterMs: asked });
          return;
        }
        if (halt || tries >= maxRetries) {
          await recordFailure(index, err, tries + 1, e.partial);
          return;
        }
        const backoff = Math.min(cap, base * 2 ** tries) * (0.5 + 0.5 * random());
        const waitMs = asked !== undefined ? asked + 0.1 * backoff * random() : backoff;
        if (asked !== undefined && (err.kind === "rate_limit" || err.kind === "overloaded")) pauseUntil = Math.max(pauseUntil, Date.now() + asked);
        progress.retrying++;
        progress.retriesSoFar++;
        await emit({ type: "retry", index, attempt: tries + 1, waitMs, reason: err.message });
        await tick();
        try {
          if (!(await waitToStart(waitMs))) {
            await recordFailure(index, err, tries + 1, e.partial);
            return;
          }
        } finally {
          progress.retrying--;
        }
      }
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
