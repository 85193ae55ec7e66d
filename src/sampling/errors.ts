// Turning what the SDKs throw into SamplingErrors the run engine can act on. Both SDKs (the
// Anthropic and OpenAI ones share a generator) throw APIError subclasses carrying `status`,
// `headers` and the parsed error body, and connection / timeout / abort errors by class name.
// A connection that was never made says why only deep in its `cause` chain (the SDK's
// APIConnectionError ← undici's `TypeError: fetch failed` ← the system or TLS error with its
// `code`): that code decides between "the server is not there" (fail the run at once) and a
// connection that dropped (retry the sample).
import { redactSecrets } from "../core";
import { answeredMessage, kindOfStatus } from "../core/failures";
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

/** The kind of an error event sent inside a 200 stream, from its type (the same as before the stream). */
function kindOfType(type: string | null, code: string | null): FailureKind {
  switch (type) {
    case "invalid_request_error":
    case "not_found_error":
    case "request_too_large":
    case "billing_error":
      return "request";
    case "authentication_error":
    case "permission_error":
      return "auth";
    case "rate_limit_error":
      return "rate_limit";
    case "overloaded_error":
      return "overloaded";
    case "timeout_error":
      return "timeout";
  }
  return code === "rate_limit_exceeded" ? "rate_limit" : "server";
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

/** Where a failed request went, and what to suggest when nothing listens there. */
export interface Endpoint {
  /** The URL requested (without credentials or query). */
  url?: string;
  /** Whether the base URL was the user's (a proxy, a local server) rather than the provider's own. */
  custom?: boolean;
  /** A hint when the connection is refused (e.g. "For Ollama: `ollama serve`"). */
  refusedHint?: string;
}

/**
 * A SamplingError for anything thrown while sampling. `provider` names the service in messages
 * ("Anthropic", "OpenAI-compatible server at …"); `endpoint` says where the request went.
 */
export function classify(e: unknown, provider: string, secrets: readonly string[] = [], endpoint: Endpoint = {}): SamplingError {
  const err = classifyUnredacted(e, provider, endpoint);
  // a server (a gateway, a proxy) may quote the key back in its error, and an error may quote
  // a URL with a user name and password: neither may reach a run file, a notification or the
  // view through the message
  const message = redactSecrets(err.message, secrets);
  const url = err.url ?? endpoint.url;
  return message === err.message && url === err.url ? err : new SamplingError(err.kind, message, err.status, err.retryAfterMs, err.requestId, url);
}

/** The first error with a string `code` in a cause chain (undici's system / TLS error), or null. */
interface Cause {
  code: string;
  message: string;
  reason?: string;
  hostname?: string;
  address?: string;
  port?: number;
}
function rootCause(e: unknown): Cause | null {
  let c: unknown = (e as { cause?: unknown } | null)?.cause;
  for (let depth = 0; c !== null && typeof c === "object" && depth < 8; depth++) {
    const x = c as { code?: unknown; message?: unknown; reason?: unknown; hostname?: unknown; address?: unknown; port?: unknown; errors?: unknown; cause?: unknown };
    if (typeof x.code === "string" && x.code !== "") {
      // happy eyeballs (several addresses tried) throws an AggregateError: the first attempt has the address
      const first = Array.isArray(x.errors) ? (x.errors[0] as typeof x | undefined) : undefined;
      const address = x.address ?? first?.address;
      const port = x.port ?? first?.port;
      return {
        code: x.code,
        message: typeof x.message === "string" ? x.message : "",
        ...(typeof x.reason === "string" ? { reason: x.reason } : {}),
        ...(typeof x.hostname === "string" ? { hostname: x.hostname } : {}),
        ...(typeof address === "string" ? { address } : {}),
        ...(typeof port === "number" ? { port } : {}),
      };
    }
    c = x.cause;
  }
  return null;
}

/** The innermost message of a cause chain ("fetch failed", "terminated", "other side closed"). */
function causeMessages(e: unknown): string {
  const out: string[] = [];
  let c: unknown = e;
  for (let depth = 0; c !== null && typeof c === "object" && depth < 8; depth++) {
    const m = (c as { message?: unknown }).message;
    if (typeof m === "string") out.push(m);
    c = (c as { cause?: unknown }).cause;
  }
  return out.join(" ← ");
}

/** host:port of a URL (the scheme's port when none is given), or of a system error. */
function addressOf(endpoint: Endpoint, cause: Cause): { host: string; hostPort: string } {
  if (endpoint.url) {
    try {
      const u = new URL(endpoint.url);
      const port = u.port || (u.protocol === "https:" ? "443" : "80");
      return { host: u.hostname, hostPort: `${u.hostname}:${port}` };
    } catch {
      // fall through to the error's own address
    }
  }
  const host = cause.hostname ?? cause.address ?? "the server";
  return { host, hostPort: cause.port !== undefined ? `${host}:${cause.port}` : host };
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);
const NO_ROUTE_CODES = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const CERT_CODE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET_ISSUER_CERT|GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE|DECRYPT_CERT_SIGNATURE)$|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$)/;
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|EPROTO$)/;

/**
 * The message for a connection that was never made (refused, a name that does not resolve, no
 * route, a failed TLS handshake), naming the address and the likely fix; null for anything
 * else (a reset, a connection cut mid-stream: worth retrying).
 */
