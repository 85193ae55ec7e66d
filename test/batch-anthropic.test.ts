// Anthropic Message Batches: the real @anthropic-ai/sdk against the fake batches server
// (test/fakes/anthropic-batches.ts): submit → in progress → ended → results streamed in pieces,
// each mapped to what a live run records; the params equal the live provider's body; the split
// at the limits; a refused submit's message.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { AnthropicBatchClient, anthropicBatchItem, splitAnthropicBatches } from "../src/sampling/batch-anthropic";
import { ANTHROPIC_BATCH_LIMITS, linesOf, splitBatches, type BatchRequest, type BatchResult } from "../src/sampling/batch";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { isSamplingError, type SampleRequest } from "../src/sampling/types";
import { startFakeAnthropicBatches, type FakeAnthropicBatches } from "./fakes/anthropic-batches";
import { startFakeAnthropic } from "./fakes/anthropic";

const KEY = "sk-ant-batch-000";
let fake: FakeAnthropicBatches;
let client: AnthropicBatchClient;
before(async () => {
  fake = await startFakeAnthropicBatches({
    apiKey: KEY,
    pollsInProgress: 2,
    chunkBytes: 97, // pieces cut mid-line and mid-character
    outcome: (id) =>
      id.endsWith("-1")
        ? { type: "errored", errorType: "invalid_request_error", message: "max_tokens: 99999 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5" }
        : id.endsWith("-2")
          ? { type: "expired" }
          : id.endsWith("-3")
            ? { type: "errored", errorType: "overloaded_error", message: "Overloaded" }
            : { type: "succeeded", thinking: "2 + 2 = 4, ünïcødé ✓.", text: `Answer for ${id}: 4 ✓`, inputTokens: 17, outputTokens: 42, stopReason: id.endsWith("-4") ? "max_tokens" : "end_turn" },
  });
  client = new AnthropicBatchClient({ apiKey: KEY, baseURL: fake.url });
});
after(() => fake.close());

const request: SampleRequest = { prompt: "What is 2 + 2?", system: "Be brief.", model: "claude-sonnet-4-5", maxTokens: 4000, thinking: { type: "budget", budgetTokens: 2048 } };
const batch = (n: number, r = request): BatchRequest[] => Array.from({ length: n }, (_, i) => ({ customId: `p0-${i}`, request: r }));

