// A fake OpenAI-compatible chat completions server for tests. It listens on 127.0.0.1 only and
// speaks the real wire protocol, so the real `openai` SDK works against it unmodified:
//
//   const fake = await startFakeOpenAI();
//   const client = new OpenAI({ apiKey: "sk-test", baseURL: fake.url + "/v1", maxRetries: 0 });
//   fake.enqueue({ kind: "ok", reasoning: ["Let me", " think."], reasoningField: "reasoning", text: ["42"] });
//
// What it sends, and where the shapes come from:
// - Streams (`stream: true`) are `text/event-stream`: one `data: {json}\n\n` event per
//   chat.completion.chunk (`id`, `object`, `created`, `model`, `service_tier`,
//   `system_fingerprint`, `choices[{index, delta, logprobs: null, finish_reason}]`), the first
//   with `delta.role: "assistant"`, then a choice chunk with `finish_reason` and an empty delta,
//   then (only with `stream_options.include_usage`) a chunk with `choices: []` and the usage,
//   then `data: [DONE]`. With include_usage every other chunk carries `usage: null`, as the
//   OpenAI spec says (ChatCompletionStreamOptions).
// - Reasoning, as OpenAI-compatible servers send it:
//   "reasoning_content": DeepSeek, llama.cpp, vLLM before the rename: `delta: {content: null, reasoning_content}`;
//   "reasoning": Ollama, OpenRouter, vLLM after #27752: `delta: {content: "", reasoning}`;
//   "think-tags": models served raw (llama.cpp with reasoning_format none, plain vLLM): the
//   reasoning inside `content` as `<think>…</think>`, the tags split across chunk boundaries
//   ("<thi", "nk>…", "…</th", "ink>").
// - Errors are OpenAI error bodies `{"error": {"message", "type", "param", "code"}}` with the
//   status; a mid-stream error is a `data: {"error": {...}}` event (the SDK throws an APIError).
// - Every response has `x-request-id` (`req_` + 32 hex); chat completions also carry
//   `openai-processing-ms`, `openai-version` and the `x-ratelimit-*` headers.
// - Tool calls stream as `delta.tool_calls[]` entries keyed by `index`: first `{index, id:
//   "call_…", type: "function", function: {name, arguments: ""}}` (in the role chunk, with
//   `content: null`, when the reply has no text), then `{index, function: {arguments: piece}}`
//   for each piece; the choice finishes with finish_reason "tool_calls". Non-streaming, the
//   message has `tool_calls: [{id, type: "function", function: {name, arguments}}]`. (The SDK's
//   ChatCompletionChunk.Choice.Delta.ToolCall type and its ChatCompletionStream accumulator.)
// - Prompt caching is automatic, as OpenAI's: a prompt (tools and messages, serialized) sharing
//   a prefix of at least 1024 tokens with one this fake saw before reports that prefix, in
//   128-token steps, as usage.prompt_tokens_details.cached_tokens (part of prompt_tokens).
// - Conversation checks OpenAI makes (400 invalid_request_error, its wording and params): a
//   `tool` message not answering a call of the assistant `tool_calls` message before it; an
//   assistant `tool_calls` message not followed by a tool message for each call; `tools: []`.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";

