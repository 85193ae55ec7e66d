// A fake Anthropic Messages API for tests: a real HTTP server on 127.0.0.1 that speaks the wire
// protocol of POST /v1/messages closely enough that the real @anthropic-ai/sdk runs against it
// unmodified (`new Anthropic({ apiKey, baseURL: fake.url, maxRetries: 0 })`).
//
// What it sends, and where the shapes come from:
// - Streams (`stream: true`) are server-sent events, each `event: <type>\ndata: <json>\n\n` with the
//   event name equal to the data's `type`, in the documented order: message_start (a Message with
//   empty content), then per content block content_block_start / content_block_delta… /
//   content_block_stop with `index` = the block's place in the final content, then message_delta
//   ({stop_reason, stop_sequence}, cumulative usage) and message_stop. A thinking block streams
//   thinking_delta chunks then one signature_delta; a redacted_thinking block carries its opaque
//   `data` in content_block_start and has no deltas. `ping` events may appear anywhere (the real
//   API sends one after the first content_block_start). An `event: error` carries
//   {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}.
//   (Anthropic's "Streaming Messages" docs; the SDK's MessageStream accumulator and core/streaming.ts.)
// - Tool use: a scripted reply's tool calls come after its text, each a tool_use block streamed
//   as content_block_start {type: "tool_use", id: "toolu_01…", name, input: {}, caller: {type:
//   "direct"}}, then input_json_delta deltas whose `partial_json` pieces join into the input's
//   JSON text (the first piece "", as in the docs' "Streaming request with tool use" example),
//   then content_block_stop; the message stops with stop_reason "tool_use". The non-streaming
//   Message holds {type: "tool_use", id, name, input, caller}. (The docs' streaming example; the
//   SDK's RawContentBlockStartEvent / ToolUseBlock / InputJSONDelta types.)
// - Prompt caching: a request with cache_control on any block (tools, system, messages) has the
//   prefix up to its last breakpoint (in the order tools, system, messages) cached by this fake:
//   the first request with that prefix writes it (usage.cache_creation_input_tokens, and
//   cache_creation.ephemeral_5m_input_tokens or _1h_ by the breakpoint's ttl), later ones read it
//   (cache_read_input_tokens); input_tokens is what is left, as the API counts it (the total
//   input is the sum of the three). Unlike the real API, any prefix length is cacheable.
// - Conversation checks the real API makes (400 invalid_request_error, its wording): a
//   tool_result whose tool_use_id has no tool_use in the previous (assistant) message; an
//   assistant tool_use without its tool_result in the next message; with thinking enabled
//   (`type: "enabled"`), a prefix ending in a tool-use loop whose opening assistant message does
//   not start with a thinking / redacted_thinking block; a tool without name or input_schema.
//   With `verifySignatures`, also a thinking block passed back whose signature this fake did not
//   issue for that very thinking ("messages.1.content.0: Invalid `signature` in `thinking`
//   block", as the real API words it), and redacted_thinking data it did not issue.
// - Errors are JSON {"type":"error","error":{"type","message"},"request_id":"req_…"} with the
//   documented type per status (400 invalid_request_error, 401 authentication_error, 402
//   billing_error, 403 permission_error, 404 not_found_error, 413 request_too_large, 429
//   rate_limit_error, 500 api_error, 504 timeout_error, 529 overloaded_error). (Anthropic's "Errors" docs.)
// - Every response has a `request-id` header (req_…); /v1/messages responses carry
//   `anthropic-ratelimit-*` headers; `retry-after` (seconds) when a scenario asks for it.
//   (Anthropic's "Errors" and "Rate limits" docs.)
// - Validation messages are the real API's wording: "x-api-key header is required",
//   "invalid x-api-key", "anthropic-version: header is required", "max_tokens: Field required",
//   "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
//   "`max_tokens` must be greater than `thinking.budget_tokens`. …".
//
// Authentication: the real API takes `x-api-key`; SDK 1.x sends the key as
// `Authorization: Bearer <key>`, which the real API accepts too. Either is accepted here; neither
// (or an empty one) is a 401 like the real API's.
//
// Scenarios are taken one per POST /v1/messages that passes authentication and validation (a
// request the real API would refuse is refused the same way and consumes none), FIFO from
// enqueue(), else from setDefault(). In scenario fields, an omitted `thinking` / `text` means the
// default content and `[]` means none; what the scenario says is sent whether or not the request
// asked for thinking. "Chunks" (afterChunks) are SSE events on the wire (message_start counts as
// one); the default is 3 (message_start, the first content_block_start, one delta). For `reset`
// and `stall`, afterChunks 0 means before the status line (no bytes at all: the SDK sees a
// connection error / no answer); for the others the 200 status line always goes out. A reset
// flushes the events, then destroys the socket with the chunked body unfinished: the SDK's read
// fails (undici: TypeError "terminated", cause UND_ERR_SOCKET "other side closed"). Without
// `stream: true`, the faults become: error-event → that error type's HTTP status; reset → the
// socket destroyed before any response; stall → no response; malformed → a 200 whose JSON is cut
// in half; no-stop → the Message with stop_reason null.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";