async function all(it: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test("submit → in progress for two polls → ended; results streamed in pieces, succeeded / errored / expired mapped as a run records them", async () => {
  const { batchId } = await client.submit(batch(6));
  assert.match(batchId, /^msgbatch_01[1-9A-HJ-NP-Za-km-z]{22}$/);
  const first = await client.status(batchId);
  assert.deepEqual(first, { state: "in_progress", providerStatus: "in_progress", counts: { processing: 6, succeeded: 0, errored: 0, expired: 0, canceled: 0 } });
  assert.equal((await client.status(batchId)).state, "in_progress");
  const ended = await client.status(batchId);
  assert.deepEqual(ended, { state: "ended", providerStatus: "ended", counts: { processing: 0, succeeded: 3, errored: 2, expired: 1, canceled: 0 } });

  const results = await all(client.results(batchId));
  assert.ok(fake.pieces.get(batchId)! > 10, `the results came in ${fake.pieces.get(batchId)} pieces`);
  assert.deepEqual(results.map((r) => r.customId), ["p0-0", "p0-1", "p0-2", "p0-3", "p0-4", "p0-5"]);
  const ok = results[0]!.ok!;
  assert.equal(ok.text, "Answer for p0-0: 4 ✓");
  assert.equal(ok.thinking, "2 + 2 = 4, ünïcødé ✓.");
  assert.deepEqual(ok.usage, { inputTokens: 17, outputTokens: 42 });
  assert.equal(ok.stopReason, "end_turn");
  assert.equal(ok.truncated, false);
  assert.equal(ok.redactedThinking, 0);
  assert.equal(ok.steps, undefined, "no tool call, no steps");
  assert.equal(ok.allSteps[0]!.kind, "reasoning");
  assert.ok(ok.allSteps[0]!.signature, "the thinking block's signature is kept");
  assert.equal(results[4]!.ok!.truncated, true);
  assert.equal(results[4]!.ok!.stopReason, "max_tokens");

  const refused = results[1]!.error!;
  assert.equal(refused.kind, "request");
  assert.equal(refused.status, 400);
  assert.equal(refused.retryable, false);
  assert.match(refused.message, /^Anthropic: max_tokens: 99999 > 64000.*\(invalid_request_error, req_011C/);
  assert.deepEqual(results[2]!.error, { kind: "expired", message: "Anthropic: the batch ended (its 24 hours passed) before this request was processed", retryable: true });
  assert.equal(results[3]!.error!.kind, "overloaded");
  assert.equal(results[3]!.error!.retryable, true);
});

test("the params of each request are the live provider's body for the same SampleRequest, without stream", async () => {
  const live = await startFakeAnthropic();
  try {
    const requests: SampleRequest[] = [
      request,
      { prompt: "Hi", model: "claude-opus-4-7", maxTokens: 2000, thinking: { type: "adaptive" } },
      { prompt: "Hi", model: "claude-sonnet-4-5", maxTokens: 500, thinking: { type: "none" }, temperature: 0.3 },
    ];
    const provider = new AnthropicProvider({ apiKey: KEY, baseURL: live.url });
    const { batchId } = await client.submit(requests.map((r, i) => ({ customId: `live-${i}`, request: r })));
    const sent = fake.params.get(batchId)!;
    for (const [i, r] of requests.entries()) {
      for await (const _ of provider.stream(r, new AbortController().signal));
      const { stream, ...body } = live.requests.at(-1)!.body;
      assert.equal(stream, true);
      assert.deepEqual(sent[i]!.params, body, `request ${i}`);
      assert.equal(sent[i]!.custom_id, `live-${i}`);
    }
  } finally {
    await live.close();
  }
});

test("cancel: canceling, then ended with every request canceled", async () => {
  const { batchId } = await client.submit(batch(3));
  const c = await client.cancel(batchId);
  assert.equal(c.state, "canceling");
  const s = await client.status(batchId);
  assert.deepEqual(s.counts, { processing: 0, succeeded: 0, errored: 0, expired: 0, canceled: 3 });
  const results = await all(client.results(batchId));
  assert.deepEqual(results.map((r) => r.error?.kind), ["canceled", "canceled", "canceled"]);
});

test("a 4xx on submit is a clear error with the API's own words; a wrong key is auth", async () => {
  fake.refuseNext(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.");
  await assert.rejects(client.submit(batch(2)), (e: unknown) => {
    assert.ok(isSamplingError(e));
    assert.equal(e.kind, "request");
    assert.equal(e.status, 413);
    assert.match(e.message, /Request exceeds the maximum allowed number of bytes/);
    return true;
  });
  // the fake's own validation: a custom_id the API refuses
  await assert.rejects(client.submit([{ customId: "has space", request }]), (e: unknown) => isSamplingError(e) && e.status === 400 && /custom_id/.test(e.message));
  const wrong = new AnthropicBatchClient({ apiKey: "sk-ant-wrong", baseURL: fake.url });
  await assert.rejects(wrong.submit(batch(1)), (e: unknown) => isSamplingError(e) && e.kind === "auth" && !e.message.includes("sk-ant-wrong"));
  await assert.rejects(client.status("msgbatch_01nope"), (e: unknown) => isSamplingError(e) && e.status === 404);
});

test("split: at most the request limit per batch and the body's bytes within the limit, in order", () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(splitBatches(items, { maxRequests: 4, maxBytes: 1e9 }, () => 1), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  // 10 bytes each, overhead 5: 5 + 3×10 = 35 fits 35, a fourth does not
  assert.deepEqual(splitBatches(items, { maxRequests: 100, maxBytes: 35 }, () => 10, 5), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  assert.deepEqual(splitBatches([], ANTHROPIC_BATCH_LIMITS, () => 1), []);
  assert.throws(() => splitBatches([1], { maxRequests: 10, maxBytes: 8 }, () => 9), /request 1 alone is 9 bytes/);

  const big = Array.from({ length: 100_001 }, (_, i) => ({ customId: `r${i}`, request }));
  const parts = splitAnthropicBatches(big);
  assert.deepEqual(parts.map((p) => p.length), [100_000, 1]);
  assert.equal(parts[1]![0]!.customId, "r100000");
  // by bytes: each batch's body as sent ({"requests":[…]}) within the limit, and full (the next item would not fit)
  const bodyOf = (p: BatchRequest[]) => Buffer.byteLength(JSON.stringify({ requests: p.map(anthropicBatchItem) }));
  // one byte short of four requests' body: three a batch, exactly
  const limit = bodyOf(big.slice(0, 4)) - 1;
  const bytesParts = splitAnthropicBatches(big.slice(0, 10), { maxRequests: 100_000, maxBytes: limit });
  assert.deepEqual(bytesParts.map((p) => p.length), [3, 3, 3, 1]);
  assert.deepEqual(splitAnthropicBatches(big.slice(0, 10), { maxRequests: 100_000, maxBytes: limit + 1 }).map((p) => p.length), [4, 4, 2]);
  assert.deepEqual(bytesParts.flat().map((r) => r.customId), big.slice(0, 10).map((r) => r.customId));
  for (const [i, p] of bytesParts.entries()) {
    assert.ok(bodyOf(p) <= limit, `batch ${i}'s body is ${bodyOf(p)} bytes`);
    if (i < bytesParts.length - 1) assert.ok(bodyOf([...p, bytesParts[i + 1]![0]!]) > limit, `batch ${i} could have held one more`);
  }
});

test("linesOf: lines cut anywhere across chunks (mid-character too), a last line without newline, blank lines skipped", async () => {
  const text = '{"a":"é✓"}\n\n{"b":2}\r\n{"c":3}';
  const bytes = Buffer.from(text);
  for (const size of [1, 2, 3, 5, 100]) {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    const lines: string[] = [];
    for await (const l of linesOf(chunks())) lines.push(l);
    assert.deepEqual(lines, ['{"a":"é✓"}', '{"b":2}', '{"c":3}'], `chunks of ${size}`);
  }
});
