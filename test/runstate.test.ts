// What became of a run (src/core/runstate.ts): the status a reader should see, the sentence, the
// short reason the pickers show, and the failures grouped, from run files written by hand the
// way the engine writes them (and the way older engines did).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRunFile, runState, serverWords, shortReason, type RunFailureLine } from "../src/core";
import { answeredMessage, parseAnswered } from "../src/core/failures";

const URL = "https://api.anthropic.com/v1/messages";
const header = (n: number) => ({ type: "header", schema: "hotmess.run/1", id: "r1", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "t", version: "0" }, provider: "anthropic", model: "claude-sonnet-4-5", prompt: "2 + 2?", parameters: { n, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 } });
const sample = (index: number) => ({ type: "sample", index, text: "Answer: 4", thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" });
const end = (status: string, extra: object = {}) => ({ type: "end", status, ...extra, finishedAt: "2026-12-04T10:00:02.000Z" });
const failure = (index: number, extra: Partial<RunFailureLine> = {}) => ({ type: "failure", index, kind: "rate_limit", message: `Anthropic answered 429 rate_limit_error: This request would exceed the rate limit`, attempts: 6, status: 429, url: URL, requestId: `req_${index}`, retryable: true, retryAfterMs: 120_000, ...extra });
const file = (...lines: object[]) => parseRunFile(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");

test("a 401 that stopped the run before any sample: failed, 0 of 8, the reason in a few words", () => {
  // what the engine writes today: no failure line, the API's error on the end line
  const s = runState(file(header(8), end("failed", { message: "Anthropic (http://127.0.0.1:4000) answered 401 authentication_error: invalid x-api-key" })));
  assert.equal(s.status, "failed");
  assert.equal(s.summary, "Run failed: 0 of 8 samples finished");
  assert.equal(s.reason, "401 invalid x-api-key");
  assert.equal(s.missing, 8);
  assert.equal(s.resumable, true);
  assert.equal(s.failures.length, 1);
  assert.equal(s.failures[0]!.status, 401);
  assert.equal(s.failures[0]!.kind, "auth", "the kind the status means, as the engine classifies it");
  assert.equal(s.failures[0]!.label, "authentication");
  assert.equal(s.failures[0]!.message, "Anthropic (http://127.0.0.1:4000) answered 401 authentication_error: invalid x-api-key");
  // with a failure line of its own (status, URL, request id), it is not listed twice
  const withLine = runState(file(header(8), failure(0, { kind: "auth", status: 401, message: "Anthropic answered 401 authentication_error: invalid x-api-key", retryable: false, retryAfterMs: undefined, attempts: 1 }), end("failed", { message: "Anthropic answered 401 authentication_error: invalid x-api-key" })));
  assert.equal(withLine.failures.length, 1);
  assert.equal(withLine.failures[0]!.label, "authentication");
  assert.equal(withLine.failures[0]!.url, URL);
  assert.deepEqual(withLine.failures[0]!.requestIds, ["req_0"]);
  assert.equal(withLine.reason, "401 invalid x-api-key");
});

test("a partial run: identical failures grouped (request ids kept, the longest wait asked), partial replies, the sentence", () => {
  const s = runState(
    file(
      header(8),
      ...[0, 1, 2, 3, 4].map(sample),
      failure(5, { retryAfterMs: 90_000 }),
      failure(6, { partial: { text: "The answer is", thinking: "2 + 2 =" } }),
      failure(7, { kind: "server", status: 500, message: "Anthropic answered 500 api_error: Internal server error", retryAfterMs: undefined, attempts: 3 }),
      end("partial"),
    ),
  );
  assert.equal(s.status, "partial");
  assert.equal(s.summary, "Partial: 5 of 8 samples finished, 3 failed");
  assert.equal(s.failures.length, 2);
  const [limited, server] = s.failures;
  assert.equal(limited!.count, 2);
  assert.deepEqual(limited!.samples, [5, 6]);
  assert.deepEqual(limited!.requestIds, ["req_5", "req_6"]);
  assert.equal(limited!.retryAfterMs, 120_000);
  assert.deepEqual(limited!.attempts, [6, 6]);
  assert.equal(limited!.label, "rate limited");
  assert.equal(server!.count, 1);
  assert.equal(server!.status, 500);
  assert.equal(s.reason, "429 This request would exceed the rate limit");
  assert.deepEqual(s.partials, [{ sample: 6, text: "The answer is", thinking: "2 + 2 =" }]);
});

test("a resumed run: failures of an earlier session whose samples ran again are not shown", () => {
  const first = [header(4), sample(0), sample(1), failure(2), failure(3), end("partial")];
  // completed by a resume: the old failure lines stay in the file
  const done = runState(file(...first, sample(2), sample(3), end("complete")));
  assert.equal(done.status, "complete");
  assert.equal(done.failures.length, 0);
  assert.equal(done.reason, null);
  assert.equal(done.resumable, false);
  // partly: one of the two missing samples failed again, later
  const again = runState(file(...first, sample(2), failure(4, { kind: "timeout", status: undefined, url: undefined, message: "no data for 120 s: the sample was abandoned" }), end("partial")));
  assert.equal(again.summary, "Partial: 3 of 4 samples finished, 1 failed");
  assert.equal(again.failures.length, 1);
  assert.equal(again.failures[0]!.kind, "timeout");
  // an engine that reruns the failed indices themselves: a failure whose sample finished is history
  // (a refused key stopped the run at sample 2; after the fix samples 2 and 3 finished, then a
  // wait beyond the cap stopped it with 4 and 5 missing: the old 401 is not a reason any more)
  const auth = { kind: "auth", status: 401, message: "Anthropic answered 401 authentication_error: invalid x-api-key", retryable: false, retryAfterMs: undefined };
  const sameIndex = runState(file(header(6), sample(0), sample(1), failure(2, auth), end("failed", { message: auth.message }), sample(2), sample(3), failure(4), end("partial")));
  assert.equal(sameIndex.summary, "Partial: 4 of 6 samples finished, 1 failed, 1 not started");
  assert.deepEqual(sameIndex.failures.map((g) => g.kind), ["rate_limit"]);
});

test("older engines' complete-with-failures is partial; cancelled, unfinished and adaptive stops", () => {
  const legacy = runState(file(header(4), sample(0), sample(1), sample(2), failure(3), end("complete")));
  assert.equal(legacy.status, "partial");
  assert.equal(legacy.summary, "Partial: 3 of 4 samples finished, 1 failed");
  const cancelled = runState(file(header(8), sample(0), end("cancelled", { message: "cancelled with 1 of 8 samples finished (kept)" })));
  assert.equal(cancelled.summary, "Cancelled: 1 of 8 samples finished");
  assert.equal(cancelled.reason, null);
  assert.equal(cancelled.resumable, true);
  const unfinished = runState(file(header(8), sample(0), sample(1)));
  assert.equal(unfinished.status, "unfinished");
  assert.match(unfinished.summary, /^Unfinished: 2 of 8 samples recorded/);
  const early = runState(file(header(30), ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(sample), end("complete", { stoppedEarly: true })));
  assert.equal(early.status, "complete");
  assert.equal(early.resumable, false);
  const one = runState(file(header(1), end("failed", { message: "connection to Anthropic failed (ECONNREFUSED)" })));
  assert.equal(one.summary, "Run failed: 0 of 1 sample finished");
  assert.equal(one.reason, "connection to Anthropic failed (ECONNREFUSED)");
});

test("the server's own words and a short reason", () => {
  assert.equal(serverWords("OpenAI-compatible server at http://localhost:11434/v1 answered 404 not_found_error: model \"x\" not found"), 'model "x" not found');
  assert.equal(serverWords("no data for 120 s: the sample was abandoned"), "no data for 120 s: the sample was abandoned");
  assert.equal(shortReason("Anthropic answered 401 authentication_error: invalid x-api-key"), "401 invalid x-api-key");
  assert.equal(shortReason("invalid x-api-key", 401), "401 invalid x-api-key");
  assert.equal(shortReason("x".repeat(200)).length, 80);
});

test("failure lines without `retryable` (older engines) take it from their kind; an unknown kind is left unsaid", () => {
  const { retryable: _r, ...old } = failure(6, { kind: "auth", status: 401, message: "Anthropic answered 401 authentication_error: invalid x-api-key", retryAfterMs: undefined });
  const { retryable: _s, ...oldServer } = failure(7, { kind: "server", status: 500, message: "Anthropic answered 500 api_error: Internal server error", retryAfterMs: undefined });
  const s = runState(file(header(8), ...[0, 1, 2, 3, 4, 5].map(sample), old, oldServer, end("partial")));
  assert.equal(s.failures.find((g) => g.kind === "auth")!.retryable, false);
  assert.equal(s.failures.find((g) => g.kind === "server")!.retryable, true);
  const { retryable: _t, ...future } = failure(7, { kind: "some_new_kind" });
  assert.equal(runState(file(header(8), ...[0, 1, 2, 3, 4, 5, 6].map(sample), future, end("partial"))).failures[0]!.retryable, undefined);
});

test("the classified message is built and read back by one pair (core/failures.ts); an end line's error type counts for its kind", () => {
  const message = answeredMessage("Anthropic (http://127.0.0.1:4000)", 500, "overloaded_error", "Overloaded: try again: later");
  assert.deepEqual(parseAnswered(message), { status: 500, type: "overloaded_error", words: "Overloaded: try again: later" });
  assert.deepEqual(parseAnswered(answeredMessage("OpenAI", 404, null, "no such model")), { status: 404, words: "no such model" });
  assert.equal(parseAnswered("connection to OpenAI failed (ECONNRESET)"), null);
  // a run stopped by it, with only the end line saying why: the kind errors.ts gives it
  const s = runState(file(header(8), end("failed", { message })));
  assert.equal(s.failures[0]!.kind, "overloaded");
  assert.equal(s.failures[0]!.status, 500);
});