export type OpenAIScenario =
  | {
      kind: "ok";
      reasoning?: string[];
      reasoningField?: "reasoning_content" | "reasoning" | "think-tags";
      text?: string[];
      /** Tool calls after the text (default finish_reason then "tool_calls"). */
      toolCalls?: FakeToolCall[];
      finishReason?: "stop" | "length" | "tool_calls";
      /** Override the fake's own prompt cache: the prompt tokens reported as cached. */
      cachedTokens?: number;
      promptTokens?: number;
      completionTokens?: number;
      reasoningTokens?: number;
      /** Overrides the request: true sends the usage chunk even unasked, false never sends it. */
      includeUsage?: boolean;
      chunkDelayMs?: number;
      omitDone?: boolean;
    }
  | { kind: "http-error"; status: number; type?: string; code?: string | null; message?: string; retryAfter?: string; headers?: Record<string, string> }
  /**
   * 200 stream, `afterChunks` chunks, then a `data: {"error": {...}}` event and the end. `type`
   * and `code` default to a server error's (`server_error`, null); a request the server rejects
   * mid-stream (vLLM's context-length check, say) sends `invalid_request_error`.
   */
  | { kind: "error-chunk"; afterChunks?: number; message?: string; type?: string; code?: string | null }
  /** `afterChunks` chunks then a TCP reset; 0 resets before any response is sent. */
  | { kind: "reset"; afterChunks?: number }
  /** `afterChunks` chunks then silence until the client aborts or close(); 0 stalls before the headers. */
  | { kind: "stall"; afterChunks?: number }
  /** `afterChunks` chunks then an event whose data is truncated JSON, then the end. */
  | { kind: "malformed"; afterChunks?: number }
  /** `afterChunks` chunks then a clean end without a finish_reason and without [DONE]. */
  | { kind: "no-stop"; afterChunks?: number };

/** A tool call of a scripted reply. */
export interface FakeToolCall {
  /** Default: a fresh call_… id. */
  id?: string;
  name: string;
  /** The arguments: an object is sent as its JSON text. */
  arguments?: unknown;
  /** The `function.arguments` fragments exactly as streamed: cut anywhere, or not valid JSON. Default: the text in pieces of about 8 characters. */
  pieces?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shared API promises `any`
  body: any;
}

