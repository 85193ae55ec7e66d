// The OpenAI Batch API through the `openai` SDK (v6): the requests as a JSON Lines file uploaded
// with `files.create` (purpose "batch"), each line {custom_id, method: "POST", url:
// "/v1/chat/completions", body} with body exactly what the live provider sends for the same
// SampleRequest without streaming (openAIRequestBody); then `batches.create` over it with the
// 24 h window. Results: the output file (responses) then the error file (refused, expired and
// cancelled requests), each read with `files.content` and parsed line by line as its body
// arrives (never a whole file).
import OpenAI, { toFile } from "openai";
import { kindOfStatus } from "../core/failures";
import { openAIRequestBody, ThinkSplitter } from "./openai";
import { linesOf, sampleOf, splitBatches, OPENAI_BATCH_LIMITS, FIND_WINDOW_MS, type BatchTag, type SubmissionHint, type BatchClient, type BatchCounts, type BatchFailure, type BatchRequest, type BatchResult, type BatchStatus } from "./batch";
import { classify, type Endpoint } from "./errors";
import { checkBaseURL, safeBaseURL } from "./store";
import { SamplingError, type ProviderEvent } from "./types";

export interface OpenAIBatchOptions {
  apiKey: string;
  /** Another endpoint than api.openai.com (a gateway, a test server), including /v1. */
  baseURL?: string;
  /**
   * Send `max_tokens` (what OpenAI-compatible servers read) instead of `max_completion_tokens`
   * (what OpenAI itself wants): as the live provider does with a base URL. Default false: the
   * Batch API is OpenAI's own.
   */
  compatible?: boolean;
}

const ENDPOINT = "/v1/chat/completions";

/** A sweep's batch as the Batch API's metadata keeps it (string values; found again by `find`). */
function metadataOf(tag: BatchTag): Record<string, string> {
  return { hotmess_sweep: tag.sweep, hotmess_part: String(tag.part) };
}

/** One line of the batch's input file (without its newline). */
export function openAIBatchLine(r: BatchRequest, compatible = false): string {
  return JSON.stringify({ custom_id: r.customId, method: "POST", url: ENDPOINT, body: openAIRequestBody(r.request, { compatible, stream: false }) });
}

/** Splits requests into batches within the Batch API's limits (50,000 requests, a 200 MB input file). */
export function splitOpenAIBatches(requests: readonly BatchRequest[], limits = OPENAI_BATCH_LIMITS, compatible = false): BatchRequest[][] {
  return splitBatches(requests, limits, (r) => Buffer.byteLength(openAIBatchLine(r, compatible)) + 1);
}

interface ChatCompletionLike {
  choices?: { message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; completion_tokens_details?: { reasoning_tokens?: number } | null; prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null } | null;
}

/** A chat completion (the non-streaming reply) as the events its stream would have sent. */
export function openAICompletionEvents(c: ChatCompletionLike): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  const u = c.usage;
  if (u) {
    const p = u.prompt_tokens_details;
    events.push({
      type: "usage",
      inputTokens: u.prompt_tokens ?? 0,
      outputTokens: u.completion_tokens ?? 0,
      ...(u.completion_tokens_details?.reasoning_tokens !== undefined ? { thinkingTokens: u.completion_tokens_details.reasoning_tokens } : {}),
      ...(p?.cached_tokens ? { cacheReadTokens: p.cached_tokens } : {}),
      ...(p?.cache_write_tokens ? { cacheWriteTokens: p.cache_write_tokens } : {}),
    });
  }
  const choice = c.choices?.[0];
  const m = choice?.message ?? {};
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (reasoning) events.push({ type: "thinking", text: reasoning });
  if (m.content) {
    // <think>…</think> inside the content, as the live provider splits it
    const splitter = new ThinkSplitter();
    for (const part of [splitter.push(m.content), splitter.flush()]) {
      if (part.thinking) events.push({ type: "thinking", text: part.thinking });
      if (part.text) events.push({ type: "text", text: part.text });
    }
  }
  for (const tc of m.tool_calls ?? []) events.push({ type: "tool_call", id: tc.id ?? "", name: tc.function?.name ?? "", arguments: tc.function?.arguments ?? "" });
  const finish = choice?.finish_reason ?? "stop";
  events.push({ type: "stop", reason: finish, truncated: finish === "length" });
  return events;
}