/** A tool call of a scripted reply. */
export interface FakeToolCall {
  /** Default: a fresh toolu_01… id. */
  id?: string;
  name: string;
  /** The input object (the non-streaming Message's `input`; streamed as its JSON text unless `json` says otherwise). */
  input?: unknown;
  /** The partial_json pieces exactly as streamed (after the first, empty one): may be cut anywhere, or not be valid JSON. */
  json?: string[];
}

export type AnthropicScenario =
  | {
      kind: "ok";
      thinking?: string[];
      text?: string[];
      redactedThinking?: number;
      /** tool_use blocks after the text; with them the stop reason defaults to "tool_use". */
      toolCalls?: FakeToolCall[];
      stopReason?: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";
      /** The total input (uncached + cache read + cache write); default: estimated from the request. */
      inputTokens?: number;
      outputTokens?: number;
      /** Override what the fake's own cache would report. */
      cacheReadTokens?: number;
      cacheWriteTokens?: number;
      chunkDelayMs?: number;
      ping?: boolean;
    }
  | { kind: "http-error"; status: number; type?: string; message?: string; retryAfter?: string; headers?: Record<string, string> }
  | { kind: "error-event"; afterChunks?: number; type?: string; message?: string } // 200 stream, then `event: error` mid-stream (e.g. overloaded_error)
  | { kind: "reset"; afterChunks?: number } // destroy the socket mid-stream
  | { kind: "stall"; afterChunks?: number } // send some events then never send more nor close
  | { kind: "malformed"; afterChunks?: number } // a data: line that is not JSON
  | { kind: "no-stop"; afterChunks?: number }; // ends the response cleanly but without message_delta/message_stop

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface FakeAnthropic {
  url: string; // e.g. http://127.0.0.1:PORT (what to pass as baseURL)
  requests: RecordedRequest[]; // every request received, in order (bodies parsed: tools, system, messages as sent)
  enqueue(...s: AnthropicScenario[]): void; // scenarios consumed one per POST /v1/messages, FIFO
  setDefault(s: AnthropicScenario | ((req: RecordedRequest, index: number) => AnthropicScenario)): void; // used when the queue is empty
  close(): Promise<void>; // closes the server and destroys open sockets (stalled ones too)
}

// ---------------------------------------------------------------------------------------------
// Content and wire pieces

const DEFAULT_THINKING = ["Let me work this out. ", "Two plus two ", "is four."];
const DEFAULT_TEXT = ["The answer", " is 4."];
const DEFAULT_AFTER_CHUNKS = 3; // message_start, content_block_start, one delta
const MAX_BODY_BYTES = 32 * 1024 * 1024; // the Messages API's documented request size limit
const ORGANIZATION_ID = "00000000-0000-4000-8000-00000000f4ce";
const DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** Random base58 text, as the API's ids and request ids are written. */
export function base58(n: number): string {
  const bytes = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += BASE58[bytes[i]! % 58];
  return s;
}
/** req_011C… as in the real `request-id` header. */
const newRequestId = () => `req_011C${base58(20)}`;
/** msg_01… as in real message ids. */
const newMessageId = () => `msg_01${base58(22)}`;
/** toolu_01… as in real tool_use ids. */
const newToolUseId = () => `toolu_01${base58(22)}`;
/** An opaque base64 string like a thinking signature or redacted_thinking data. */
const opaque = (bytes: number) => randomBytes(bytes).toString("base64");

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};
function errorTypeFor(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}
const STATUS_BY_ERROR_TYPE: Record<string, number> = Object.fromEntries(Object.entries(ERROR_TYPE_BY_STATUS).map(([s, t]) => [t, Number(s)]));