/** The fields of a chat completions body the fake reads. */
interface ChatBody {
  model: string;
  messages: unknown[];
  tools?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

export interface FakeOpenAI {
  /** http://127.0.0.1:PORT (the SDK's baseURL is url + "/v1") */
  url: string;
  /** Every request received, in order (chat completions, model lists, 404s, refused ones). */
  requests: RecordedRequest[];
  /** One scenario per POST /v1/chat/completions, FIFO; when empty the default is used. */
  enqueue(...s: OpenAIScenario[]): void;
  /** The scenario when the queue is empty; a function gets the request and its 0-based index among chat completions. */
  setDefault(s: OpenAIScenario | ((req: RecordedRequest, index: number) => OpenAIScenario)): void;
  /** Stops the server; also destroys open (stalled) sockets. */
  close(): Promise<void>;
}

/** The model ids GET /v1/models lists (any model id is accepted on chat completions). */
export const FAKE_OPENAI_MODELS: readonly string[] = [
  "gpt-4o-mini",
  "gpt-4o",
  "gpt-4.1-mini",
  "o4-mini",
  "gpt-5-mini",
  "deepseek-reasoner",
  "deepseek-chat",
  "qwen3:8b",
];

/** The text of an "ok" scenario without `text`. */
export const FAKE_OPENAI_DEFAULT_TEXT: readonly string[] = ["The answer", " is 42."];

const DEFAULT_AFTER_CHUNKS = 2;
const SYSTEM_FINGERPRINT = "fp_fake0openai";
const CREATED_MODELS = 1_700_000_000;

interface ErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** The error OpenAI sends for a status, when the scenario does not say. */
function defaultError(status: number, model: string): ErrorBody {
  switch (status) {
    case 400:
      return { message: "Invalid value for 'messages': the request could not be processed.", type: "invalid_request_error", param: "messages", code: "invalid_value" };
    case 401:
      return { message: "Incorrect API key provided: sk-fake****0000. You can find your API key at https://platform.openai.com/account/api-keys.", type: "invalid_request_error", param: null, code: "invalid_api_key" };
    case 403:
      return { message: "Country, region, or territory not supported", type: "request_forbidden", param: null, code: "unsupported_country_region_territory" };
    case 404:
      return { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: "invalid_request_error", param: null, code: "model_not_found" };
    case 408:
      return { message: "Request timed out.", type: "server_error", param: null, code: null };
    case 413:
      return { message: "Request too large.", type: "invalid_request_error", param: null, code: null };
    case 422:
      return { message: "Unprocessable entity.", type: "invalid_request_error", param: null, code: null };
    case 429:
      return {
        message: `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      };
    case 500:
      return { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null };
    case 502:
      return { message: "Bad gateway.", type: "server_error", param: null, code: null };
    case 503:
      return {
        message: "That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
        type: "server_error",
        param: null,
        code: null,
      };
    default:
      return { message: `HTTP ${status}`, type: status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null };
  }
}

function requestId(): string {
  return "req_" + randomBytes(16).toString("hex");
}

function toolCallId(): string {
  return "call_" + randomBytes(18).toString("base64url").replace(/[-_]/g, "x").slice(0, 24);
}

/**
 * The OpenAI checks of a conversation's tool messages (its 400 messages and params), or null.
 * (OpenAI's chat completions errors as clients have quoted them; `preceeding` is its spelling.)
 */
function checkToolMessages(messages: unknown[]): ErrorBody | null {
  const role = (m: unknown) => (m as { role?: unknown } | null)?.role;
  const callIds = (m: unknown): string[] => {
    const calls = (m as { tool_calls?: unknown } | null)?.tool_calls;
    return Array.isArray(calls) ? calls.map((c) => String((c as { id?: unknown } | null)?.id)) : [];
  };
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (role(m) === "tool") {
      let k = i - 1;
      while (k >= 0 && role(messages[k]) === "tool") k--;
      if (k < 0 || role(messages[k]) !== "assistant" || callIds(messages[k]).length === 0)
        return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", type: "invalid_request_error", param: `messages.[${i}].role`, code: null };
      const id = String((m as { tool_call_id?: unknown }).tool_call_id);
      if (!callIds(messages[k]).includes(id))
        return { message: `Invalid parameter: 'tool_call_id' of '${id}' not found in 'tool_calls' of previous message.`, type: "invalid_request_error", param: `messages.[${i}].tool_call_id`, code: null };
    }
  }
  // then the calls left unanswered
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (role(m) === "assistant" && callIds(m).length > 0 && i + 1 < messages.length) {
      const answered = new Set<string>();
      for (let k = i + 1; k < messages.length && role(messages[k]) === "tool"; k++) answered.add(String((messages[k] as { tool_call_id?: unknown }).tool_call_id));
      const missing = callIds(m).filter((id) => !answered.has(id));
      if (missing.length > 0)
        return {
          message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(", ")}`,
          type: "invalid_request_error",
          param: `messages.[${i}].role`,
          code: null,
        };
    }
  }
  return null;
}

/** Tokens OpenAI's automatic prompt cache would serve: a shared prefix of at least 1024 tokens, in 128-token steps. */
function cachedTokensOf(prompt: string, seen: readonly string[]): number {
  let best = 0;
  for (const p of seen) {
    let n = 0;
    const max = Math.min(p.length, prompt.length);
    while (n < max && p.charCodeAt(n) === prompt.charCodeAt(n)) n++;
    best = Math.max(best, n);
  }
  const tokens = Math.floor(best / 4);
  return tokens < 1024 ? 0 : 1024 + Math.floor((tokens - 1024) / 128) * 128;
}

function completionId(): string {
  return "chatcmpl-" + randomBytes(15).toString("base64url");
}

function rateLimitHeaders(exhausted: boolean): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": exhausted ? "0" : "9999",
    "x-ratelimit-remaining-tokens": exhausted ? "0" : "1999950",
    "x-ratelimit-reset-requests": exhausted ? "20s" : "6ms",
    "x-ratelimit-reset-tokens": exhausted ? "20s" : "1ms",
  };
}

