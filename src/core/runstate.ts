// What became of a recorded run, for everything that shows a failed, partial or interrupted one
// (the comparison view's banner, the Open Run picker, the status bar, the language server's
// lenses and hovers, a load that finds no sample): the status in one sentence, a short reason,
// and the failures grouped. Pure: a parsed run in (src/core/runfile.ts), plain data out.
import { failureKindLabel, isFailureKind, kindOfStatus, parseAnswered, RETRYABLE } from "./failures";
import { redactDeep } from "./redact";
import type { ParsedRun, RunFailureLine } from "./runfile";

/** The run's status as a reader should see it: the end line's, or "unfinished" without one. */
export type RunStatus = "complete" | "partial" | "failed" | "cancelled" | "unfinished";

/** Failure lines that say the same thing (kind, HTTP status, URL, message), counted once. */
export interface FailureGroup {
  count: number;
  /** The samples (their indices) that failed this way. */
  samples: number[];
  /** A FailureKind (src/core/failures.ts: auth, rate_limit, …); "" when only the end line says why. */
  kind: string;
  /** The kind as a reader names it ("authentication", "rate limited"; "" without a kind). */
  label: string;
  message: string;
  status?: number;
  url?: string;
  /** Each request has its own id: all of them, for a support ticket. */
  requestIds: string[];
  /** The fewest and the most attempts among them (null: not recorded). */
  attempts: [number, number] | null;
  retryable?: boolean;
  /** The longest wait a server asked for (ms), when that is why the samples gave up. */
  retryAfterMs?: number;
}

/** What a sample had said before its error (a stream cut mid-way). */
export interface PartialReply {
  sample: number;
  text: string;
  thinking: string;
}

export interface RunState {
  status: RunStatus;
  /** The n the run was started with, and the samples that finished. */
  target: number;
  finished: number;
  /** Samples that did not finish (0 for a complete run): failed + notStarted. */
  missing: number;
  /** Of the missing, those whose latest attempt failed (a failure line), and those never started (the run stopped first). */
  failed: number;
  notStarted: number;
  /** The end line's message (a failed run's error in the API's words, a cancel's count). */
  message?: string;
  failures: FailureGroup[];
  partials: PartialReply[];
  /** Continuing the run would run samples: some are missing. */
  resumable: boolean;
  /** One sentence: "Run failed: 0 of 8 samples finished", "Partial: 5 of 8 samples finished, 3 failed". */
  summary: string;
  /** The counts in a few words, for a picker row, a lens, the status bar: "5 of 8 finished, 1 failed, 2 not started", "5 of 8 recorded". */
  brief: string;
  /** Why, in a few words ("401 invalid x-api-key"), or null when nothing says. */
  reason: string | null;
}

/** The HTTP status a message names ("… answered 429 …"), when the line has no status of its own. */
function statusIn(message: string): number | undefined {
  return parseAnswered(message)?.status;
}

/** The server's own words in a classified message (after "answered 401 type: "), else the message. */
export function serverWords(message: string): string {
  return (parseAnswered(message)?.words ?? message).trim();
}

const REASON_MAX = 80;

/** "401 invalid x-api-key": the status and the server's words, cut to a picker row's length. */
export function shortReason(message: string, status?: number): string {
  const words = serverWords(message).replace(/\s+/g, " ");
  const code = status ?? statusIn(message);
  const text = code !== undefined && !words.startsWith(String(code)) ? `${code} ${words}` : words;
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text;
}

/**
 * The status a reader should see. A run that ended "complete" short of its n with failures on
 * record is partial (engines before the "partial" status wrote complete there); adaptive
 * stopping (stoppedEarly) is complete.
 */
function statusOf(run: ParsedRun, target: number): RunStatus {
  const end = run.end;
  if (!end) return "unfinished";
  if (end.status === "complete" && run.samples.length < target && !end.stoppedEarly && run.failures.length > 0) return "partial";
  return end.status;
}

/**
 * The failure lines that explain the samples still missing. Resuming appends to the same file,
 * so a file can hold an earlier session's failures whose samples were run again since; lines
 * are appended in time order, so the last `missing` of them are the latest word on each missing
 * sample (a fatal error stops the other samples without a line of their own: fewer lines).
 * Failures of indices that finished later are dropped first (an engine that resumes the failed
 * indices themselves): with both rules the count is right whichever way an engine numbers
 * resumed samples.
 */