const DEFAULT_MESSAGE_BY_TYPE: Record<string, string> = {
  invalid_request_error: "Invalid request.",
  authentication_error: "invalid x-api-key",
  billing_error: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
  permission_error: "Your API key does not have permission to use the specified resource.",
  not_found_error: "The requested resource could not be found.",
  conflict_error: "Conflict.",
  request_too_large: "Request exceeds the maximum allowed number of bytes.",
  rate_limit_error:
    "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.",
  api_error: "Internal server error",
  timeout_error: "Request timed out.",
  overloaded_error: "Overloaded",
};
const defaultMessageFor = (type: string) => DEFAULT_MESSAGE_BY_TYPE[type] ?? "An error occurred.";

const estimateTokens = (chars: number) => Math.max(1, Math.ceil(chars / 4));

interface Block {
  kind: "thinking" | "redacted_thinking" | "text" | "tool_use";
  chunks: string[];
  signature?: string;
  data?: string;
  tool?: { id: string; name: string; input: unknown };
}

/** The pieces a JSON text streams in when the scenario does not say: about 8 characters each. */
function jsonPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 8) out.push(text.slice(i, i + 8));
  return out;
}

/**
 * The prompt as the cache sees it, in its order (tools, system, messages), each block's text
 * length, and where the last cache_control breakpoint is (-1: none) with its ttl.
 */
function cachePieces(body: Record<string, unknown>): { pieces: string[]; breakpoint: number; ttl: "5m" | "1h" } {
  const pieces: string[] = [];
  let breakpoint = -1;
  let ttl: "5m" | "1h" = "5m";
  const add = (block: unknown) => {
    pieces.push(JSON.stringify(block));
    const cc = block !== null && typeof block === "object" ? (block as { cache_control?: { ttl?: unknown } | null }).cache_control : undefined;
    if (cc && typeof cc === "object") {
      breakpoint = pieces.length - 1;
      ttl = cc.ttl === "1h" ? "1h" : "5m";
    }
  };
  if (Array.isArray(body.tools)) body.tools.forEach(add);
  if (typeof body.system === "string") add({ type: "text", text: body.system });
  else if (Array.isArray(body.system)) body.system.forEach(add);
  if (Array.isArray(body.messages))
    for (const m of body.messages as { role?: unknown; content?: unknown }[]) {
      if (typeof m?.content === "string") add({ role: m.role, type: "text", text: m.content });
      else if (Array.isArray(m?.content)) for (const b of m.content) add({ role: m.role, ...(b as object) });
    }
  return { pieces, breakpoint, ttl };
}

/** What this fake holds in its prompt cache: the cached prefixes (model and text). */
type PromptCache = Set<string>;

interface Plan {
  /** The complete Message, as a non-streaming response returns it. */
  message: Record<string, unknown>;
  /** The SSE events of the stream, in order, each a complete `event:…\ndata:…\n\n` string. */
  events: string[];
}

