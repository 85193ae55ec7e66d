// What the two batch clients (batch-anthropic.ts: Message Batches; batch-openai.ts: the Batch
// API over the Files API) share: the requests they take, the status they report, the results
// they stream, each result mapped to what a live run records for a sample (RunSampleLine's
// fields) or a failure (RunFailureLine's kind and message); and the split of a request list
// that is over a provider's limits into several batches.
//
// Each result is folded from the reply's content as ProviderEvents, in the order the live stream
// would have sent them, through the engine's own StepRecorder: the text, the thinking, the
// redacted count, the usage and the steps come out as a live sample of the same reply has them.
import type { TrajectoryStep } from "../core/types";
import type { FailureKind } from "../core/failures";
import { latestUsage, StepRecorder, type Usage } from "./engine";
import type { ProviderEvent, SampleRequest } from "./types";

export interface BatchRequest {
  /** The key each result comes back with (1–64 characters of [A-Za-z0-9_-] at Anthropic; unique within a batch). */
  customId: string;
  request: SampleRequest;
}

export interface BatchCounts {
  processing: number;
  succeeded: number;
  errored: number;
  expired: number;
  canceled: number;
}

/**
 * A batch's state, the providers' states folded to four: still working (Anthropic in_progress;
 * OpenAI validating, in_progress, finalizing), canceling, ended (its results can be read:
 * Anthropic ended; OpenAI completed, expired, cancelled), failed (OpenAI's failed: the input
 * file was refused, nothing ran).
 */
export type BatchState = "in_progress" | "canceling" | "ended" | "failed";

export interface BatchStatus {
  state: BatchState;
  /** The provider's own word for it (processing_status / status). */
  providerStatus: string;
  counts: BatchCounts;
  /** Why a failed batch failed (OpenAI's errors.data), when it says. */
  message?: string;
}

/** A reply as a run records it: the fields of a RunSampleLine that come from the reply. */
export interface BatchSample {
  text: string;
  thinking: string;
  redactedThinking: number;
  usage: Usage;
  truncated: boolean;
  stopReason: string;
  /** The reply as a trajectory's steps, when it called a tool (a conversation's turn: the caller knows, `stepsOf`). */
  steps?: TrajectoryStep[];
  /** Every step, tool calls or not: what a conversation's sample records. */
  allSteps: TrajectoryStep[];
}

/**
 * A request that got no reply, as a run's failure line has it: errored at the provider (its
 * HTTP status and error type when it gave them), expired (the 24 h window ended first) or
 * canceled (the batch was canceled before it ran).
 */
export interface BatchFailure {
  kind: FailureKind | "expired" | "canceled";
  message: string;
  status?: number;
  /** Whether resubmitting it may succeed. */
  retryable: boolean;
}

export type BatchResult = { customId: string; ok: BatchSample; error?: undefined } | { customId: string; error: BatchFailure; ok?: undefined };

/**
 * What identifies a submission whose batch id was never recorded (the process stopped between
 * sending it and writing the id): when it was sent, how many requests, and the tag it was sent
 * with (OpenAI keeps it as the batch's metadata; Anthropic's batches have none).
 */
export interface SubmissionHint {
  at: string;
  count: number;
  tag: BatchTag;
}

/** A sweep's batch, named in its metadata where the provider keeps metadata. */
export interface BatchTag {
  sweep: string;
  part: number;
}

/** How far around a submission's time a batch created for it is looked for (clocks differ). */
export const FIND_WINDOW_MS = { before: 5 * 60_000, after: 60 * 60_000 };

export interface BatchClient {
  readonly id: "anthropic" | "openai";
  /** Submits the requests as one batch (the caller splits first: `splitBatches`), tagged where the provider keeps metadata. */
  submit(requests: readonly BatchRequest[], signal?: AbortSignal, tag?: BatchTag): Promise<{ batchId: string }>;
  /**
   * The batches that may be the one a submission created: listed by the provider, newest first,
   * down to the hint's time; matched by the tag (OpenAI) or by the time and request count
   * (Anthropic). None: it was never created.
   */
  find(hint: SubmissionHint, signal?: AbortSignal): Promise<string[]>;
  status(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** The results of an ended batch, streamed: one at a time as its file is read, never held whole. */
  results(batchId: string, signal?: AbortSignal): AsyncIterable<BatchResult>;
  cancel(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
}

/** The reply's events folded as the run engine folds a live stream's (text, thinking, usage, steps). */
export function sampleOf(events: readonly ProviderEvent[]): BatchSample {
  let text = "";
  let thinking = "";
  let redacted = 0;
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let stop = { reason: "", truncated: false };
  const recorder = new StepRecorder();
  for (const ev of events) {
    recorder.add(ev);
    if (ev.type === "thinking") thinking += ev.text;
    else if (ev.type === "text") text += ev.text;
    else if (ev.type === "redacted_thinking") redacted++;
    else if (ev.type === "usage") latestUsage(usage, ev);
    else if (ev.type === "stop") stop = { reason: ev.reason, truncated: ev.truncated };
  }
  const steps = recorder.steps;
  return {
    text,
    thinking,
    redactedThinking: redacted,
    usage,
    truncated: stop.truncated,
    stopReason: stop.reason,
    ...(steps.some((s) => s.kind === "tool_call") ? { steps } : {}),
    allSteps: steps,
  };
}

/** A provider's limits on one batch. */
export interface BatchLimits {
  maxRequests: number;
  /** Of the batch's body as sent (Anthropic: the JSON request; OpenAI: the uploaded JSONL file). */
  maxBytes: number;
}

/** Message Batches: 100,000 requests or 256 MB per batch. */
export const ANTHROPIC_BATCH_LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };
/** The Batch API: 50,000 requests or a 200 MB input file per batch. */
export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

/**
 * Splits requests into consecutive batches, each within the limits: at most maxRequests
 * requests, and the sum of their sizes (`sizeOf`: the bytes the request adds to the batch's
 * body) plus `overhead` at most maxBytes. Order is kept. A single request larger than a batch
 * can hold is an error naming it (no provider would take it).
 */
export function splitBatches<T>(items: readonly T[], limits: BatchLimits, sizeOf: (item: T) => number, overhead = 0): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = overhead;
  items.forEach((item, i) => {
    const size = sizeOf(item);
    if (overhead + size > limits.maxBytes) throw new Error(`request ${i + 1} alone is ${size} bytes, over the batch limit of ${limits.maxBytes} bytes`);
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + size > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = overhead;
    }
    current.push(item);
    bytes += size;
  });
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Reads lines from a stream of bytes as they arrive (a line may be cut anywhere across chunks,
 * a multi-byte character too): only the unfinished last line is held. Blank lines are skipped;
 * a last line without its newline is still a line.
 */
export async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let tail = "";
  for await (const chunk of chunks) {
    tail += decoder.decode(chunk, { stream: true });
    let at: number;
    let from = 0;
    while ((at = tail.indexOf("\n", from)) >= 0) {
      const line = tail.slice(from, at).replace(/\r$/, "");
      from = at + 1;
      if (line.trim() !== "") yield line;
    }
    tail = tail.slice(from);
  }
  tail += decoder.decode();
  if (tail.trim() !== "") yield tail.replace(/\r$/, "");
}