function unreachableMessage(cause: Cause, endpoint: Endpoint): string | null {
  const { host, hostPort } = addressOf(endpoint, cause);
  const custom = endpoint.custom ?? true;
  if (cause.code === "ECONNREFUSED")
    return custom
      ? `cannot connect to ${hostPort} (connection refused): is the server running?${endpoint.refusedHint ? ` ${endpoint.refusedHint}; check` : " Check"} --base-url`
      : `cannot connect to ${hostPort} (connection refused): check the network connection (a firewall or a proxy in the way?)`;
  if (DNS_CODES.has(cause.code)) {
    const what = cause.code === "ENOTFOUND" ? "DNS: no such host" : `DNS lookup failed: ${cause.code}`;
    return `cannot resolve ${host} (${what}): ${custom ? "check the host name in the base URL" : "check the network connection"}${custom && cause.code !== "ENOTFOUND" ? " and the network connection" : ""}`;
  }
  if (NO_ROUTE_CODES.has(cause.code)) return `cannot reach ${hostPort} (${cause.code}: no route to it): check the network connection${custom ? " and --base-url" : ""}`;
  if (CERT_CODE.test(cause.code))
    return `TLS handshake with ${hostPort} failed (${cause.code}${cause.message ? `: ${cause.message}` : ""}): its certificate is not trusted — check the host name in the base URL, or trust the certificate's authority with NODE_EXTRA_CA_CERTS`;
  // the server hung up on the TLS handshake (a plain-HTTP server that drops what it cannot parse)
  if (TLS_CODE.test(cause.code) || (cause.code === "ECONNRESET" && /before secure TLS connection/i.test(cause.message)))
    return `TLS handshake with ${hostPort} failed (${cause.reason ?? (cause.code === "ECONNRESET" ? "the server closed the connection" : cause.code)}): the server may speak plain HTTP — use http://, or check its certificate`;
  return null;
}

function classifyUnredacted(e: unknown, provider: string, endpoint: Endpoint): SamplingError {
  if (isSamplingError(e)) return e;
  const err = (e ?? {}) as Record<string, unknown> & { name?: string; message?: string; constructor?: { name?: string } };
  // both the class's name and `name`: a minified bundle (the editor's) renames classes, and the
  // OpenAI SDK's errors keep the name "Error"
  const cls = `${err.constructor?.name ?? ""} ${typeof err.name === "string" ? err.name : ""}`;
  const status = typeof err.status === "number" ? err.status : undefined;
  const headers = err.headers as HeadersLike | undefined;
  const requestId = typeof err.requestID === "string" ? err.requestID : (headers?.get?.("request-id") ?? headers?.get?.("x-request-id") ?? undefined);
  const url = endpoint.url;
  const cause = rootCause(e);
  const causes = causeMessages(e);
  if (status === undefined) {
    const unreachable = cause ? unreachableMessage(cause, endpoint) : null;
    if (unreachable) return new SamplingError("unreachable", unreachable, undefined, undefined, requestId, url);
    // undici's fetch refuses the ports the fetch standard blocks (9, 6000, 10080…) before connecting
    if (/(^| ← )bad port( ← |$)/.test(causes)) {
      const { hostPort } = addressOf(endpoint, { code: "", message: "" });
      return new SamplingError("unreachable", `cannot connect to ${hostPort}: Node's fetch refuses this port (the fetch standard blocks it, as browsers do): run the server on another port`, undefined, undefined, requestId, url);
    }
  }
  if (cls.includes("ConnectionTimeout")) return new SamplingError("timeout", `${provider} did not answer in time`, undefined, undefined, requestId, url);
  if (cls.includes("Connection") || (status === undefined && /fetch failed/.test(causes))) {
    const inner = (err.cause as { message?: string } | undefined)?.message;
    const detail = cause?.code ?? inner ?? err.message ?? "";
    return new SamplingError("connection", `connection to ${provider} failed${detail ? ` (${detail})` : ""}`, undefined, undefined, requestId, url);
  }
  if (e instanceof SyntaxError) return new SamplingError("protocol", `${provider} sent an event that is not valid JSON (${e.message})`, undefined, undefined, undefined, url);
  const type = typeof err.type === "string" ? err.type : ((err.error as { error?: { type?: string } } | undefined)?.error?.type ?? null);
  const message = apiMessage(err) ?? err.message ?? String(e);
  if (status !== undefined) {
    const kind = kindOfStatus(status, type);
    return new SamplingError(kind, answeredMessage(provider, status, type, message), status, retryAfterMs(headers), requestId, url);
  }
  if (cls.includes("APIError") || type) {
    // an error event inside a 200 stream (Anthropic `event: error`, OpenAI `data: {"error": …}`):
    // the same type means the same as before the stream (a refused request is not retried)
    const code = typeof err.code === "string" ? err.code : null;
    return new SamplingError(kindOfType(type, code), `${provider} sent an error mid-stream${type ? ` (${type})` : ""}: ${message}`, undefined, undefined, requestId, url);
  }
  const code = (err.code ?? (err.cause as { code?: string } | undefined)?.code) as string | undefined;
  if (code && /^E(CONN|PIPE|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|TIMEDOUT)|UND_ERR/.test(code)) return new SamplingError("connection", `connection to ${provider} failed (${code})`, undefined, undefined, undefined, url);
  if (/terminated|socket|network|fetch failed/i.test(message)) return new SamplingError("connection", `connection to ${provider} dropped (${message})`, undefined, undefined, undefined, url);
  return new SamplingError("server", `${provider}: ${message}`, undefined, undefined, undefined, url);
}
