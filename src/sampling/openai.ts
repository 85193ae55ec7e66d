// The OpenAI-compatible provider: chat completions through the `openai` SDK (v6), streamed,
// against OpenAI or any server that speaks its protocol (Ollama, vLLM, LM Studio, llama.cpp's
// server) through a base URL. Reasoning comes from whichever the server uses: the
// `reasoning_content` field (DeepSeek, vLLM, llama.cpp), the `reasoning` field (Ollama,
// OpenRouter, newer vLLM), or `<think>…</think>` inside the content.
//
// A conversation prefix (SampleRequest.conversation) is sent as chat messages (assistant
// `tool_calls`, one `tool` message per result) with its tools declared as functions; OpenAI
// caches a long prefix by itself (the cached part is reported as
// usage.prompt_tokens_details.cached_tokens). The reply's tool calls stream as
// `delta.tool_calls[]` pieces keyed by `index`: the first with the call's id, type "function"
// and function.name, the next ones with fragments of function.arguments. Each call is one
// tool_call event once the choice finishes (finish_reason "tool_calls", or any other: a call
// cut by "length" is recorded as far as it went), its arguments the fragments joined as the model wrote them: not parsed, so a call
// whose JSON does not parse is still recorded.
import OpenAI from "openai";
import { checkConversation, toOpenAI } from "../core/conversation";
import { classify, type Endpoint } from "./errors";
import { onceEach, sdkLogger, type SdkLog } from "./sdklog";
import { checkBaseURL, safeBaseURL } from "./store";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "./types";

/**
 * Splits streamed content into thinking and text at `<think>` / `</think>` tags, which may be
 * cut anywhere across chunks.
 */
export class ThinkSplitter {
  private inThink = false;
  private pending = "";

  /** Feeds a chunk; returns the pieces that are certain so far. */
  push(chunk: string): { thinking: string; text: string } {
    let s = this.pending + chunk;
    this.pending = "";
    let thinking = "";
    let text = "";
    while (s.length > 0) {
      const tag = this.inThink ? "</think>" : "<think>";
      const at = s.indexOf(tag);
      if (at >= 0) {
        if (this.inThink) thinking += s.slice(0, at);
        else text += s.slice(0, at);
        this.inThink = !this.inThink;
        s = s.slice(at + tag.length);
        continue;
      }
      // keep a possible beginning of the tag at the end for the next chunk
      let keep = 0;
      for (let k = Math.min(tag.length - 1, s.length); k > 0; k--) {
        if (tag.startsWith(s.slice(s.length - k))) {
          keep = k;
          break;
        }
      }
      if (this.inThink) thinking += s.slice(0, s.length - keep);
      else text += s.slice(0, s.length - keep);
      this.pending = s.slice(s.length - keep);
      s = "";
    }
    return { thinking, text };
  }

  /** What is left at the end of the stream. */
  flush(): { thinking: string; text: string } {
    const rest = this.pending;
    this.pending = "";
    return this.inThink ? { thinking: rest, text: "" } : { thinking: "", text: rest };
  }
}

/** A fetch that notes whether the SSE body carried `data: [DONE]`. */
function watchingFetch(state: { done: boolean }): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body || !(response.headers.get("content-type") ?? "").includes("text/event-stream")) return response;
    const decoder = new TextDecoder();
    let tail = "";
    const watched = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const text = tail + decoder.decode(chunk, { stream: true });
          if (/(^|\n)data: ?\[DONE\]/.test(text)) state.done = true;
          tail = text.slice(-16);
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…), which take no sampling temperature but 1. */
export function isOpenAIReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

/**
 * The chat completions body for a request. `stream` adds `stream: true` and
 * `stream_options.include_usage` (the live provider); without it the body is the one an OpenAI
 * batch line carries (batches do not stream). `compatible` (a base URL was given) sends
 * `max_tokens` instead of `max_completion_tokens`.
 */
