// The OpenAI Batch API: the real `openai` SDK against the fake Files + Batch server
// (test/fakes/openai-batches.ts): upload → batch → validating / in progress / finalizing →
// expired with output and error files streamed in pieces, each result mapped as a live run
// records it; each line's body equals the live provider's; the split at the limits; refusals.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { OpenAIBatchClient, openAIBatchLine, splitOpenAIBatches } from "../src/sampling/batch-openai";
import type { BatchRequest, BatchResult } from "../src/sampling/batch";
import { OpenAIProvider } from "../src/sampling/openai";
import { isSamplingError, type SampleRequest } from "../src/sampling/types";
import { startFakeOpenAIBatches, type FakeOpenAIBatches } from "./fakes/openai-batches";
import { startFakeOpenAI } from "./fakes/openai";

const KEY = "sk-batch-000";
let fake: FakeOpenAIBatches;
let client: OpenAIBatchClient;
before(async () => {
  fake = await startFakeOpenAIBatches({
    apiKey: KEY,
    pollsInProgress: 2,
    chunkBytes: 101,
    outcome: (id) =>
      id.endsWith("-1")
        ? { type: "errored", status: 400, message: "Invalid 'max_completion_tokens': integer above maximum value.", code: "integer_above_max_value" }
        : id.endsWith("-2") && !id.startsWith("ok")
          ? { type: "expired" }
          : id.endsWith("-3")
            ? { type: "errored", status: 500, message: "The server had an error processing your request.", errorType: "server_error" }
            : { type: "succeeded", text: `<think>2 + 2 = 4 ✓</think>Answer for ${id}: 4 ✓`, promptTokens: 11, completionTokens: 22, finishReason: id.endsWith("-4") ? "length" : "stop" },
  });
  client = new OpenAIBatchClient({ apiKey: KEY, baseURL: `${fake.url}/v1` });
});
after(() => fake.close());

const request: SampleRequest = { prompt: "What is 2 + 2?", system: "Be brief.", model: "gpt-5-mini", maxTokens: 4000, thinking: { type: "budget", budgetTokens: 4096 } };
const batch = (n: number, prefix = "p0", r = request): BatchRequest[] => Array.from({ length: n }, (_, i) => ({ customId: `${prefix}-${i}`, request: r }));