/** A rough, deterministic prompt size: a token per 4 characters of message text. */
function promptTokensOf(body: ChatBody): number {
  let chars = 0;
  const add = (v: unknown): void => {
    if (typeof v === "string") chars += v.length;
    else if (Array.isArray(v)) v.forEach((p) => add(typeof p === "object" && p ? (p as { text?: unknown }).text : p));
  };
  for (const m of body.messages) add(typeof m === "object" && m ? (m as { content?: unknown }).content : undefined);
  return Math.max(1, Math.ceil(chars / 4));
}

/** The content pieces of a think-tags answer: the tags split across chunk boundaries. */
function thinkTagPieces(reasoning: string[], text: string[]): string[] {
  const r = reasoning.length > 0 ? reasoning : [""];
  const pieces = ["<thi"];
  r.forEach((p, i) => {
    let s = p;
    if (i === 0) s = "nk>" + s;
    if (i === r.length - 1) s = s + "</th";
    pieces.push(s);
  });
  pieces.push("ink>");
  return [...pieces, ...text];
}

interface Ctx {
  id: string;
  created: number;
  model: string;
  usageNulls: boolean;
}

function chunk(ctx: Ctx, delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  const c: Record<string, unknown> = {
    id: ctx.id,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (ctx.usageNulls) c.usage = null;
  return c;
}

function usageOf(s: Extract<OpenAIScenario, { kind: "ok" }>, body: ChatBody, pieces: number, reasoningPieces: number, cached = 0): Record<string, unknown> {
  const prompt = Math.max(s.promptTokens ?? promptTokensOf(body), cached);
  const reasoningTokens = s.reasoningTokens ?? reasoningPieces;
  const completion = s.completionTokens ?? pieces;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: s.cachedTokens ?? cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** The tool calls of an ok scenario, with their ids and argument pieces settled. */
function settledCalls(s: Extract<OpenAIScenario, { kind: "ok" }>): { id: string; name: string; pieces: string[] }[] {
  return (s.toolCalls ?? []).map((c) => {
    const text = typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {});
    const pieces = c.pieces ?? Array.from({ length: Math.ceil(text.length / 8) }, (_, i) => text.slice(i * 8, i * 8 + 8));
    return { id: c.id ?? toolCallId(), name: c.name, pieces };
  });
}

/** The tool-call deltas of settled calls: each call's start (id, type, name, arguments ""), then its argument pieces. */
function toolCallDeltas(calls: ReturnType<typeof settledCalls>): Record<string, unknown>[] {
  return calls.flatMap((c, index) => [
    { tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] },
    ...c.pieces.map((p) => ({ tool_calls: [{ index, function: { arguments: p } }] })),
  ]);
}

/** The delta chunks (after the role chunk, before the finish chunk) of an ok scenario. */
function okDeltas(s: Extract<OpenAIScenario, { kind: "ok" }>): { deltas: Record<string, unknown>[]; reasoningPieces: number } {
  const reasoning = s.reasoning ?? [];
  const text = s.text ?? [...FAKE_OPENAI_DEFAULT_TEXT];
  const field = s.reasoningField ?? "reasoning_content";
  const deltas: Record<string, unknown>[] = [];
  if (field === "think-tags" && s.reasoning !== undefined) {
    for (const p of thinkTagPieces(reasoning, text)) deltas.push({ content: p });
  } else {
    for (const p of reasoning) deltas.push(field === "reasoning" ? { content: "", reasoning: p } : { content: null, reasoning_content: p });
    for (const p of text) deltas.push({ content: p });
  }
  return { deltas, reasoningPieces: reasoning.length };
}

/** Filler deltas for the fault scenarios: a role chunk, then content pieces. */
function fillerChunks(ctx: Ctx, n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) out.push(i === 0 ? chunk(ctx, { role: "assistant", content: "", refusal: null }) : chunk(ctx, { content: `part ${i} ` }));
  return out;
}