/** Builds the Message and its stream for a request and an "ok"-like scenario (`cache`: the fake's prompt cache, updated). */
function plan(body: Record<string, unknown>, s: Extract<AnthropicScenario, { kind: "ok" }>, cache: PromptCache = new Set()): Plan {
  const thinking = s.thinking ?? DEFAULT_THINKING;
  const text = s.text ?? DEFAULT_TEXT;
  const blocks: Block[] = [];
  if (thinking.length > 0) blocks.push({ kind: "thinking", chunks: thinking, signature: opaque(96) });
  for (let i = 0; i < (s.redactedThinking ?? 0); i++) blocks.push({ kind: "redacted_thinking", chunks: [], data: opaque(72) });
  if (text.length > 0) blocks.push({ kind: "text", chunks: text });
  for (const call of s.toolCalls ?? []) {
    const json = call.json ?? jsonPieces(JSON.stringify(call.input ?? {}));
    let input = call.input;
    if (input === undefined) {
      try {
        input = JSON.parse(json.join(""));
      } catch {
        input = {};
      }
    }
    blocks.push({ kind: "tool_use", chunks: json, tool: { id: call.id ?? newToolUseId(), name: call.name, input } });
  }

  const model = typeof body.model === "string" ? body.model : "claude-unknown";
  const stopReason = s.stopReason ?? ((s.toolCalls ?? []).length > 0 ? "tool_use" : "end_turn");
  const stops = body.stop_sequences;
  const stopSequence = stopReason === "stop_sequence" ? (Array.isArray(stops) && typeof stops[0] === "string" ? stops[0] : "\n\nHuman:") : null;
  // the prompt: without tools or breakpoints, estimated as it always was; with them, from the blocks in the cache's order
  const { pieces, breakpoint, ttl } = cachePieces(body);
  const totalInput = s.inputTokens ?? (breakpoint < 0 && !Array.isArray(body.tools) ? estimateTokens(JSON.stringify([body.system ?? null, body.messages ?? null]).length) : estimateTokens(pieces.join("").length));
  let cacheRead = 0;
  let cacheWrite = 0;
  if (breakpoint >= 0) {
    const prefix = pieces.slice(0, breakpoint + 1).join("");
    const tokens = Math.min(totalInput, estimateTokens(prefix.length));
    const key = `${model}\u0000${prefix}`;
    if (cache.has(key)) cacheRead = tokens;
    else {
      cacheWrite = tokens;
      cache.add(key);
    }
  }
  if (s.cacheReadTokens !== undefined) cacheRead = s.cacheReadTokens;
  if (s.cacheWriteTokens !== undefined) cacheWrite = s.cacheWriteTokens;
  const inputTokens = Math.max(0, totalInput - cacheRead - cacheWrite);
  const chars = [...thinking, ...text, ...(s.toolCalls ?? []).flatMap((c) => c.json ?? [JSON.stringify(c.input ?? {})])].join("").length;
  const outputTokens = s.outputTokens ?? estimateTokens(chars) + 50 * (s.redactedThinking ?? 0);

  const usage = (output: number) => ({
    input_tokens: inputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: ttl === "5m" ? cacheWrite : 0, ephemeral_1h_input_tokens: ttl === "1h" ? cacheWrite : 0 },
    output_tokens: output,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    inference_geo: null,
    speed: null,
  });
  const id = newMessageId();
  const head = { id, type: "message", role: "assistant", model };
  const tail = (reason: string | null, seq: string | null, output: number) => ({
    stop_reason: reason,
    stop_sequence: seq,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: usage(output),
  });
  const finalContent = blocks.map((b) =>
    b.kind === "thinking" ? { type: "thinking", thinking: b.chunks.join(""), signature: b.signature }
    : b.kind === "redacted_thinking" ? { type: "redacted_thinking", data: b.data }
    : b.kind === "tool_use" ? { type: "tool_use", id: b.tool!.id, name: b.tool!.name, input: b.tool!.input, caller: { type: "direct" } }
    : { type: "text", text: b.chunks.join("") },
  );
  const message = { ...head, content: finalContent, ...tail(stopReason, stopSequence, outputTokens) };

  const events: string[] = [];
  events.push(sse("message_start", { type: "message_start", message: { ...head, content: [], ...tail(null, null, 1) } }));
  blocks.forEach((b, index) => {
    const start =
      b.kind === "thinking" ? { type: "thinking", thinking: "", signature: "" }
      : b.kind === "redacted_thinking" ? { type: "redacted_thinking", data: b.data }
      : b.kind === "tool_use" ? { type: "tool_use", id: b.tool!.id, name: b.tool!.name, input: {}, caller: { type: "direct" } }
      : { type: "text", text: "" };
    events.push(sse("content_block_start", { type: "content_block_start", index, content_block: start }));
    if (index === 0 && s.ping) events.push(sse("ping", { type: "ping" }));
    // a tool's input starts with an empty piece, as the real stream does
    for (const chunk of b.kind === "tool_use" ? ["", ...b.chunks] : b.chunks) {
      const delta =
        b.kind === "thinking" ? { type: "thinking_delta", thinking: chunk }
        : b.kind === "tool_use" ? { type: "input_json_delta", partial_json: chunk }
        : { type: "text_delta", text: chunk };
      events.push(sse("content_block_delta", { type: "content_block_delta", index, delta }));
    }
    if (b.kind === "thinking") events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "signature_delta", signature: b.signature } }));
    events.push(sse("content_block_stop", { type: "content_block_stop", index }));
  });
  if (blocks.length === 0 && s.ping) events.push(sse("ping", { type: "ping" }));
  events.push(
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: stopSequence, stop_details: null, container: null },
      usage: { input_tokens: inputTokens, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead, output_tokens: outputTokens },
    }),
  );
  events.push(sse("message_stop", { type: "message_stop" }));
  return { message, events };
}

