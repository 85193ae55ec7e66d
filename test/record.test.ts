// A recorded run (src/sampling/record.ts): what is written, returned and passed on holds no key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIMULATED_MODEL } from "../src/core/lead";
import type { RunEvent } from "../src/sampling/engine";
import { DEFAULT_PRICES } from "../src/sampling/prices";
import { headerFor, recordRun, requestFromHeader, type RecordPlan } from "../src/sampling/record";
import { SimulatedProvider } from "../src/sampling/simulated";
import { RunWriter } from "../src/sampling/store";
import type { SampleRequest } from "../src/sampling/types";

const KEY = "hm-stored-key-7c6b5a49d8e7";
const tool = { name: "test", version: "0" };

test("resuming a run file whose earlier lines quote a key (known only now): the run, the result and the events returned are redacted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-record-"));
  const file = join(dir, "old.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "r", createdAt: "2026-12-04T10:00:00.000Z", tool, provider: "simulated", model: SIMULATED_MODEL, prompt: "17 * 24 + 3", parameters: { n: 3, maxTokens: 16000, thinking: { type: "none" }, concurrency: 1, idleTimeoutMs: 10_000 } };
  const sample = { type: "sample", index: 0, text: `Answer: 411 (${KEY})`, thinking: `my key is ${KEY}`, redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" };
  const failure = { type: "failure", index: 1, kind: "server", message: `boom ${KEY}`, attempts: 1, retryable: true };
  writeFileSync(file, [header, sample, failure, { type: "end", status: "partial", finishedAt: "2026-12-04T10:00:02.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
  const events: RunEvent[] = [];
  const recorded = await recordRun(
    {
      provider: new SimulatedProvider({ tokensPerSecond: 0 }),
      providerName: "simulated",
      request: { prompt: header.prompt, model: SIMULATED_MODEL, maxTokens: 16000, thinking: { type: "none" } },
      n: 3,
      concurrency: 1,
      idleTimeoutMs: 10_000,
      retries: 0,
      secrets: [KEY],
      prices: DEFAULT_PRICES,
      outDir: dir,
      resumed: RunWriter.resume(file),
      tool,
    },
    { onEvent: (e) => void events.push(e) },
  );
  assert.equal(recorded.result!.status, "complete");
  assert.deepEqual(
    recorded.run.samples.map((s) => s.index),
    [0, 1, 2],
  );
  assert.equal(recorded.run.samples[0]!.text, "Answer: 411 ([redacted])");
  assert.equal(recorded.result!.samples[0]!.thinking, "my key is [redacted]");
  assert.deepEqual(
    recorded.run.failures.map((f) => f.message),
    ["boom [redacted]"],
  );
  assert.deepEqual(recorded.result!.failures, [], "the result's failures are this session's");
  assert.equal(events.filter((e) => e.type === "sample").length, 2);
  for (const [what, value] of [["run", recorded.run], ["result", recorded.result], ["events", events]] as const) assert.ok(!JSON.stringify(value).includes(KEY), what);
  assert.ok(!readFileSync(file, "utf8").split("\n").slice(4).join("\n").includes(KEY), "the lines appended");
});

test("requestFromHeader rebuilds the request headerFor recorded (what a resumed run sends again)", () => {
  const requests: SampleRequest[] = [
    { prompt: "2 + 2?", model: "claude-sonnet-5-5", maxTokens: 8192, thinking: { type: "adaptive" } },
    { prompt: "2 + 2?", system: "Be brief.", model: "gpt-5.6-terra", maxTokens: 500, temperature: 0.7, thinking: { type: "none" } },
    { prompt: "2 + 2?", model: "claude-opus-4-6", maxTokens: 9000, temperature: 1, thinking: { type: "budget", budgetTokens: 2048 } },
  ];
  for (const request of requests) {
    const plan = { provider: new SimulatedProvider(), providerName: "anthropic", request, n: 4, concurrency: 2, idleTimeoutMs: 1000, retries: 0, prices: DEFAULT_PRICES, outDir: "/nowhere", tool } satisfies RecordPlan;
    assert.deepEqual(requestFromHeader({ type: "header", schema: "hotmess.run/1", ...headerFor(plan) }), request);
  }
});