export function startFakeOpenAI(opts: { latencyMs?: number; requireKey?: boolean; models?: readonly string[] } = {}): Promise<FakeOpenAI> {
  const latencyMs = opts.latencyMs ?? 0;
  const requireKey = opts.requireKey ?? true;
  const models = opts.models ?? FAKE_OPENAI_MODELS;
  const requests: RecordedRequest[] = [];
  const queue: OpenAIScenario[] = [];
  let fallback: OpenAIScenario | ((req: RecordedRequest, index: number) => OpenAIScenario) = { kind: "ok" };
  let chatIndex = 0;
  /** The prompts served, for the automatic prompt cache. */
  const seenPrompts: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const dead = (res: ServerResponse): boolean => closed || res.destroyed || res.writableEnded;

  const writeAsync = (res: ServerResponse, data: string): Promise<void> =>
    new Promise((resolve) => {
      if (dead(res)) return resolve();
      res.write(data, () => resolve());
    });

  const baseHeaders = (): Record<string, string> => ({ "x-request-id": requestId() });

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (dead(res)) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { ...baseHeaders(), "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const sendError = (res: ServerResponse, status: number, error: ErrorBody, headers: Record<string, string> = {}): void => sendJson(res, status, { error }, headers);

  const startSse = (res: ServerResponse): void => {
    res.writeHead(200, {
      ...baseHeaders(),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "openai-version": "2020-10-01",
      "openai-processing-ms": "12",
      ...rateLimitHeaders(false),
    });
    res.flushHeaders();
  };

  const event = (res: ServerResponse, data: unknown): Promise<void> => writeAsync(res, `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

  const reset = (res: ServerResponse): void => {
    const socket = res.socket;
    if (socket && !socket.destroyed) {
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  async function serveOk(res: ServerResponse, s: Extract<OpenAIScenario, { kind: "ok" }>, body: ChatBody, ctx: Ctx): Promise<void> {
    const { deltas, reasoningPieces } = okDeltas(s);
    const calls = settledCalls(s);
    const callDeltas = toolCallDeltas(calls);
    const finish = s.finishReason ?? (calls.length > 0 ? "tool_calls" : "stop");
    // the prompt as the cache sees it: tools, then messages
    const prompt = JSON.stringify([body.tools ?? null, body.messages]).slice(0, -1);
    const cached = cachedTokensOf(prompt, seenPrompts);
    seenPrompts.push(prompt);
    const usage = usageOf(s, body, deltas.length + callDeltas.length, reasoningPieces, cached);
    if (body.stream !== true) {
      const reasoning = (s.reasoning ?? []).join("");
      const text = (s.text ?? [...FAKE_OPENAI_DEFAULT_TEXT]).join("");
      const field = s.reasoningField ?? "reasoning_content";
      const message: Record<string, unknown> = { role: "assistant", content: text === "" && calls.length > 0 ? null : text, refusal: null, annotations: [] };
      if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.pieces.join("") } }));
      if (s.reasoning !== undefined) {
        if (field === "think-tags") message.content = `<think>${reasoning}</think>${text}`;
        else message[field] = reasoning;
      }
      sendJson(
        res,
        200,
        {
          id: ctx.id,
          object: "chat.completion",
          created: ctx.created,
          model: ctx.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
          usage,
          service_tier: "default",
          system_fingerprint: SYSTEM_FINGERPRINT,
        },
        { "openai-version": "2020-10-01", "openai-processing-ms": "12", ...rateLimitHeaders(false) },
      );
      return;
    }
    const wantUsage = s.includeUsage ?? body.stream_options?.include_usage === true;
    ctx.usageNulls = wantUsage;
    const delay = s.chunkDelayMs ?? 0;
    startSse(res);
    // a reply that is only tool calls opens with the role and the first call together, content null
    const toolsOnly = deltas.length === 0 && callDeltas.length > 0;
    const first = toolsOnly ? { role: "assistant", content: null, ...callDeltas[0], refusal: null } : { role: "assistant", content: "", refusal: null };
    const rest = toolsOnly ? callDeltas.slice(1) : [...deltas, ...callDeltas];
    const all = [chunk(ctx, first), ...rest.map((d) => chunk(ctx, d)), chunk(ctx, {}, finish)];
    for (const c of all) {
      await sleep(delay);
      if (dead(res)) return;
      await event(res, c);
    }
    if (wantUsage) {
      await sleep(delay);
      if (dead(res)) return;
      await event(res, { id: ctx.id, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, service_tier: "default", system_fingerprint: SYSTEM_FINGERPRINT, choices: [], usage });
    }
    if (!s.omitDone) {
      if (dead(res)) return;
      await event(res, "[DONE]");
    }
    if (!dead(res)) res.end();
  }

  async function serveFault(res: ServerResponse, s: Exclude<OpenAIScenario, { kind: "ok" } | { kind: "http-error" }>, body: ChatBody, ctx: Ctx): Promise<void> {
    const n = Math.max(0, s.afterChunks ?? DEFAULT_AFTER_CHUNKS);
    const stream = body.stream === true;
    if (s.kind === "reset" && n === 0) return reset(res);
    if (s.kind === "stall" && n === 0) return; // no status line ever: `await create()` hangs until aborted
    if (!stream) {
      // The fault scenarios are stream faults; a non-streaming request gets their nearest equivalent.
      switch (s.kind) {
        case "error-chunk":
          return sendError(res, 500, { ...defaultError(500, ctx.model), ...(s.message ? { message: s.message } : {}) });
        case "malformed":
        case "reset":
        case "stall": {
          res.writeHead(200, { ...baseHeaders(), "content-type": "application/json" });
          await writeAsync(res, `{"id":"${ctx.id}","object":"chat.completion","created":${ctx.created},"model":"${ctx.model}","choices":[{"index":0,"message":{"role":"assistant","content":"part`);
          if (s.kind === "malformed") res.end();
          else if (s.kind === "reset") reset(res);
          return;
        }
        case "no-stop":
          return sendJson(res, 200, {
            id: ctx.id,
            object: "chat.completion",
            created: ctx.created,
            model: ctx.model,
            choices: [{ index: 0, message: { role: "assistant", content: "part 1 ", refusal: null, annotations: [] }, logprobs: null, finish_reason: null }],
            system_fingerprint: SYSTEM_FINGERPRINT,
          });
      }
    }
    startSse(res);
    for (const c of fillerChunks(ctx, n)) {
      if (dead(res)) return;
      await event(res, c);
    }
    if (dead(res)) return;
    switch (s.kind) {
      case "error-chunk":
        await event(res, { error: { message: s.message ?? "The server had an error while processing your request. Sorry about that!", type: s.type ?? "server_error", param: null, code: s.code ?? null } });
        if (!dead(res)) res.end();
        return;
      case "reset":
        return reset(res);
      case "stall":
        return; // the response stays open; close() or the client's abort ends it
      case "malformed":
        await writeAsync(res, `data: {"id":"${ctx.id}","object":"chat.completion.chunk","created":${ctx.created},"model":"${ctx.model}","choices":[{"index":0,"delta":{"content":"trunc\n\n`);
        if (!dead(res)) res.end();
        return;
      case "no-stop":
        res.end();
        return;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = undefined;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const recorded: RecordedRequest = { method, path, headers: { ...req.headers }, body };
    requests.push(recorded);
    await sleep(latencyMs);
    if (dead(res)) return;

    const pathname = new URL(path, "http://127.0.0.1").pathname.replace(/\/+$/, "");
    const isChat = pathname === "/v1/chat/completions";
    const isModels = pathname === "/v1/models" || pathname.startsWith("/v1/models/");
    if (!((isChat && method === "POST") || (isModels && method === "GET"))) {
      return sendError(res, 404, { message: `Invalid URL (${method} ${pathname || "/"})`, type: "invalid_request_error", param: null, code: null });
    }

    if (requireKey) {
      const auth = req.headers.authorization;
      const key = typeof auth === "string" && /^bearer /i.test(auth) ? auth.slice(7).trim() : "";
      if (!key) {
        return sendError(res, 401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        });
      }
    }

    if (isModels) {
      const list = models.map((id) => ({ id, object: "model", created: CREATED_MODELS, owned_by: id.startsWith("deepseek") ? "deepseek" : id.includes(":") ? "library" : "openai" }));
      if (pathname === "/v1/models") return sendJson(res, 200, { object: "list", data: list });
      const id = decodeURIComponent(pathname.slice("/v1/models/".length));
      const found = list.find((m) => m.id === id);
      if (found) return sendJson(res, 200, found);
      return sendError(res, 404, { message: `The model '${id}' does not exist`, type: "invalid_request_error", param: "model", code: "model_not_found" });
    }

    // POST /v1/chat/completions: a request a real server would refuse is refused before a scenario is taken.
    if (badJson || typeof body !== "object" || body === null || Array.isArray(body)) {
      return sendError(res, 400, {
        message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    }
    const model = (body as { model?: unknown }).model;
    if (typeof model !== "string" || model === "") {
      return sendError(res, 400, { message: "you must provide a model parameter", type: "invalid_request_error", param: null, code: null });
    }
    if (!Array.isArray((body as { messages?: unknown }).messages)) {
      return sendError(res, 400, { message: "Missing required parameter: 'messages'.", type: "invalid_request_error", param: "messages", code: "missing_required_parameter" });
    }

    const tools = (body as { tools?: unknown }).tools;
    if (Array.isArray(tools) && tools.length === 0)
      return sendError(res, 400, { message: "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.", type: "invalid_request_error", param: "tools", code: "empty_array" });
    const toolProblem = checkToolMessages((body as { messages: unknown[] }).messages);
    if (toolProblem) return sendError(res, 400, toolProblem);

    const chat = body as ChatBody;
    const index = chatIndex++;
    const scenario = queue.length > 0 ? queue.shift()! : typeof fallback === "function" ? fallback(recorded, index) : fallback;
    const ctx: Ctx = { id: completionId(), created: Math.floor(Date.now() / 1000), model: chat.model, usageNulls: false };

    if (scenario.kind === "http-error") {
      const d = defaultError(scenario.status, ctx.model);
      const error: ErrorBody = {
        message: scenario.message ?? d.message,
        type: scenario.type ?? d.type,
        param: d.param,
        code: scenario.code !== undefined ? scenario.code : d.code,
      };
      const headers: Record<string, string> = { ...rateLimitHeaders(scenario.status === 429) };
      if (scenario.retryAfter !== undefined) headers["retry-after"] = scenario.retryAfter;
      return sendError(res, scenario.status, error, { ...headers, ...(scenario.headers ?? {}) });
    }
    if (scenario.kind === "ok") return serveOk(res, scenario, chat, ctx);
    return serveFault(res, scenario, chat, ctx);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!dead(res) && !res.headersSent) sendError(res, 500, { message: `fake server failure: ${String(e)}`, type: "server_error", param: null, code: null });
      else if (!res.destroyed) res.destroy();
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // bytes that are not HTTP (a TLS handshake from an https:// client, say) get a 400 and the
  // end of the connection, as Node's default, Go's (Ollama) and uvicorn's (vLLM) servers answer
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const addr = server.address();
      if (addr === null || typeof addr === "string") return reject(new Error("fake OpenAI server: no port"));
      resolve({
        url: `http://127.0.0.1:${addr.port}`,
        requests,
        enqueue: (...s: OpenAIScenario[]) => void queue.push(...s),
        setDefault: (s) => {
          fallback = s;
        },
        close: () =>
          new Promise<void>((done) => {
            if (closed) return done();
            closed = true;
            for (const t of timers) clearTimeout(t);
            timers.clear();
            server.close(() => done());
            server.closeAllConnections();
            for (const s of sockets) s.destroy();
            sockets.clear();
          }),
      });
    });
  });
}