interface OutputLine {
  custom_id: string;
  response?: { status_code: number; request_id?: string; body?: unknown } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

/** One line of an output or error file, mapped to a sample or a failure as a run records them. */
export function openAIResult(line: OutputLine): BatchResult {
  const res = line.response;
  if (res && res.status_code >= 200 && res.status_code < 300) return { customId: line.custom_id, ok: sampleOf(openAICompletionEvents(res.body as ChatCompletionLike)) };
  let error: BatchFailure;
  if (res) {
    const e = (res.body as { error?: { message?: string; type?: string; code?: string | null } } | undefined)?.error;
    const kind = kindOfStatus(res.status_code, e?.type);
    error = { kind, status: res.status_code, message: `OpenAI: ${e?.message ?? `HTTP ${res.status_code}`}${e?.code ? ` (${e.code})` : ""}`, retryable: kind !== "request" && kind !== "auth" };
  } else {
    const code = line.error?.code ?? "";
    const message = `OpenAI: ${line.error?.message ?? "the request failed"}${code ? ` (${code})` : ""}`;
    if (code === "batch_expired") error = { kind: "expired", message, retryable: true };
    else if (code === "batch_cancelled") error = { kind: "canceled", message, retryable: true };
    else error = { kind: "server", message, retryable: true };
  }
  return { customId: line.custom_id, error };
}

const ENDED = new Set(["completed", "expired", "cancelled"]);

function statusOf(b: OpenAI.Batch): BatchStatus {
  const c = b.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const ended = ENDED.has(b.status) || b.status === "failed";
  const left = Math.max(0, c.total - c.completed - c.failed);
  const counts: BatchCounts = {
    processing: ended ? 0 : left,
    succeeded: c.completed,
    errored: c.failed,
    // what never ran: expired when the window passed, canceled when the batch was
    expired: b.status === "expired" ? left : 0,
    canceled: b.status === "cancelled" ? left : 0,
  };
  const state = b.status === "failed" ? "failed" : ENDED.has(b.status) ? "ended" : b.status === "cancelling" ? "canceling" : "in_progress";
  const why = b.errors?.data?.map((e) => `${e.line !== undefined && e.line !== null ? `line ${e.line}: ` : ""}${e.message ?? e.code ?? ""}`).join("; ");
  return { state, providerStatus: b.status, counts, ...(why ? { message: why } : {}) };
}

export class OpenAIBatchClient implements BatchClient {
  readonly id = "openai";
  private readonly client: OpenAI;
  private readonly where: string;
  private readonly secrets: readonly string[];
  private readonly refusedURL: string | null;
  private readonly endpoint: Endpoint;
  private readonly compatible: boolean;

  constructor(options: OpenAIBatchOptions) {
    this.secrets = [options.apiKey];
    this.compatible = options.compatible ?? false;
    this.refusedURL = checkBaseURL(options.baseURL, "OPENAI_API_KEY");
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL ?? null, timeout: 600_000, logLevel: "off" });
    this.where = options.baseURL ? `OpenAI (${safeBaseURL(options.baseURL) ?? "the base URL"})` : "OpenAI";
    this.endpoint = { url: `${safeBaseURL(options.baseURL ?? "https://api.openai.com/v1")}/batches`, custom: options.baseURL !== undefined };
  }

  private fail(e: unknown): never {
    throw classify(e, this.where, this.secrets, this.endpoint);
  }

  async submit(requests: readonly BatchRequest[], signal?: AbortSignal, tag?: BatchTag): Promise<{ batchId: string }> {
    if (this.refusedURL) throw new SamplingError("request", this.refusedURL);
    if (requests.length === 0) throw new SamplingError("request", "a batch needs at least one request");
    if (requests.length > OPENAI_BATCH_LIMITS.maxRequests) throw new SamplingError("request", `${requests.length} requests are over the Batch API's limit of ${OPENAI_BATCH_LIMITS.maxRequests}: split them first (splitOpenAIBatches)`);
    // the file as it is uploaded (at most 200 MB: the limit the split keeps to)
    const jsonl = Buffer.from(requests.map((r) => openAIBatchLine(r, this.compatible) + "\n").join(""));
    const options = { ...(signal ? { signal } : {}), maxRetries: 0 };
    try {
      const file = await this.client.files.create({ file: await toFile(jsonl, "hotmess-batch.jsonl", { type: "application/jsonl" }), purpose: "batch" }, options);
      const batch = await this.client.batches.create({ input_file_id: file.id, endpoint: ENDPOINT, completion_window: "24h", ...(tag ? { metadata: metadataOf(tag) } : {}) }, options);
      return { batchId: batch.id };
    } catch (e) {
      this.fail(e);
    }
  }

  async find(hint: SubmissionHint, signal?: AbortSignal): Promise<string[]> {
    const at = Date.parse(hint.at) / 1000;
    const want = metadataOf(hint.tag);
    const found: string[] = [];
    try {
      for await (const b of this.client.batches.list({ limit: 100 }, signal ? { signal } : undefined)) {
        if (b.created_at < at - FIND_WINDOW_MS.before / 1000) break; // newest first: the rest are older
        const m = b.metadata as Record<string, string> | null | undefined;
        if (m && m.hotmess_sweep === want.hotmess_sweep && m.hotmess_part === want.hotmess_part) found.push(b.id);
      }
    } catch (e) {
      this.fail(e);
    }
    return found;
  }

  async status(batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.batches.retrieve(batchId, signal ? { signal } : undefined));
    } catch (e) {
      this.fail(e);
    }
  }

  async cancel(batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.batches.cancel(batchId, signal ? { signal } : undefined));
    } catch (e) {
      this.fail(e);
    }
  }

  async *results(batchId: string, signal?: AbortSignal): AsyncIterable<BatchResult> {
    let batch: OpenAI.Batch;
    try {
      batch = await this.client.batches.retrieve(batchId, signal ? { signal } : undefined);
    } catch (e) {
      this.fail(e);
    }
    if (!ENDED.has(batch.status)) throw new SamplingError("request", `${this.where}: batch ${batchId} is ${batch.status}: its results can be read once it has ended`);
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      let body: ReadableStream<Uint8Array> | null;
      try {
        body = (await this.client.files.content(fileId, signal ? { signal } : undefined)).body;
      } catch (e) {
        this.fail(e);
      }
      if (!body) continue;
      const lines = linesOf(body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<string>;
        try {
          next = await lines.next();
        } catch (e) {
          this.fail(e);
        }
        if (next.done) break;
        let parsed: OutputLine;
        try {
          parsed = JSON.parse(next.value) as OutputLine;
        } catch (e) {
          throw new SamplingError("protocol", `${this.where}: a line of file ${fileId} is not JSON (${(e as Error).message})`);
        }
        yield openAIResult(parsed);
      }
    }
  }
}