/** The real API's checks that are cheap to make; a message in its words, or null. */
function validate(body: unknown): string | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "Input should be a valid dictionary";
  const b = body as Record<string, unknown>;
  if (b.model === undefined) return "model: Field required";
  if (typeof b.model !== "string" || b.model === "") return "model: Input should be a valid string";
  if (b.max_tokens === undefined) return "max_tokens: Field required";
  if (typeof b.max_tokens !== "number" || !Number.isInteger(b.max_tokens)) return "max_tokens: Input should be a valid integer";
  if (b.max_tokens < 1) return "max_tokens: Input should be greater than or equal to 1";
  if (b.messages === undefined) return "messages: Field required";
  if (!Array.isArray(b.messages)) return "messages: Input should be a valid list";
  if (b.messages.length === 0) return "messages: at least one message is required";
  const thinking = b.thinking as Record<string, unknown> | undefined;
  if (thinking !== undefined && thinking !== null) {
    if (typeof thinking !== "object") return "thinking: Input should be a valid dictionary";
    if (thinking.type === "enabled") {
      if (thinking.budget_tokens === undefined) return "thinking.enabled.budget_tokens: Field required";
      if (typeof thinking.budget_tokens !== "number" || !Number.isInteger(thinking.budget_tokens)) return "thinking.enabled.budget_tokens: Input should be a valid integer";
      if (thinking.budget_tokens < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
      if (thinking.budget_tokens >= b.max_tokens) return `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${DOCS}#max-tokens-and-context-window-size`;
    } else if (thinking.type !== "disabled" && thinking.type !== "adaptive" && thinking.type !== "between_tools") {
      // between_tools: Sonnet 5.5's lowest thinking setting (the SDK's ThinkingConfigBetweenTools)
      return "thinking: Input tag '" + String(thinking.type) + "' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'between_tools', 'adaptive'";
    }
    if ((thinking.type === "enabled" || thinking.type === "adaptive") && b.temperature !== undefined && b.temperature !== 1)
      return `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${DOCS}#feature-compatibility`;
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return "tools: Input should be a valid list";
    for (const [i, t] of (b.tools as Record<string, unknown>[]).entries()) {
      if (t === null || typeof t !== "object") return `tools.${i}: Input should be a valid dictionary`;
      if (t.type !== undefined && t.type !== null && t.type !== "custom") continue; // a server tool: not checked here
      if (typeof t.name !== "string") return `tools.${i}.custom.name: Field required`;
      if (t.input_schema === undefined) return `tools.${i}.custom.input_schema: Field required`;
    }
  }
  return validateTurns(b.messages as unknown[], thinking?.type === "enabled");
}

type WireBlock = { type?: unknown; id?: unknown; tool_use_id?: unknown };
const blocksOf = (m: unknown): WireBlock[] => {
  const content = (m as { content?: unknown } | null)?.content;
  return Array.isArray(content) ? (content.filter((b) => b !== null && typeof b === "object") as WireBlock[]) : [];
};
const roleOf = (m: unknown) => (m as { role?: unknown } | null)?.role;

