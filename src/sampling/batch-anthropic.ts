// Anthropic Message Batches through @anthropic-ai/sdk (`client.messages.batches.*`): each
// request's `params` is exactly the body the live provider sends for the same SampleRequest,
// without `stream` (anthropicRequestBody); results are read with the SDK's JSONL decoder, which
// parses the results file line by line as it arrives (never the whole file).
import Anthropic from "@anthropic-ai/sdk";
import { kindOfStatus } from "../core/failures";
import { anthropicRequestBody } from "./anthropic";
import { sampleOf, splitBatches, ANTHROPIC_BATCH_LIMITS, FIND_WINDOW_MS, type SubmissionHint, type BatchClient, type BatchCounts, type BatchFailure, type BatchRequest, type BatchResult, type BatchStatus } from "./batch";
import { classify, type Endpoint } from "./errors";
import { checkBaseURL, safeBaseURL } from "./store";
import { SamplingError, type ProviderEvent } from "./types";

export interface AnthropicBatchOptions {
  apiKey: string;
  baseURL?: string;
}

/** One request of a batch as sent: {custom_id, params}. */
export function anthropicBatchItem(r: BatchRequest): { custom_id: string; params: Record<string, unknown> } {
  return { custom_id: r.customId, params: anthropicRequestBody(r.request) };
}

/** The JSON body {"requests":[…]} is these bytes plus each item's JSON and a comma (one fewer comma than items: hence − 1). */
const BODY_OVERHEAD = Buffer.byteLength('{"requests":[]}') - 1;