function currentFailures(run: ParsedRun, status: RunStatus, missing: number): RunFailureLine[] {
  if (status === "complete" || missing === 0) return [];
  // a sample that finished after it failed (an engine that resumes the failed indices) is history
  const finished = new Set(run.samples.map((s) => s.index));
  return run.failures.filter((f) => !finished.has(f.index)).slice(-missing);
}

function groupFailures(lines: readonly RunFailureLine[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const f of lines) {
    const message = typeof f.message === "string" ? f.message : "";
    const key = JSON.stringify([f.kind, f.status ?? null, f.url ?? null, message]);
    let g = groups.get(key);
    if (!g) {
      const kind = typeof f.kind === "string" ? f.kind : "";
      g = { count: 0, samples: [], kind, label: failureKindLabel(kind), message, requestIds: [], attempts: null };
      const status = typeof f.status === "number" ? f.status : statusIn(message);
      if (status !== undefined) g.status = status;
      if (typeof f.url === "string" && f.url) g.url = f.url;
      groups.set(key, g);
    }
    g.count++;
    g.samples.push(f.index);
    if (typeof f.requestId === "string" && f.requestId && !g.requestIds.includes(f.requestId)) g.requestIds.push(f.requestId);
    if (typeof f.attempts === "number") g.attempts = g.attempts ? [Math.min(g.attempts[0], f.attempts), Math.max(g.attempts[1], f.attempts)] : [f.attempts, f.attempts];
    if (typeof f.retryable === "boolean") g.retryable = (g.retryable ?? false) || f.retryable;
    if (typeof f.retryAfterMs === "number") g.retryAfterMs = Math.max(g.retryAfterMs ?? 0, f.retryAfterMs);
  }
  // lines of engines before `retryable` was recorded: their kind says it
  for (const g of groups.values()) if (g.retryable === undefined && isFailureKind(g.kind)) g.retryable = RETRYABLE.has(g.kind);
  // the most frequent first; ties in the order they happened
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** "5 of 8 samples finished, 1 failed, 2 not started" (`short`: "5 of 8 finished, …"): the counts every front end words alike. */
function counts(finished: number, target: number, failed: number, notStarted: number, short = false): string {
  const of = `${finished} of ${target}${short ? "" : ` sample${target === 1 ? "" : "s"}`} finished`;
  return `${of}${failed > 0 ? `, ${failed} failed` : ""}${notStarted > 0 && (failed > 0 || finished > 0) ? `, ${notStarted} not started` : ""}`;
}

/** The counts the sentence gives, short: "5 of 8 finished, 1 failed, 2 not started", "2 of 8 recorded". */
function brief(status: RunStatus, finished: number, target: number, failed: number, notStarted: number): string {
  if (status === "failed" || status === "partial") return counts(finished, target, failed, notStarted, true);
  return `${finished} of ${target} ${status === "unfinished" ? "recorded" : "finished"}`;
}

function sentence(status: RunStatus, finished: number, target: number, failed: number, notStarted: number, stoppedEarly: boolean): string {
  const c = counts(finished, target, failed, notStarted);
  switch (status) {
    case "failed":
      return `Run failed: ${c}`;
    case "partial":
      return `Partial: ${c}`;
    case "cancelled":
      return `Cancelled: ${finished} of ${target} sample${target === 1 ? "" : "s"} finished`;
    case "unfinished":
      return `Unfinished: ${finished} of ${target} sample${target === 1 ? "" : "s"} recorded (no end line: the run is still going, or it was stopped by a crash)`;
    case "complete":
      return `Complete: ${finished} of ${target} sample${target === 1 ? "" : "s"} finished${stoppedEarly ? " (stopped early: the interval was narrow enough)" : ""}`;
  }
}

/**
 * What became of a run: its status, counts, grouped failures, partial replies and a sentence.
 * Every message and partial reply is redacted first (the `secrets` given, and whatever looks
 * like a key): the reason is cut short, and a key cut in half would no longer be recognised.
 */
export function runState(parsed: ParsedRun, secrets: readonly string[] = []): RunState {
  const run: ParsedRun = { ...parsed, failures: redactDeep(parsed.failures, secrets), end: redactDeep(parsed.end, secrets) };
  const finished = run.samples.length;
  const n = run.header.parameters?.n;
  const target = typeof n === "number" && n > 0 ? Math.max(n, finished) : finished;
  const status = statusOf(run, target);
  const missing = status === "complete" ? 0 : Math.max(0, target - finished);
  const lines = currentFailures(run, status, missing);
  const failed = Math.min(new Set(lines.map((f) => f.index)).size, missing);
  const failures = groupFailures(lines);
  const message = typeof run.end?.message === "string" && run.end.message ? run.end.message : undefined;
  // run files of engines before the failure lines' reasons: a fatal error stopped the run without a
  // failure line of its own, and only the end line says why
  if (status === "failed" && message && failures.length === 0) {
    const answered = parseAnswered(message);
    const code = answered?.status;
    const kind = answered ? kindOfStatus(answered.status, answered.type) : "";
    failures.unshift({ count: 1, samples: [], kind, label: failureKindLabel(kind), message, ...(code !== undefined ? { status: code } : {}), requestIds: [], attempts: null });
  }
  const partials = lines
    .filter((f) => f.partial && typeof f.partial === "object" && ((f.partial.text ?? "") !== "" || (f.partial.thinking ?? "") !== ""))
    .map((f) => ({ sample: f.index, text: f.partial!.text ?? "", thinking: f.partial!.thinking ?? "" }));
  // why: a failed run's fatal error, else the commonest failure; a cancel or a crash has no reason
  const top = failures[0];
  let reason: string | null = null;
  if (status === "failed" || status === "partial") reason = status === "failed" && message ? shortReason(message) : top ? shortReason(top.message, top.status) : message ? shortReason(message) : null;
  return {
    status,
    target,
    finished,
    missing,
    failed,
    notStarted: missing - failed,
    ...(message ? { message } : {}),
    failures,
    partials,
    resumable: missing > 0,
    summary: sentence(status, finished, target, failed, missing - failed, run.end?.stoppedEarly === true),
    brief: brief(status, finished, target, failed, missing - failed),
    reason,
  };
}

/** Where a failed request went, for a sentence: " (POST url, request id)"; nothing when its message names it already. */
function whereItWent(g: FailureGroup): string {
  if (g.kind === "unreachable") return ""; // "cannot connect to host:port …" says where
  const id = g.requestIds[g.requestIds.length - 1];
  const parts = [...(g.url ? [`POST ${g.url}`] : []), ...(id ? [`request ${id}`] : [])];
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

/**
 * One sentence on a run that did not finish every sample, built on runState so that the CLI,
 * the editor's view and the language server count and word it alike: its status; how many
 * samples finished, failed and never started; the reason in the server's words with where the
 * request went (the fatal one when there is one, else the wait a server asked for, else the
 * commonest); and, with `file`, how to continue it with `hotmess run --resume FILE` (an editor
 * offers its own Retry). Null when every sample finished, or for a run still going with nothing
 * failed.
 */
export function describeRunFailure(run: ParsedRun, file?: string, secrets: readonly string[] = []): string | null {
  if (!run.end && run.failures.length === 0) return null;
  const st = runState(run, secrets);
  if (st.status === "complete") return null;
  const head = { failed: "the run failed", partial: "the run is partial", cancelled: "the run was cancelled", unfinished: "the run did not finish" }[st.status];
  const pick = st.failures.find((g) => g.retryable === false) ?? st.failures.find((g) => g.retryAfterMs !== undefined) ?? st.failures[0];
  const others = pick ? st.failures.length - 1 : 0;
  const reason = pick ? `${pick.message}${whereItWent(pick)}${others > 0 ? ` (and ${others} other reason${others === 1 ? "" : "s"})` : ""}` : st.status === "cancelled" ? undefined : st.message;
  const fatal = pick ? pick.retryable === false : st.status === "failed";
  const next =
    !file ? ""
    : st.status === "cancelled" ? `; continue with: hotmess run --resume ${file}`
    : fatal ? `; after fixing it, retry with: hotmess run --resume ${file}`
    : st.status === "failed" ? `; to try again: hotmess run --resume ${file}`
    : `; to finish it: hotmess run --resume ${file}`;
  const c = st.status === "cancelled" || st.status === "unfinished" ? counts(st.finished, st.target, st.failed, 0) : counts(st.finished, st.target, st.failed, st.notStarted);
  return `${head}: ${c}${reason ? ` — ${reason}` : ""}${next}`;
}
