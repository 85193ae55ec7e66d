// The Anthropic provider: the Messages API through @anthropic-ai/sdk, streamed. Thinking blocks
// are the trace; redacted thinking is counted; the visible text is the reply the answer is read
// from; a max_tokens stop is flagged as truncated. The SDK's own retries are off: the run
// engine retries, visibly. Each thinking block's signature (its `signature_delta`, streamed just
// before the block's content_block_stop) and each redacted block's `data` are passed on as
// events, so a rollout can send the turn back as the API returned it.
//
// A conversation prefix (SampleRequest.conversation) is sent as it is, its tools declared and the
// prefix marked for prompt caching (cache_control on the last tool and on the last block of the
// last message: every rerun of the same prefix reads it back at the cache price). The reply's
// tool calls stream as a tool_use content_block_start (id, name, input {}) then input_json_delta
// pieces of the input's JSON text until content_block_stop, where one tool_call event carries
// the pieces joined, as the model wrote them: not parsed, so a call whose JSON does not parse
// is still recorded ("" when no piece came).
import Anthropic from "@anthropic-ai/sdk";
import { checkConversation, toAnthropic, unthoughtToolTurn } from "../core/conversation";
import { classify, type Endpoint } from "./errors";
import { claudeRules } from "./claude";
import { DEFAULT_MODELS } from "./defaults";
import { capturingConsoleWarn, onceEach, sdkLogger, type SdkLog } from "./sdklog";
import { checkBaseURL, safeBaseURL } from "./store";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "./types";

export { claudeRules, claudeVersion, defaultThinking } from "./claude";

export interface AnthropicOptions {
  apiKey: string;
  /** Another endpoint than api.anthropic.com (a proxy, a gateway, a test server). */
  baseURL?: string;
  /** Where the SDK's own warnings go, each distinct one once (never the key); silent by default. */
  log?: (line: string) => void;
}

/** The cache counts of a usage event: present only when the prompt cache was used. */
function cacheFields(read: number, write: number): { cacheReadTokens?: number; cacheWriteTokens?: number } {
  return { ...(read > 0 ? { cacheReadTokens: read } : {}), ...(write > 0 ? { cacheWriteTokens: write } : {}) };
}

/**
 * The Messages API body for a request, without `stream` (the live provider adds `stream: true`;
 * a Message Batch sends it as each request's `params`, where streaming is not allowed).
 */
export function anthropicRequestBody(r: SampleRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: r.model,
    max_tokens: r.maxTokens,
    messages: [{ role: "user", content: r.prompt }],
  };
  if (r.system) body.system = r.system;
  if (r.conversation) {
    // the prefix instead of the prompt; its own system prompt, else the request's
    const wire = toAnthropic(r.conversation, { cache: true });
    body.messages = wire.messages;
    if (wire.system !== undefined) body.system = wire.system;
    if (wire.tools.length > 0) body.tools = wire.tools;
  }
  // Ask for the thinking to be returned (summarized), not omitted: it is the trace.
  if (r.thinking.type === "budget") body.thinking = { type: "enabled", budget_tokens: r.thinking.budgetTokens, display: "summarized" };
  else if (r.thinking.type === "adaptive") body.thinking = { type: "adaptive", display: "summarized" };
  else {
    // Claude 5 models think unless told not to; earlier ones only when asked (the field stays out).
    const off = claudeRules(r.model).off;
    if (off === "disabled" || off === "between_tools") body.thinking = { type: off };
  }
  if (r.temperature !== undefined) body.temperature = r.temperature;
  return body;
}

export class AnthropicProvider implements Provider {
  readonly id = "anthropic";
  private readonly client: Anthropic;
  private readonly where: string;
  readonly secrets: readonly string[];
  private readonly sdkLog: SdkLog;
  /** Why the base URL cannot be used (credentials in it), checked before any request. */
  private readonly refusedURL: string | null;
  private readonly endpoint: Endpoint;