async function all(it: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test("upload → batch → in progress → ended (expired); output and error files streamed in pieces; succeeded / errored / expired mapped as a run records them", async () => {
  const { batchId } = await client.submit(batch(6));
  assert.match(batchId, /^batch_[0-9a-f]{32}$/);
  const upload = fake.requests.find((r) => r.path === "/v1/files")!;
  assert.equal(upload.body.purpose, "batch");
  assert.match(String(upload.headers["content-type"]), /^multipart\/form-data; boundary=/);
  const create = fake.requests.find((r) => r.path === "/v1/batches")!;
  assert.deepEqual(Object.keys(create.body).sort(), ["completion_window", "endpoint", "input_file_id"]);
  assert.equal(create.body.endpoint, "/v1/chat/completions");
  assert.equal(create.body.completion_window, "24h");

  const states: string[] = [];
  for (;;) {
    const s = await client.status(batchId);
    states.push(s.providerStatus);
    if (s.state === "ended") {
      assert.deepEqual(s.counts, { processing: 0, succeeded: 3, errored: 2, expired: 1, canceled: 0 });
      break;
    }
    assert.equal(s.state, "in_progress");
    assert.ok(states.length < 10);
  }
  assert.deepEqual(states, ["in_progress", "in_progress", "in_progress", "finalizing", "expired"]);

  const results = await all(client.results(batchId));
  // the responses first (output file), then the refused and expired (error file)
  assert.deepEqual(results.map((r) => r.customId), ["p0-0", "p0-4", "p0-5", "p0-1", "p0-2", "p0-3"]);
  assert.ok([...fake.pieces.values()].some((n) => n > 5), "the output file came in pieces");
  const ok = results[0]!.ok!;
  assert.equal(ok.text, "Answer for p0-0: 4 ✓");
  assert.equal(ok.thinking, "2 + 2 = 4 ✓");
  assert.deepEqual(ok.usage, { inputTokens: 11, outputTokens: 22, thinkingTokens: 0 });
  assert.equal(ok.stopReason, "stop");
  assert.equal(ok.truncated, false);
  assert.equal(results[1]!.ok!.truncated, true);
  const refused = results[3]!.error!;
  assert.deepEqual(refused, { kind: "request", status: 400, message: "OpenAI: Invalid 'max_completion_tokens': integer above maximum value. (integer_above_max_value)", retryable: false });
  assert.deepEqual(results[4]!.error, { kind: "expired", message: "OpenAI: This request could not be executed before the completion window expired. (batch_expired)", retryable: true });
  assert.equal(results[5]!.error!.kind, "server");
  assert.equal(results[5]!.error!.retryable, true);
});

test("each line's body is the live provider's body for the same SampleRequest, without streaming", async () => {
  const live = await startFakeOpenAI();
  try {
    const requests: SampleRequest[] = [request, { prompt: "Hi", model: "gpt-4.1", maxTokens: 300, thinking: { type: "none" }, temperature: 0.5 }];
    // a base URL on both: the live provider sends max_tokens, so does a compatible batch client
    const compat = new OpenAIBatchClient({ apiKey: KEY, baseURL: `${fake.url}/v1`, compatible: true });
    const provider = new OpenAIProvider({ apiKey: KEY, baseURL: `${live.url}/v1` });
    const { batchId } = await compat.submit(requests.map((r, i) => ({ customId: `ok-${i}`, request: r })));
    const sent = fake.lines.get(batchId)!;
    for (const [i, r] of requests.entries()) {
      for await (const _ of provider.stream(r, new AbortController().signal));
      const { stream, stream_options, ...body } = live.requests.at(-1)!.body;
      assert.equal(stream, true);
      assert.deepEqual(stream_options, { include_usage: true });
      assert.deepEqual(sent[i], { custom_id: `ok-${i}`, method: "POST", url: "/v1/chat/completions", body });
    }
    // OpenAI itself (the default): max_completion_tokens, as the live provider sends to api.openai.com
    const line = JSON.parse(openAIBatchLine({ customId: "x", request }));
    assert.equal(line.body.max_completion_tokens, 4000);
    assert.equal(line.body.max_tokens, undefined);
    assert.equal(line.body.reasoning_effort, "medium");
  } finally {
    await live.close();
  }
});

test("cancel: cancelling, then cancelled with every request in the error file as canceled", async () => {
  const { batchId } = await client.submit(batch(3, "c"));
  assert.equal((await client.status(batchId)).state, "in_progress");
  assert.equal((await client.cancel(batchId)).state, "canceling");
  const s = await client.status(batchId);
  assert.equal(s.providerStatus, "cancelled");
  assert.deepEqual(s.counts, { processing: 0, succeeded: 0, errored: 0, expired: 0, canceled: 3 });
  assert.deepEqual((await all(client.results(batchId))).map((r) => r.error?.kind), ["canceled", "canceled", "canceled"]);
});

test("results before the batch ended are refused with its state; a failed validation says why", async () => {
  const { batchId } = await client.submit(batch(1, "early"));
  await assert.rejects(all(client.results(batchId)), /is (validating|in_progress)/);
  // two requests with one custom_id: the upload is taken, the batch fails validation
  const dup = await client.submit([...batch(1, "dup"), ...batch(1, "dup")]);
  const s = await client.status(dup.batchId);
  assert.equal(s.state, "failed");
  assert.match(s.message ?? "", /^line 2: The custom_id for this request is a duplicate/);
});

test("a 4xx on submit is a clear error in the API's words; a wrong key is auth and not quoted", async () => {
  fake.refuseNext("/v1/files", 400, "File is too large. Maximum size is 209715200 bytes.");
  await assert.rejects(client.submit(batch(2)), (e: unknown) => {
    assert.ok(isSamplingError(e));
    assert.equal(e.kind, "request");
    assert.equal(e.status, 400);
    assert.match(e.message, /File is too large/);
    return true;
  });
  fake.refuseNext("/v1/batches", 429, "You have exceeded your enqueued token limit for gpt-5-mini.", "tokens", "rate_limit_exceeded");
  await assert.rejects(client.submit(batch(2)), (e: unknown) => isSamplingError(e) && e.kind === "rate_limit" && /enqueued token limit/.test(e.message));
  const wrong = new OpenAIBatchClient({ apiKey: "sk-wrong-123", baseURL: `${fake.url}/v1` });
  await assert.rejects(wrong.submit(batch(1)), (e: unknown) => isSamplingError(e) && e.kind === "auth" && !e.message.includes("sk-wrong-123"));
  await assert.rejects(client.status("batch_nope"), (e: unknown) => isSamplingError(e) && e.status === 404);
});

test("split: 50,000 requests per batch, the input file within 200 MB, in order", () => {
  const big = Array.from({ length: 50_001 }, (_, i) => ({ customId: `r${i}`, request }));
  const fileOf = (p: BatchRequest[]) => Buffer.byteLength(p.map((r) => openAIBatchLine(r) + "\n").join(""));
  const parts = splitOpenAIBatches(big);
  assert.deepEqual(parts.map((p) => p.length), [50_000, 1]);
  assert.equal(parts[1]![0]!.customId, "r50000");
  const limit = fileOf(big.slice(0, 4)) - 1;
  const byBytes = splitOpenAIBatches(big.slice(0, 10), { maxRequests: 50_000, maxBytes: limit });
  assert.deepEqual(byBytes.map((p) => p.length), [3, 3, 3, 1]);
  assert.deepEqual(splitOpenAIBatches(big.slice(0, 10), { maxRequests: 50_000, maxBytes: limit + 1 }).map((p) => p.length), [4, 4, 2]);
  assert.deepEqual(byBytes.flat().map((r) => r.customId), big.slice(0, 10).map((r) => r.customId));
  for (const [i, p] of byBytes.entries()) {
    assert.ok(fileOf(p) <= limit, `batch ${i}'s file is ${fileOf(p)} bytes`);
    if (i < byBytes.length - 1) assert.ok(fileOf([...p, byBytes[i + 1]![0]!]) > limit);
  }
});
