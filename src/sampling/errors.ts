// Turning what the SDKs throw into SamplingErrors the run engine can act on. Both SDKs (the
// Anthropic and OpenAI ones share a generator) throw APIError subclasses carrying `status`,
// `headers` and the parsed error body, and connection / timeout / abort errors by class name.
import { redactSecrets } from "../core";
import { isSamplingError, SamplingError, type FailureKind } from "./types";

interface HeadersLike {
  get(name: string): string | null;
}

/** retry-after-ms, else retry-after (seconds or an HTTP date), in ms; undefined when absent. */
export function retryAfterMs(headers: HeadersLike | undefined | null): number | undefined {
  if (!headers || typeof headers.get !== "function") return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(parseFloat(ms))) return Math.max(0, parseFloat(ms));
  const ra = headers.get("retry-after");
  if (!ra) return undefined;
  const seconds = parseFloat(ra);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function kindOfStatus(status: number, type: string | null): FailureKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 529 || status === 503 || type === "overloaded_error") return "overloaded";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "request";
}

/** The API's own words for an error body: Anthropic `{error: {message}}`, OpenAI `{message}` or `{error: {message}}`. */
function apiMessage(e: Record<string, unknown>): string | null {
  if (typeof e.apiMessage === "string") return e.apiMessage;
  const body = e.error as Record<string, unknown> | undefined;
  if (body && typeof body === "object") {
    if (typeof body.message === "string") return body.message;
    const inner = body.error as Record<string, unknown> | undefined;
    if (inner && typeof inner.message === "string") return inner.message;
  }
  return null;
}

/**
 * A SamplingError for anything thrown while sampling. `provider` names the service in messages
 * ("Anthropic", "OpenAI-compatible server at …").
 */
export function classify(e: unknown, provider: string, secrets: readonly string[] = []): SamplingError {
  const err = classifyUnredacted(e, provider);
  // a server (a gateway, a proxy) may quote the key back in its error: it must not reach a run
  // file, a notification or the view through the message
  const message = redactSecrets(err.message, secrets);
  return message === err.message ? err : new SamplingError(err.kind, message, err.status, err.retryAfterMs, err.requestId);
}

function classifyUnredacted(e: unknown, provider: string): SamplingError {
  if (isSamplingError(e)) return e;
  const err = (e ?? {}) as Record<string, unknown> & { name?: string; message?: string; constructor?: { name?: string } };
  const cls = err.constructor?.name ?? err.name ?? "";
  const status = typeof err.status === "number" ? err.status : undefined;
  const headers = err.headers as HeadersLike | undefined;
  const requestId = typeof err.requestID === "string" ? err.requestID : (headers?.get?.("request-id") ?? headers?.get?.("x-request-id") ?? undefined);
  if (cls.includes("ConnectionTimeout")) return new SamplingError("timeout", `${provider} did not answer in time`, undefined, undefined, requestId);
  if (cls.includes("Connection")) {
    const cause = (err.cause as { message?: string; code?: string } | undefined) ?? undefined;
    const detail = cause?.code ?? cause?.message ?? err.message ?? "";
    return new SamplingError("connection", `connection to ${provider} failed${detail ? ` (${detail})` : ""}`, undefined, undefined, requestId);
  }
  if (e instanceof SyntaxError) return new SamplingError("protocol", `${provider} sent an event that is not valid JSON (${e.message})`);
  const type = typeof err.type === "string" ? err.type : ((err.error as { error?: { type?: string } } | undefined)?.error?.type ?? null);
  const message = apiMessage(err) ?? err.message ?? String(e);
  if (status !== undefined) {
    const kind = kindOfStatus(status, type);
    return new SamplingError(kind, `${provider} answered ${status}${type ? ` ${type}` : ""}: ${message}`, status, retryAfterMs(headers), requestId);
  }
  if (cls.includes("APIError") || type) {
    // an error event inside a 200 stream (Anthropic `event: error`, OpenAI `data: {"error": …}`)
    const kind: FailureKind = type === "overloaded_error" ? "overloaded" : type === "rate_limit_error" ? "rate_limit" : "server";
    return new SamplingError(kind, `${provider} sent an error mid-stream${type ? ` (${type})` : ""}: ${message}`, undefined, undefined, requestId);
  }
  const code = (err.code ?? (err.cause as { code?: string } | undefined)?.code) as string | undefined;
  if (code && /^E(CONN|PIPE|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|TIMEDOUT)|UND_ERR/.test(code)) return new SamplingError("connection", `connection to ${provider} failed (${code})`);
  if (/terminated|socket|network|fetch failed/i.test(message)) return new SamplingError("connection", `connection to ${provider} dropped (${message})`);
  return new SamplingError("server", `${provider}: ${message}`);
}