  constructor(options: AnthropicOptions) {
    this.secrets = [options.apiKey];
    this.refusedURL = checkBaseURL(options.baseURL, "ANTHROPIC_API_KEY");
    // One log for the SDK's logger and its console.warn: each distinct line once per provider (a run).
    this.sdkLog = onceEach(options.log, "the Anthropic SDK", this.secrets);
    const logger = sdkLogger(this.sdkLog);
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL ?? null, maxRetries: 0, timeout: 600_000, logger, logLevel: "warn" });
    // messages name the endpoint without what may not be shown (a user name, a query)
    this.where = options.baseURL ? `Anthropic (${safeBaseURL(options.baseURL) ?? "the base URL"})` : "Anthropic";
    this.endpoint = { url: `${safeBaseURL(this.client.baseURL) ?? "https://api.anthropic.com"}/v1/messages`, custom: options.baseURL !== undefined };
  }

  check(r: SampleRequest): string | null {
    if (this.refusedURL) return this.refusedURL;
    const rules = claudeRules(r.model);
    if (r.thinking.type === "none" && rules.off === null)
      return `${r.model} always thinks (its adaptive thinking cannot be turned off): drop --thinking off, or choose a model that can answer without thinking, such as ${DEFAULT_MODELS.anthropic}`;
    if (r.thinking.type === "budget") {
      if (!rules.budget)
        return `${r.model} takes adaptive thinking only (a thinking budget is refused from Claude Opus 4.7 on): drop --thinking-budget, or use --thinking adaptive`;
      if (r.thinking.budgetTokens < 1024) return `a thinking budget must be at least 1024 tokens (got ${r.thinking.budgetTokens})`;
      if (r.thinking.budgetTokens >= r.maxTokens)
        return `the thinking budget (${r.thinking.budgetTokens}) must be below max tokens (${r.maxTokens}): thinking counts toward max tokens; raise --max-tokens`;
    }
    if (r.thinking.type === "adaptive" && !rules.adaptive)
      return `${r.model} has no adaptive thinking (it arrived with the Claude 4.6 models): use --thinking-budget N instead`;
    if (r.temperature !== undefined && r.temperature !== 1) {
      if (!rules.temperature) return `${r.model} accepts no temperature other than 1 (models after Claude Opus 4.6 sample at a fixed temperature): drop --temperature`;
      if (r.thinking.type !== "none") return `with thinking on, Claude accepts only temperature 1 (got ${r.temperature}): drop --temperature, or turn thinking off with --thinking off`;
      if (r.temperature < 0 || r.temperature > 1) return `Claude's temperature is between 0 and 1 (got ${r.temperature})`;
    }
    if (r.conversation) {
      const refused = checkConversation(r.conversation, "anthropic");
      if (refused) return refused;
    }
    if (r.conversation && r.thinking.type === "budget") {
      const unsigned = unthoughtToolTurn(r.conversation);
      if (unsigned !== null)
        return `with a thinking budget, Claude refuses a prefix that ends inside a tool-use loop unless the assistant turn that opened it (message ${unsigned + 1}) starts with its thinking block, signature included, as the API returned it: import the trajectory with its thinking and signatures, or turn thinking off (--thinking off)`;
    }
    return null;
  }

  async *stream(r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    const body: Record<string, unknown> = { ...anthropicRequestBody(r), stream: true };

    let stopped = false;
    let stopReason = "";
    // the tool_use blocks being streamed, by content block index: their input's JSON text so far
    const calls = new Map<number, { id: string; name: string; json: string; start: string }>();
    try {
      // The SDK console.warns inside create (a deprecated model, thinking.type=enabled): to the log.
      const stream = await capturingConsoleWarn(this.sdkLog, () => this.client.messages.create(body as unknown as Anthropic.MessageCreateParamsStreaming, { signal }));
      for await (const ev of stream) {
        switch (ev.type) {
          case "message_start": {
            const u = ev.message.usage;
            // input_tokens counts only what was neither read from nor written to the cache: the total is the sum
            const read = u.cache_read_input_tokens ?? 0;
            const write = u.cache_creation_input_tokens ?? 0;
            yield { type: "usage", inputTokens: u.input_tokens + read + write, outputTokens: u.output_tokens, ...cacheFields(read, write) };
            break;
          }
          case "content_block_start":
            if (ev.content_block.type === "redacted_thinking") yield { type: "redacted_thinking", data: ev.content_block.data };
            else if (ev.content_block.type === "thinking" && (ev.content_block.thinking || ev.content_block.signature)) {
              // streams start a thinking block empty (its signature comes as a signature_delta); kept in case a server sends it whole
              if (ev.content_block.thinking) yield { type: "thinking", text: ev.content_block.thinking };
              if (ev.content_block.signature) yield { type: "thinking_signature", signature: ev.content_block.signature };
            }
            else if (ev.content_block.type === "text" && ev.content_block.text) yield { type: "text", text: ev.content_block.text };
            else if (ev.content_block.type === "tool_use") {
              // the input arrives as input_json_delta pieces; `input` here is {} (kept in case a server sends it whole instead)
              const input = ev.content_block.input;
              const start = input !== null && typeof input === "object" && Object.keys(input).length > 0 ? JSON.stringify(input) : "";
              calls.set(ev.index, { id: ev.content_block.id, name: ev.content_block.name, json: "", start });
            }
            break;
          case "content_block_delta":
            if (ev.delta.type === "thinking_delta") yield { type: "thinking", text: ev.delta.thinking };
            // the block's signature, just before its content_block_stop: kept to pass the block back
            else if (ev.delta.type === "signature_delta") yield { type: "thinking_signature", signature: ev.delta.signature };
            else if (ev.delta.type === "text_delta") yield { type: "text", text: ev.delta.text };
            else if (ev.delta.type === "input_json_delta") {
              const call = calls.get(ev.index);
              if (call) call.json += ev.delta.partial_json ?? "";
            }
            break;
          case "content_block_stop": {
            const call = calls.get(ev.index);
            if (call) {
              calls.delete(ev.index);
              yield { type: "tool_call", id: call.id, name: call.name, arguments: call.json || call.start };
            }
            break;
          }
          case "message_delta":
            if (ev.delta.stop_reason) stopReason = ev.delta.stop_reason;
            if (ev.usage) {
              // cumulative counts; the input ones only when the server restates them (some streams
              // have sent input_tokens 0 here: not a restatement)
              const u = ev.usage;
              const read = u.cache_read_input_tokens ?? 0;
              const write = u.cache_creation_input_tokens ?? 0;
              const known = u.input_tokens !== null && u.input_tokens !== undefined && u.input_tokens + read + write > 0;
              yield { type: "usage", outputTokens: u.output_tokens ?? undefined, ...(known ? { inputTokens: u.input_tokens! + read + write, ...cacheFields(read, write) } : {}) };
            }
            break;
          case "message_stop":
            stopped = true;
            break;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw classify(e, this.where, this.secrets, this.endpoint);
    }
    if (signal.aborted) return;
    if (!stopped) throw new SamplingError("incomplete", `${this.where}: the stream ended without message_stop (the connection was cut or the server gave up)`);
    yield { type: "stop", reason: stopReason || "end_turn", truncated: stopReason === "max_tokens" };
  }
}