/** Splits requests into batches within Message Batches' limits (100,000 requests, 256 MB of body). */
export function splitAnthropicBatches(requests: readonly BatchRequest[], limits = ANTHROPIC_BATCH_LIMITS): BatchRequest[][] {
  return splitBatches(requests, limits, (r) => Buffer.byteLength(JSON.stringify(anthropicBatchItem(r))) + 1, BODY_OVERHEAD);
}

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** A Message (the non-streaming reply) as the events its stream would have sent, in order. */
export function anthropicMessageEvents(m: Anthropic.Message): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  const u = m.usage;
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  events.push({ type: "usage", inputTokens: u.input_tokens + read + write, outputTokens: u.output_tokens, ...(read > 0 ? { cacheReadTokens: read } : {}), ...(write > 0 ? { cacheWriteTokens: write } : {}) });
  for (const b of m.content) {
    if (b.type === "thinking") {
      if (b.thinking) events.push({ type: "thinking", text: b.thinking });
      if (b.signature) events.push({ type: "thinking_signature", signature: b.signature });
    } else if (b.type === "redacted_thinking") events.push({ type: "redacted_thinking", data: b.data });
    else if (b.type === "text") {
      if (b.text) events.push({ type: "text", text: b.text });
    } else if (b.type === "tool_use") events.push({ type: "tool_call", id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
  }
  const reason = m.stop_reason ?? "end_turn";
  events.push({ type: "stop", reason, truncated: reason === "max_tokens" });
  return events;
}

/** One line of the results file, mapped to a sample or a failure as a run records them. */
export function anthropicResult(line: Anthropic.Messages.MessageBatchIndividualResponse): BatchResult {
  const r = line.result;
  if (r.type === "succeeded") return { customId: line.custom_id, ok: sampleOf(anthropicMessageEvents(r.message)) };
  let error: BatchFailure;
  if (r.type === "errored") {
    const e = r.error?.error as { type?: string; message?: string } | undefined;
    const type = e?.type ?? "api_error";
    const status = STATUS_BY_TYPE[type];
    const kind = kindOfStatus(status ?? 500, type);
    const requestId = r.error?.request_id;
    error = { kind, message: `Anthropic: ${e?.message ?? "the request failed"} (${type}${requestId ? `, ${requestId}` : ""})`, ...(status !== undefined ? { status } : {}), retryable: kind !== "request" && kind !== "auth" };
  } else if (r.type === "expired") error = { kind: "expired", message: "Anthropic: the batch ended (its 24 hours passed) before this request was processed", retryable: true };
  else error = { kind: "canceled", message: "Anthropic: the batch was canceled before this request was processed", retryable: true };
  return { customId: line.custom_id, error };
}

function statusOf(b: Anthropic.Messages.MessageBatch): BatchStatus {
  const c = b.request_counts;
  const counts: BatchCounts = { processing: c.processing, succeeded: c.succeeded, errored: c.errored, expired: c.expired, canceled: c.canceled };
  return { state: b.processing_status === "ended" ? "ended" : b.processing_status === "canceling" ? "canceling" : "in_progress", providerStatus: b.processing_status, counts };
}

export class AnthropicBatchClient implements BatchClient {
  readonly id = "anthropic";
  private readonly client: Anthropic;
  private readonly where: string;
  private readonly secrets: readonly string[];
  private readonly refusedURL: string | null;
  private readonly endpoint: Endpoint;

  constructor(options: AnthropicBatchOptions) {
    this.secrets = [options.apiKey];
    this.refusedURL = checkBaseURL(options.baseURL, "ANTHROPIC_API_KEY");
    // the SDK retries 429 / 5xx on these idempotent-by-id reads and the create (2 retries by default)
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL ?? null, timeout: 600_000, logLevel: "off" });
    this.where = options.baseURL ? `Anthropic (${safeBaseURL(options.baseURL) ?? "the base URL"})` : "Anthropic";
    this.endpoint = { url: `${safeBaseURL(this.client.baseURL) ?? "https://api.anthropic.com"}/v1/messages/batches`, custom: options.baseURL !== undefined };
  }

  private fail(e: unknown): never {
    throw classify(e, this.where, this.secrets, this.endpoint);
  }

  async submit(requests: readonly BatchRequest[], signal?: AbortSignal): Promise<{ batchId: string }> {
    if (this.refusedURL) throw new SamplingError("request", this.refusedURL);
    if (requests.length === 0) throw new SamplingError("request", "a batch needs at least one request");
    if (requests.length > ANTHROPIC_BATCH_LIMITS.maxRequests) throw new SamplingError("request", `${requests.length} requests are over Message Batches' limit of ${ANTHROPIC_BATCH_LIMITS.maxRequests}: split them first (splitAnthropicBatches)`);
    try {
      const batch = await this.client.messages.batches.create({ requests: requests.map(anthropicBatchItem) as unknown as Anthropic.Messages.BatchCreateParams["requests"] }, { ...(signal ? { signal } : {}), maxRetries: 0 });
      return { batchId: batch.id };
    } catch (e) {
      this.fail(e);
    }
  }

  async find(hint: SubmissionHint, signal?: AbortSignal): Promise<string[]> {
    const at = Date.parse(hint.at);
    const found: string[] = [];
    try {
      for await (const b of this.client.messages.batches.list({ limit: 100 }, signal ? { signal } : undefined)) {
        const created = Date.parse(b.created_at);
        if (created < at - FIND_WINDOW_MS.before) break; // newest first: the rest are older
        if (created > at + FIND_WINDOW_MS.after) continue;
        const c = b.request_counts;
        if (c.processing + c.succeeded + c.errored + c.canceled + c.expired === hint.count) found.push(b.id);
      }
    } catch (e) {
      this.fail(e);
    }
    return found;
  }

  async status(batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.messages.batches.retrieve(batchId, {}, signal ? { signal } : undefined));
    } catch (e) {
      this.fail(e);
    }
  }

  async cancel(batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.messages.batches.cancel(batchId, {}, signal ? { signal } : undefined));
    } catch (e) {
      this.fail(e);
    }
  }

  async *results(batchId: string, signal?: AbortSignal): AsyncIterable<BatchResult> {
    let lines: AsyncIterable<Anthropic.Messages.MessageBatchIndividualResponse>;
    try {
      lines = await this.client.messages.batches.results(batchId, {}, signal ? { signal } : undefined);
    } catch (e) {
      this.fail(e);
    }
    const it = lines[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Anthropic.Messages.MessageBatchIndividualResponse>;
      try {
        next = await it.next();
      } catch (e) {
        if (e instanceof SyntaxError) throw new SamplingError("protocol", `${this.where}: a line of batch ${batchId}'s results is not JSON (${e.message})`);
        this.fail(e);
      }
      if (next.done) return;
      yield anthropicResult(next.value);
    }
  }
}
