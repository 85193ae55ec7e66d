// The kinds of failure a sample meets, once for everything that acts on them or shows them: the
// run engine (fails the run or retries), the classification of what the SDKs throw (an HTTP
// status → a kind), the run state of a recorded run (a kind → its name and whether Retry helps)
// and the comparison view's advice. Pure: no I/O, imports nothing.

/** How a failure is treated by the run engine. */
export type FailureKind =
  /** 401 / 403: the key is missing, wrong or not allowed. Fails the run at once. */
  | "auth"
  /** 400 / 404 / 413 / 422: the request itself is wrong. Fails the run at once. */
  | "request"
  /** 429: slow down and retry (honouring retry-after). */
  | "rate_limit"
  /** 529 / 503: the service is overloaded; retry. */
  | "overloaded"
  /** Other 5xx, and an error event in the middle of a stream; retry. */
  | "server"
  /**
   * The server is not there: the connection was refused, the host name does not resolve, or the
   * TLS handshake failed (https:// to a plain-HTTP server, an untrusted certificate). Retrying
   * each sample would only repeat it: fails the run at once.
   */
  | "unreachable"
  /** The connection failed or dropped (after it was made: a reset, a stream cut off); retry. */
  | "connection"
  /** No event for longer than the per-sample timeout; retry. */
  | "timeout"
  /** The stream ended without its stop (no message_stop / finish_reason); retry. */
  | "incomplete"
  /** The stream sent something that is not the protocol (a malformed event); retry. */
  | "protocol";

/** The kinds worth retrying; the others fail the run at once. */
export const RETRYABLE: ReadonlySet<FailureKind> = new Set(["rate_limit", "overloaded", "server", "connection", "timeout", "incomplete", "protocol"]);

/** The kind of failure an HTTP status means (with the error body's type, when there is one). */
export function kindOfStatus(status: number, type?: string | null): FailureKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 529 || status === 503 || type === "overloaded_error") return "overloaded";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "request";
}

/** Failure kinds as a reader names them. */
const FAILURE_KIND_LABELS: Readonly<Record<FailureKind, string>> = {
  auth: "authentication",
  request: "request refused",
  rate_limit: "rate limited",
  overloaded: "overloaded",
  server: "server error",
  connection: "connection",
  timeout: "timeout",
  incomplete: "stream cut short",
  protocol: "protocol error",
  unreachable: "server unreachable",
};

/** Whether a kind read from a run file is one this version knows. */
export function isFailureKind(kind: string): kind is FailureKind {
  return Object.hasOwn(FAILURE_KIND_LABELS, kind);
}

/** A kind as a reader names it ("rate limited"); a kind this version does not know, as it is. */
export function failureKindLabel(kind: string): string {
  return isFailureKind(kind) ? FAILURE_KIND_LABELS[kind] : kind;
}

/** What a classified HTTP error says: the status, the error body's type, the server's own words. */
export interface Answered {
  status: number;
  type?: string;
  words: string;
}

/** The message of a classified HTTP error: "Anthropic (URL) answered 401 authentication_error: invalid x-api-key". */
export function answeredMessage(provider: string, status: number, type: string | null | undefined, words: string): string {
  return `${provider} answered ${status}${type ? ` ${type}` : ""}: ${words}`;
}

/** answeredMessage's format, read back. */
const ANSWERED = /\banswered (\d{3})(?: ([A-Za-z_]+))?: ([\s\S]*)$/;

/** The parts of a message answeredMessage built (also one a run file keeps), or null for any other message. */
export function parseAnswered(message: string): Answered | null {
  const m = ANSWERED.exec(message);
  return m ? { status: Number(m[1]), ...(m[2] ? { type: m[2] } : {}), words: m[3]! } : null;
}