export function openAIRequestBody(r: SampleRequest, how: { compatible: boolean; stream: boolean }): Record<string, unknown> {
  let messages: unknown[] = [];
  let tools: unknown[] = [];
  if (r.conversation) {
    // the prefix instead of the prompt; its own system prompt, else the request's
    const wire = toOpenAI(r.conversation);
    messages = r.conversation.system === undefined && r.system ? [{ role: "system", content: r.system }, ...wire.messages] : wire.messages;
    tools = wire.tools;
  } else {
    if (r.system) messages.push({ role: "system", content: r.system });
    messages.push({ role: "user", content: r.prompt });
  }
  const body: Record<string, unknown> = how.stream ? { model: r.model, messages, stream: true, stream_options: { include_usage: true } } : { model: r.model, messages };
  // an empty list is refused ("[] is too short - 'tools'"): no tools, no field
  if (tools.length > 0) body.tools = tools;
  // OpenAI itself wants max_completion_tokens (its reasoning models refuse max_tokens); the
  // compatible servers all understand max_tokens.
  if (how.compatible) body.max_tokens = r.maxTokens;
  else body.max_completion_tokens = r.maxTokens;
  if (r.temperature !== undefined) body.temperature = r.temperature;
  // A thinking budget maps to the reasoning effort servers understand; adaptive leaves it to the model.
  if (r.thinking.type === "budget") body.reasoning_effort = r.thinking.budgetTokens >= 16000 ? "high" : r.thinking.budgetTokens >= 4000 ? "medium" : "low";
  return body;
}

export interface OpenAIOptions {
  /** None for a local server that takes no key (Ollama, vLLM, LM Studio, llama.cpp). */
  apiKey?: string;
  /** The server's base URL including /v1 (e.g. http://localhost:11434/v1 for Ollama). */
  baseURL?: string;
  /** Where the SDK's own warnings go, each distinct one once (never the key); silent by default. */
  log?: (line: string) => void;
}

/** What the SDK sends when there is no key (it requires one): any value does for a server that takes none. */
const NO_KEY = "not-needed";

export class OpenAIProvider implements Provider {
  readonly id = "openai";
  private readonly where: string;
  readonly secrets: readonly string[];
  /** Why the base URL cannot be used (credentials in it), checked before any request. */
  private readonly refusedURL: string | null;
  private readonly endpoint: Endpoint;

  /** The SDK's warnings, each distinct one once for all the clients (one a request) this provider makes. */
  private readonly sdkLog: SdkLog;

  constructor(private readonly options: OpenAIOptions) {
    this.refusedURL = checkBaseURL(options.baseURL, "OPENAI_API_KEY");
    // messages name the endpoint without what may not be shown (a user name, a query)
    this.where = options.baseURL ? `the OpenAI-compatible server at ${safeBaseURL(options.baseURL) ?? "the base URL"}` : "OpenAI";
    this.secrets = options.apiKey ? [options.apiKey] : [];
    this.sdkLog = onceEach(options.log, "the OpenAI SDK", this.secrets);
    this.endpoint = {
      url: `${safeBaseURL(options.baseURL ?? "https://api.openai.com/v1")}/chat/completions`,
      custom: options.baseURL !== undefined,
      // a compatible server that refuses connections is most often an Ollama not started
      refusedHint: "For Ollama: `ollama serve`",
    };
  }

  check(r: SampleRequest): string | null {
    if (this.refusedURL) return this.refusedURL;
    if (r.conversation) {
      const refused = checkConversation(r.conversation, "openai");
      if (refused) return refused;
    }
    if (r.temperature !== undefined && (r.temperature < 0 || r.temperature > 2)) return `temperature is between 0 and 2 (got ${r.temperature})`;
    if (!this.options.baseURL && isOpenAIReasoningModel(r.model) && r.temperature !== undefined && r.temperature !== 1)
      return `${r.model} is a reasoning model and OpenAI accepts only its default temperature (1) for it: drop --temperature`;
    if (r.thinking.type === "budget" && r.thinking.budgetTokens >= r.maxTokens)
      return `the thinking budget (${r.thinking.budgetTokens}) must be below max tokens (${r.maxTokens}); raise --max-tokens`;
    return null;
  }

