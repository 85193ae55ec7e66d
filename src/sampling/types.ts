// One interface for every way of sampling a model: a provider turns a request into a stream of
// thinking / text / usage / stop events. The run engine drives providers; nothing above it
// knows which SDK is underneath.
import { RETRYABLE, type FailureKind } from "../core/failures";
import type { Conversation } from "../core/conversation";
import type { ReplayTable } from "../core/replay";

export type ThinkingMode =
  | { type: "none" }
  /** Extended thinking with a token budget (`thinking: {type: "enabled", budget_tokens}`). */
  | { type: "budget"; budgetTokens: number }
  /** The model decides how much to think (`thinking: {type: "adaptive"}`). */
  | { type: "adaptive" };

export interface SampleRequest {
  prompt: string;
  system?: string;
  model: string;
  maxTokens: number;
  /** Unset means the provider's default. */
  temperature?: number;
  thinking: ThinkingMode;
  /**
   * A conversation prefix to continue (its tools declared): when set, it is sent instead of
   * `prompt` as one user turn, and the reply is the next assistant turn (src/core/conversation.ts).
   */
  conversation?: Conversation;
  /**
   * Continue each sample past its first turn (`hotmess run --steps K`): the engine answers the
   * turn's tool calls and samples the next turn, until K actions were taken (src/sampling/engine.ts).
   * Needs `conversation`. Providers never read it: each turn is sent as its own request.
   */
  rollout?: Rollout;
}

/** How a rollout gets tool results and when it stops (SampleRequest.rollout). */
export interface Rollout {
  /** The most actions (tool calls) a sample takes; a turn that reaches it ends the sample. */
  steps: number;
  /** Results recorded in earlier runs, looked up first (src/core/replay.ts). */
  replay?: ReplayTable;
  /** A program that answers a call the replay table cannot (src/sampling/toolcommand.ts): its words, run without a shell. */
  command?: readonly string[];
  /** The tool command's timeout (default 30 s). */
  timeoutMs?: number;
  /** The folder the tool command runs in (default: this process's). */
  cwd?: string;
}

export type ProviderEvent =
  | { type: "thinking"; text: string }
  /**
   * The signature of the thinking block just streamed (Anthropic's `signature_delta`, sent just
   * before the block's content_block_stop): what makes the block acceptable when it is passed
   * back in a later turn (a rollout), so it is kept with the block, unchanged.
   */
  | { type: "thinking_signature"; signature: string }
  /** A redacted thinking block: counted, its content is not readable; `data` is its opaque content, to pass back unchanged. */
  | { type: "redacted_thinking"; data?: string }
  | { type: "text"; text: string }
  /**
   * A tool call of the reply, once complete (its streamed argument deltas assembled): `arguments`
   * is the raw JSON text as the model wrote it ("" for none), `id` the provider's call id.
   */
  | { type: "tool_call"; id: string; name: string; arguments: string }
  /** Token counts so far (each field the latest known value, not an increment). */
  | {
      type: "usage";
      inputTokens?: number;
      outputTokens?: number;
      thinkingTokens?: number;
      /** Of inputTokens, read from the provider's prompt cache (Anthropic cache_read_input_tokens, OpenAI cached_tokens). */
      cacheReadTokens?: number;
      /** Of inputTokens, written to the prompt cache (Anthropic cache_creation_input_tokens). */
      cacheWriteTokens?: number;
    }
  /** The protocol's own end of message was seen; `truncated` when it stopped at max tokens. */
  | { type: "stop"; reason: string; truncated: boolean };

export interface Provider {
  /** "anthropic", "openai", "simulated", … */
  readonly id: string;
  /**
   * A clear message when the request cannot be sent as it is (a temperature a thinking model
   * refuses, a budget out of range, a key in the base URL), checked before any request; null
   * when it can. The run engine calls it once, before any stream(): stream() may assume it passed.
   */
  check(request: SampleRequest): string | null;
  /**
   * The keys this provider holds (its API key), so a run store redacts them from what it writes
   * even when its caller forgot to list them. Absent when it holds none.
   */
  readonly secrets?: readonly string[];
  /**
   * Streams one sample. Throws a SamplingError on failure; returns without a "stop" event only
   * when the signal was aborted.
   */
  stream(request: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
}

// The failure kinds and which of them are retried live in core (the run state and the view read
// them too).
export { RETRYABLE, type FailureKind } from "../core/failures";

export class SamplingError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** What the server asked to wait before retrying, in ms (retry-after / retry-after-ms). */
    readonly retryAfterMs?: number,
    readonly requestId?: string,
    /** Where the request went (the endpoint, never with credentials or a query). */
    readonly url?: string,
  ) {
    super(message);
    this.name = "SamplingError";
  }
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/**
 * Whether a value is a SamplingError, also one made by another copy of this module (the
 * editor loads the providers from a bundle of their own, where instanceof would say no).
 */
export function isSamplingError(e: unknown): e is SamplingError {
  return e instanceof SamplingError || (e instanceof Error && e.name === "SamplingError" && typeof (e as unknown as { kind?: unknown }).kind === "string");
}