/** The pairing of tool calls and results, and thinking in a tool-use loop, as the real API checks them (its messages). */
function validateTurns(messages: unknown[], thinkingEnabled: boolean): string | null {
  for (let i = 0; i < messages.length; i++) {
    const blocks = blocksOf(messages[i]);
    if (roleOf(messages[i]) === "user") {
      const prev = i > 0 && roleOf(messages[i - 1]) === "assistant" ? blocksOf(messages[i - 1]) : [];
      const calls = new Set(prev.filter((b) => b.type === "tool_use").map((b) => b.id));
      for (const [k, b] of blocks.entries())
        if (b.type === "tool_result" && !calls.has(b.tool_use_id))
          return `messages.${i}.content.${k}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    } else if (roleOf(messages[i]) === "assistant" && i + 1 < messages.length) {
      const answered = new Set(blocksOf(messages[i + 1]).filter((b) => b.type === "tool_result").map((b) => b.tool_use_id));
      const missing = blocks.filter((b) => b.type === "tool_use" && !answered.has(b.id)).map((b) => String(b.id));
      if (missing.length > 0)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  if (thinkingEnabled) {
    // a prefix ending inside a tool-use loop: the assistant message that opened it must start with thinking
    const last = messages.at(-1);
    if (roleOf(last) === "user" && blocksOf(last).some((b) => b.type === "tool_result")) {
      let start = messages.length - 1;
      while (start > 0 && !(roleOf(messages[start - 1]) === "user" && (typeof (messages[start - 1] as { content?: unknown }).content === "string" || blocksOf(messages[start - 1]).some((b) => b.type !== "tool_result")))) start--;
      const opener = messages.findIndex((m, k) => k >= start && roleOf(m) === "assistant");
      const first = opener >= 0 ? blocksOf(messages[opener])[0] : undefined;
      if (opener >= 0 && first?.type !== "thinking" && first?.type !== "redacted_thinking")
        return `messages.${opener}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type ?? "nothing")}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${DOCS}`;
    }
  }
  return null;
}

function rateLimitHeaders(exhausted: boolean, retryAfterSeconds: number | undefined): Record<string, string> {
  const reset = new Date(Date.now() + 1000 * (retryAfterSeconds ?? 1)).toISOString().replace(/\.\d{3}Z$/, "Z");
  const h: Record<string, string> = {};
  for (const [name, limit] of [
    ["requests", 4000],
    ["input-tokens", 2_000_000],
    ["output-tokens", 400_000],
    ["tokens", 2_400_000],
  ] as const) {
    h[`anthropic-ratelimit-${name}-limit`] = String(limit);
    h[`anthropic-ratelimit-${name}-remaining`] = exhausted && name === "requests" ? "0" : String(limit - 1);
    h[`anthropic-ratelimit-${name}-reset`] = reset;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// The server

export function startFakeAnthropic(
  opts: {
    latencyMs?: number;
    /** when set, any other key is a 401 "invalid x-api-key" */ apiKey?: string;
    /**
     * Check thinking passed back as the real API does: a thinking block in a request must carry a
     * signature this fake issued for that very thinking text, else 400 "messages.N.content.K:
     * Invalid `signature` in `thinking` block" (the real API's wording); a redacted_thinking
     * block's data must be data it issued. Off by default (other tests send recorded signatures).
     */
    verifySignatures?: boolean;
  } = {},
): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const queue: AnthropicScenario[] = [];
  let fallback: AnthropicScenario | ((req: RecordedRequest, index: number) => AnthropicScenario) = { kind: "ok" };
  let messagesSeen = 0;
  let closing = false;
  const sockets = new Set<Socket>();
  const waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const promptCache: PromptCache = new Set();
  /** Signatures this fake issued, each with the thinking it signed; redacted_thinking data it issued. */
  const signed = new Map<string, string>();
  const issuedData = new Set<string>();

  /** The first thinking block passed back that this fake did not issue as it is (verifySignatures). */
  const forgedThinking = (body: Record<string, unknown>): string | null => {
    const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    for (let i = 0; i < messages.length; i++) {
      if (roleOf(messages[i]) !== "assistant") continue;
      const content = (messages[i] as { content?: unknown }).content;
      if (!Array.isArray(content)) continue;
      for (let k = 0; k < content.length; k++) {
        const b = content[k] as { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown };
        if (b?.type === "thinking" && (typeof b.signature !== "string" || signed.get(b.signature) !== b.thinking)) return `messages.${i}.content.${k}: Invalid \`signature\` in \`thinking\` block`;
        if (b?.type === "redacted_thinking" && (typeof b.data !== "string" || !issuedData.has(b.data))) return `messages.${i}.content.${k}: Invalid \`data\` in \`redacted_thinking\` block`;
      }
    }
    return null;
  };

  /** Resolves after ms, or at once when the fake is closing. */
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing || ms <= 0) return resolve();
      const w = {
        timer: setTimeout(() => {
          waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      waits.add(w);
    });

  const gone = (res: ServerResponse) => closing || res.destroyed || res.writableEnded;

  function baseHeaders(requestId: string): Record<string, string> {
    return { "request-id": requestId, "anthropic-organization-id": ORGANIZATION_ID, "x-robots-tag": "none" };
  }

  function sendJson(res: ServerResponse, status: number, requestId: string, payload: unknown, extra: Record<string, string> = {}) {
    if (gone(res)) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { ...baseHeaders(requestId), "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...extra });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, requestId: string, type: string, message: string, extra: Record<string, string> = {}) {
    sendJson(res, status, requestId, { type: "error", error: { type, message }, request_id: requestId }, extra);
  }

  function startStream(res: ServerResponse, requestId: string) {
    res.socket?.setNoDelay(true);
    res.writeHead(200, {
      ...baseHeaders(requestId),
      ...rateLimitHeaders(false, undefined),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    res.flushHeaders();
  }

  /**
   * Writes events one by one, delayMs apart; false when the response went away. With `flush`,
   * resolves only once the last event has been handed to the socket.
   */
  async function writeEvents(res: ServerResponse, events: string[], delayMs: number, flush = false): Promise<boolean> {
    for (let i = 0; i < events.length; i++) {
      if (i > 0 && delayMs > 0) await wait(delayMs);
      if (gone(res)) return false;
      if (flush && i === events.length - 1) await new Promise<void>((resolve) => res.write(events[i]!, () => resolve()));
      else res.write(events[i]!);
    }
    return !gone(res);
  }

  function destroySocket(res: ServerResponse) {
    const socket = res.socket;
    if (socket && !socket.destroyed) socket.destroy();
    else res.destroy();
  }

  async function serveMessages(req: IncomingMessage, res: ServerResponse, requestId: string, raw: Buffer, tooLarge: boolean, recorded: RecordedRequest, index: number) {
    if (tooLarge) return sendError(res, 413, requestId, "request_too_large", defaultMessageFor("request_too_large"));
    const header = (name: string) => {
      const v = req.headers[name];
      return (Array.isArray(v) ? v[0] : v) ?? "";
    };
    const bearer = /^Bearer\s+(.*)$/i.exec(header("authorization").trim());
    const key = header("x-api-key").trim() || (bearer ? bearer[1]!.trim() : "");
    if (!key) return sendError(res, 401, requestId, "authentication_error", "x-api-key header is required");
    if (opts.apiKey !== undefined && key !== opts.apiKey) return sendError(res, 401, requestId, "authentication_error", "invalid x-api-key");
    if (!header("anthropic-version")) return sendError(res, 400, requestId, "invalid_request_error", "anthropic-version: header is required");
    if (recorded.body === undefined || typeof recorded.body === "string")
      return sendError(res, 400, requestId, "invalid_request_error", raw.length === 0 ? "Request body is empty" : "There was an issue with the formatting or escaping of your JSON body.");
    const problem = validate(recorded.body) ?? (opts.verifySignatures ? forgedThinking(recorded.body as Record<string, unknown>) : null);
    if (problem) return sendError(res, 400, requestId, "invalid_request_error", problem);

    const scenario = queue.shift() ?? (typeof fallback === "function" ? fallback(recorded, index) : fallback);
    const body = recorded.body as Record<string, unknown>;
    const streaming = body.stream === true;

    switch (scenario.kind) {
      case "http-error": {
        const type = scenario.type ?? errorTypeFor(scenario.status);
        const extra: Record<string, string> = { ...rateLimitHeaders(scenario.status === 429, scenario.retryAfter === undefined ? undefined : Number(scenario.retryAfter) || 1) };
        if (scenario.retryAfter !== undefined) extra["retry-after"] = scenario.retryAfter;
        Object.assign(extra, scenario.headers ?? {});
        return sendError(res, scenario.status, requestId, type, scenario.message ?? defaultMessageFor(type), extra);
      }
      case "ok": {
        const p = plan(body, scenario, promptCache);
        for (const b of (p.message as { content: { type: string; thinking?: string; signature?: string; data?: string }[] }).content) {
          if (b.type === "thinking" && b.signature) signed.set(b.signature, b.thinking ?? "");
          if (b.type === "redacted_thinking" && b.data) issuedData.add(b.data);
        }
        if (!streaming) return sendJson(res, 200, requestId, p.message, rateLimitHeaders(false, undefined));
        startStream(res, requestId);
        if (await writeEvents(res, p.events, scenario.chunkDelayMs ?? 0)) res.end();
        return;
      }
      case "error-event": {
        const type = scenario.type ?? "overloaded_error";
        const message = scenario.message ?? defaultMessageFor(type);
        if (!streaming) return sendError(res, STATUS_BY_ERROR_TYPE[type] ?? 500, requestId, type, message);
        const p = plan(body, { kind: "ok" });
        startStream(res, requestId);
        const before = p.events.slice(0, Math.min(scenario.afterChunks ?? DEFAULT_AFTER_CHUNKS, p.events.length - 2));
        if (!(await writeEvents(res, before, 0))) return;
        res.end(sse("error", { type: "error", error: { type, message } }));
        return;
      }
      case "reset": {
        const n = scenario.afterChunks ?? DEFAULT_AFTER_CHUNKS;
        if (!streaming || n <= 0) return destroySocket(res);
        const p = plan(body, { kind: "ok" });
        startStream(res, requestId);
        // The events are flushed first, so the client reads them all before the connection drops
        // (a FIN mid-body without the terminating chunk: the client's read fails).
        if (!(await writeEvents(res, p.events.slice(0, Math.min(n, p.events.length - 1)), 0, true))) return;
        destroySocket(res);
        return;
      }
      case "stall": {
        const n = scenario.afterChunks ?? DEFAULT_AFTER_CHUNKS;
        if (!streaming || n <= 0) return; // no answer at all; close() or the client ends it
        const p = plan(body, { kind: "ok" });
        startStream(res, requestId);
        await writeEvents(res, p.events.slice(0, Math.min(n, p.events.length - 1)), 0);
        return; // never another byte, never the end
      }
      case "malformed": {
        if (!streaming) {
          const text = JSON.stringify(plan(body, { kind: "ok" }).message);
          const cut = text.slice(0, Math.floor(text.length / 2));
          res.writeHead(200, { ...baseHeaders(requestId), "content-type": "application/json", "content-length": String(Buffer.byteLength(cut)) });
          res.end(cut);
          return;
        }
        const p = plan(body, { kind: "ok" });
        startStream(res, requestId);
        if (!(await writeEvents(res, p.events.slice(0, Math.min(scenario.afterChunks ?? DEFAULT_AFTER_CHUNKS, p.events.length - 1)), 0))) return;
        res.end('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut of\n\n');
        return;
      }
      case "no-stop": {
        const p = plan(body, { kind: "ok" });
        if (!streaming) return sendJson(res, 200, requestId, { ...p.message, stop_reason: null, stop_sequence: null }, rateLimitHeaders(false, undefined));
        const whole = p.events.slice(0, -2); // everything but message_delta and message_stop
        startStream(res, requestId);
        if (await writeEvents(res, whole.slice(0, Math.min(scenario.afterChunks ?? whole.length, whole.length)), 0)) res.end();
        return;
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    res.on("error", () => {});
    const requestId = newRequestId();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
    let body: unknown = undefined;
    if (raw.length > 0 && !tooLarge) {
      const text = raw.toString("utf8");
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers, body };
    requests.push(recorded);

    const pathname = new URL(req.url ?? "/", "http://127.0.0.1").pathname.replace(/\/+$/, "");
    const isMessages = pathname === "/v1/messages" && req.method === "POST";
    const index = isMessages ? messagesSeen++ : -1;

    await wait(opts.latencyMs ?? 0);
    if (gone(res)) return;

    if (isMessages) return serveMessages(req, res, requestId, raw, tooLarge, recorded, index);
    if (pathname === "/v1/messages") return sendError(res, 405, requestId, "invalid_request_error", `Method Not Allowed`);
    if (pathname === "/v1/messages/count_tokens" && req.method === "POST") {
      const b = body as Record<string, unknown> | undefined;
      if (!b || typeof b !== "object") return sendError(res, 400, requestId, "invalid_request_error", "There was an issue with the formatting or escaping of your JSON body.");
      return sendJson(res, 200, requestId, { input_tokens: estimateTokens(JSON.stringify([b.system ?? null, b.messages ?? null]).length) });
    }
    return sendError(res, 404, requestId, "not_found_error", "Not Found");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !gone(res)) sendError(res, 500, newRequestId(), "api_error", "Internal server error");
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("the fake Anthropic server has no TCP address"));
      let closed: Promise<void> | null = null;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        requests,
        enqueue: (...s) => void queue.push(...s),
        setDefault: (s) => void (fallback = s),
        close: () => {
          if (closed) return closed;
          closing = true;
          for (const w of waits) {
            clearTimeout(w.timer);
            w.resolve();
          }
          waits.clear();
          closed = new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
            sockets.clear();
            server.closeAllConnections?.();
          });
          return closed;
        },
      });
    });
  });
}