  private client(state: { done: boolean }): OpenAI {
    return new OpenAI({ apiKey: this.options.apiKey || NO_KEY, baseURL: this.options.baseURL ?? null, maxRetries: 0, timeout: 600_000, fetch: watchingFetch(state), logger: sdkLogger(this.sdkLog), logLevel: "warn" });
  }

  async *stream(r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    const state = { done: false };
    const body: Record<string, unknown> = openAIRequestBody(r, { compatible: this.options.baseURL !== undefined, stream: true });

    const splitter = new ThinkSplitter();
    let finish: string | null = null;
    // the tool calls being streamed, by their index; emitted (in index order) once the choice finishes
    const calls = new Map<number, { id: string; name: string; args: string }>();
    const flushCalls = function* (): Generator<ProviderEvent> {
      for (const [, c] of [...calls.entries()].sort((a, b) => a[0] - b[0])) yield { type: "tool_call", id: c.id, name: c.name, arguments: c.args };
      calls.clear();
    };
    try {
      const stream = await this.client(state).chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal });
      for await (const chunk of stream) {
        if (chunk.usage) {
          const details = chunk.usage.completion_tokens_details;
          const prompt = chunk.usage.prompt_tokens_details as { cached_tokens?: number; cache_write_tokens?: number } | undefined;
          yield {
            type: "usage",
            inputTokens: chunk.usage.prompt_tokens,
            outputTokens: chunk.usage.completion_tokens,
            thinkingTokens: details?.reasoning_tokens ?? undefined,
            // of prompt_tokens: read from OpenAI's automatic prompt cache (and, where billed, written to it)
            ...(prompt?.cached_tokens ? { cacheReadTokens: prompt.cached_tokens } : {}),
            ...(prompt?.cache_write_tokens ? { cacheWriteTokens: prompt.cache_write_tokens } : {}),
          };
        }
        for (const choice of chunk.choices ?? []) {
          const delta = (choice.delta ?? {}) as { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
          const reasoning = delta.reasoning_content ?? delta.reasoning;
          if (reasoning) yield { type: "thinking", text: reasoning };
          if (delta.content) {
            const { thinking, text } = splitter.push(delta.content);
            if (thinking) yield { type: "thinking", text: thinking };
            if (text) yield { type: "text", text };
          }
          // as the SDK's own accumulator reads them: the id and the name replace, the arguments append
          (choice.delta?.tool_calls ?? []).forEach((tc, position) => {
            const index = typeof tc.index === "number" ? tc.index : position; // a server that leaves out the index
            const call = calls.get(index) ?? { id: "", name: "", args: "" };
            if (tc.id) call.id = tc.id;
            if (tc.function?.name) call.name = tc.function.name;
            if (tc.function?.arguments) call.args += tc.function.arguments;
            calls.set(index, call);
          });
          if (choice.finish_reason) {
            finish = choice.finish_reason;
            yield* flushCalls();
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      // what the splitter held back (a possible tag's start) is part of what the model had said
      const rest = splitter.flush();
      if (rest.thinking) yield { type: "thinking", text: rest.thinking };
      if (rest.text) yield { type: "text", text: rest.text };
      throw classify(e, this.where, this.secrets, this.endpoint);
    }
    if (signal.aborted) return;
    const rest = splitter.flush();
    if (rest.thinking) yield { type: "thinking", text: rest.thinking };
    if (rest.text) yield { type: "text", text: rest.text };
    // (calls are emitted at the finish_reason: a stream cut before it is incomplete, its half calls not recorded)
    if (finish === null || !state.done)
      throw new SamplingError("incomplete", `${this.where}: the stream ended without ${finish === null ? "a finish_reason" : "[DONE]"} (the connection was cut or the server gave up)`);
    yield { type: "stop", reason: finish, truncated: finish === "length" };
  }
}
