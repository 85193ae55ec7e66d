// The sweep file (src/core/sweepfile.ts): where a sweep stands from its lines (replies, failures,
// requests waiting in a batch, never sent), what a resubmission sends, and the two-pass reading
// that analyses a sweep one prompt at a time giving the same analysis as reading it whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRuns } from "../src/core";
import { describeSweep, failureReasons, missingRequests, parseRequestId, parseSweepFile, requestId, requestIds, sweepProgress, sweepRuns } from "../src/core/sweepfile";
import { analyzeSweepFile } from "../src/cli/main";

const header = { type: "sweep", schema: "hotmess.sweep/1", id: "sweep-1", createdAt: "2026-12-06T00:00:00.000Z", tool: { name: "hotmess", version: "0" }, provider: "anthropic", model: "claude-haiku-4-5", mode: "batch", prompts: 3, analysis: { seed: 7 }, parameters: { n: 4, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 } };
const prompt = (k: number, reference: number) => ({ type: "prompt", key: `p${k}`, id: `q${k}`, prompt: `What is ${reference - 1} + 1?`, reference });
const sample = (k: number, i: number, answer: number, batchId = "b1") => ({ type: "sample", prompt: `p${k}`, index: i, text: `${answer - 1} + 1 = ${answer}\nAnswer: ${answer}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 5 }, costUsd: null, latencyMs: 0, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-06T00:01:00.000Z", batchId });
const failure = (k: number, i: number, kind: string, retryable: boolean, batchId = "b1") => ({ type: "failure", prompt: `p${k}`, index: i, kind, message: `${kind} happened`, attempts: 1, retryable, batchId });

function file(lines: object[]): string {
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

test("request ids: p<k>-r<i>, read back; a range over the sweep's order", () => {
  assert.equal(requestId("p12", 3), "p12-r3");
  assert.deepEqual(parseRequestId("p12-r3"), { key: "p12", index: 3 });
  assert.equal(parseRequestId("x-r3"), null);
  const prompts = [prompt(0, 5), prompt(1, 6)] as never[];
  assert.deepEqual(requestIds({ from: 2, count: 4 }, prompts, 3), ["p0-r2", "p1-r0", "p1-r1", "p1-r2"]);
});

test("where a batch sweep stands: replies, failures worth resubmitting, requests waiting, never sent", () => {
  const lines = [
    header,
    prompt(0, 5),
    prompt(1, 6),
    prompt(2, 7),
    { type: "submit", part: 0, requests: { from: 0, count: 8 }, count: 8, at: "t" },
    { type: "batch", part: 0, batchId: "b1", at: "t" },
    { type: "status", batchId: "b1", state: "ended", providerStatus: "ended", counts: { processing: 0, succeeded: 5, errored: 2, expired: 1, canceled: 0 }, at: "t" },
    sample(0, 0, 5),
    sample(0, 1, 5),
    failure(0, 2, "overloaded", true),
    failure(0, 3, "request", false),
    sample(1, 0, 6),
    sample(1, 1, 9),
    sample(1, 2, 6),
    failure(1, 3, "expired", true),
    { type: "collected", batchId: "b1", succeeded: 5, failed: 3, at: "t" },
    // prompt p2 was in a second part, submitted and still processing
    { type: "submit", part: 1, requests: { from: 8, count: 4 }, count: 4, at: "t" },
    { type: "batch", part: 1, batchId: "b2", at: "t" },
    { type: "status", batchId: "b2", state: "in_progress", providerStatus: "in_progress", counts: { processing: 4, succeeded: 0, errored: 0, expired: 0, canceled: 0 }, at: "t" },
  ];
  const s = parseSweepFile(file(lines));
  const p = sweepProgress(s);
  assert.deepEqual({ requests: p.requests, succeeded: p.succeeded, failed: p.failed, retryable: p.retryable, pending: p.pending, unsent: p.unsent }, { requests: 12, succeeded: 5, failed: 3, retryable: 2, pending: 4, unsent: 0 });
  assert.deepEqual(p.open.map((b) => b.batchId), ["b2"]);
  assert.equal(p.counts.processing, 4);
  // a resubmission sends the failed requests, not those waiting in b2
  assert.deepEqual(missingRequests(s, { failedOnly: true }).map((r) => requestId(r.key, r.index)), ["p0-r2", "p0-r3", "p1-r3"]);
  assert.deepEqual(missingRequests(s, { failedOnly: true, retryableOnly: true }).map((r) => requestId(r.key, r.index)), ["p0-r2", "p1-r3"]);
  // each prompt as a run: its replies in order, its failures those still without a reply
  const runs = sweepRuns(s);
  assert.deepEqual(runs.map((r) => [r.header.id, r.header.reference, r.samples.length, r.failures.length]), [["q0", 5, 2, 2], ["q1", 6, 3, 1], ["q2", 7, 0, 0]]);
  assert.equal(runs[0]!.header.analysis?.seed, 7);
  assert.equal(runs[0]!.header.model, "claude-haiku-4-5");
});

test("a resubmitted request's reply stands for its failure; a reply collected twice counts once", () => {
  const lines = [
    header,
    prompt(0, 5),
    { type: "submit", part: 0, requests: { from: 0, count: 4 }, count: 4, at: "t" },
    { type: "batch", part: 0, batchId: "b1", at: "t" },
    sample(0, 0, 5),
    sample(0, 1, 5),
    sample(0, 1, 99), // collected again after a crash: the first stands
    failure(0, 2, "expired", true),
    failure(0, 3, "overloaded", true),
    { type: "collected", batchId: "b1", succeeded: 2, failed: 2, at: "t" },
    { type: "submit", part: 1, requests: { ids: ["p0-r2", "p0-r3"] }, count: 2, resubmits: ["b1"], at: "t" },
    { type: "batch", part: 1, batchId: "b2", at: "t" },
    sample(0, 2, 4, "b2"),
    failure(0, 3, "overloaded", true, "b2"),
    { type: "collected", batchId: "b2", succeeded: 1, failed: 1, at: "t" },
  ];
  const s = parseSweepFile(file(lines.map((l) => (l === header ? { ...header, prompts: 1 } : l))));
  const p = sweepProgress(s);
  assert.deepEqual([p.succeeded, p.failed, p.pending, p.unsent], [3, 1, 0, 0]);
  const run = sweepRuns(s)[0]!;
  assert.deepEqual(run.samples.map((x) => x.text.split("Answer: ")[1]), ["5", "5", "4"]);
  assert.equal(run.failures.length, 1);
  assert.equal(run.failures[0]!.index, 3);
});

test("a sweep read in two passes, one prompt at a time, gives the analysis of the whole file, interleaved lines and resubmissions included", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-sweepfile-"));
  const lines: object[] = [{ ...header, mode: "live", prompts: 4 }, prompt(0, 5), prompt(1, 6), prompt(2, 7), prompt(3, 8)];
  // live: the prompts' replies interleaved, failures answered later, one prompt never answered
  const answers = [
    [5, 5, 6, 5],
    [6, 7, 8, 6],
    [7, 7, 7, 7],
  ];
  for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) lines.push(i === 2 && k === 1 ? failure(k, i, "overloaded", true) : sample(k, i, answers[k]![i]!));
  lines.push({ type: "end", status: "partial", finishedAt: "t" });
  lines.push(sample(1, 4, 7)); // the resumed sweep's reply for the failed one, index after the others
  lines.push({ type: "end", status: "complete", finishedAt: "t" });
  const path = join(dir, "live.jsonl");
  writeFileSync(path, file(lines) + '{"type":"sample","prompt":"p0","ind');
  const whole = analyzeRuns(sweepRuns(parseSweepFile(file(lines))).filter((r) => r.samples.length > 0));
  const seen: string[] = [];
  const streamed = await analyzeSweepFile(path, {}, (r) => seen.push(`${r.header.id}:${r.samples.length}`));
  assert.deepEqual(seen.sort(), ["q0:4", "q1:4", "q2:4", "q3:0"]);
  assert.equal(streamed.prompts.length, 3);
  assert.deepEqual(
    streamed.prompts.map((p) => [p.id, p.n, p.brier?.estimate, p.brier?.ci95]),
    whole.prompts.map((p) => [p.id, p.n, p.brier?.estimate, p.brier?.ci95]),
  );
  assert.deepEqual(streamed.pooled, whole.pooled);
  assert.equal(streamed.options.seed, 7);
  assert.equal(streamed.skipped.length, 1, "the torn last line is named");
});

test("describeSweep: one sentence for the whole sweep, the same reason counted once whatever its request ids, and what to run next", () => {
  const base = [header, prompt(0, 5), prompt(1, 6), { type: "submit", part: 0, requests: { from: 0, count: 8 }, count: 8, at: "t" }, { type: "batch", part: 0, batchId: "b1", at: "t" }];
  const overloaded = (k: number, i: number, id: string) => ({ ...failure(k, i, "overloaded", true), message: `Anthropic: Overloaded (overloaded_error, req_${id})` });
  const h2 = { ...header, prompts: 2 };
  const running = parseSweepFile(file([h2, ...base.slice(1)]));
  assert.equal(describeSweep(running, "S.jsonl"), "the sweep is still running: 0 of 8 replies, 8 still in a batch; collect it with: hotmess run --resume S.jsonl");
  const partial = parseSweepFile(file([h2, ...base.slice(1), sample(0, 0, 5), sample(0, 1, 5), sample(0, 2, 5), overloaded(0, 3, "011A"), sample(1, 0, 6), overloaded(1, 1, "022B"), overloaded(1, 2, "033C"), failure(1, 3, "expired", true), { type: "collected", batchId: "b1", succeeded: 4, failed: 4, at: "t" }]));
  assert.equal(describeSweep(partial, "S.jsonl"), "the sweep is partial: 4 of 8 replies, 4 failed — 3 × overloaded: Anthropic: Overloaded (overloaded_error) (and 1 other reason); send the failed requests again with: hotmess run --resume S.jsonl --resubmit");
  assert.deepEqual(failureReasons(partial).map((r) => [r.reason, r.count]), [["overloaded: Anthropic: Overloaded (overloaded_error)", 3], ["expired: expired happened", 1]]);
  const done = parseSweepFile(file([{ ...header, prompts: 1 }, prompt(0, 5), sample(0, 0, 5), sample(0, 1, 5), sample(0, 2, 5), sample(0, 3, 5)]));
  assert.equal(describeSweep(done, "S.jsonl"), null);
  const live = parseSweepFile(file([{ ...header, mode: "live", prompts: 1 }, prompt(0, 5), sample(0, 0, 5), { type: "end", status: "cancelled", finishedAt: "t" }]));
  assert.equal(describeSweep(live, "S.jsonl"), "the sweep was cancelled: 1 of 4 replies, 3 not sent; to finish it: hotmess run --resume S.jsonl");
});
