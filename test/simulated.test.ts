// The simulated reasoner as a provider: it answers benchmark prompts only, streams token by
// token at its speed, reports tokens, honours cancellation, is seeded, and runs through the
// engine like the real providers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords, hashSeed, mulberry32 } from "../src/core";
import { benchmarkPrompts } from "../src/sampling/benchmark";
import { runSamples } from "../src/sampling/engine";
import { DEFAULT_KNOBS, SimulatedProvider, simulateRun, tokens } from "../src/sampling/simulated";
import type { ProviderEvent, SampleRequest } from "../src/sampling/types";

const [easy, , hard] = benchmarkPrompts(["easy", "medium", "hard"], 1);
const request = (prompt: string, maxTokens = 16000): SampleRequest => ({ prompt, model: "simulated-reasoner", maxTokens, thinking: { type: "none" } });

async function collect(p: SimulatedProvider, r: SampleRequest, signal = new AbortController().signal) {
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(r, signal)) events.push(e);
  return events;
}

test("any other prompt: a clear refusal that says how to configure a real provider", async () => {
  const p = new SimulatedProvider();
  const msg = p.check(request("What is the capital of France?"));
  assert.match(msg!, /answers only optimizer-emulation prompts/);
  assert.match(msg!, /ANTHROPIC_API_KEY/);
  assert.match(msg!, /--base-url/);
  await assert.rejects(collect(p, request("What is 2 + 2?")), /answers only optimizer-emulation prompts/);
  assert.equal(p.check(request(easy!.prompt)), null);
});

test("streams its trace token by token, thinking then text, with token counts and a stop", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const events = await collect(p, request(easy!.prompt));
  const thinking = events.filter((e) => e.type === "thinking").map((e) => (e as { text: string }).text);
  const text = events.filter((e) => e.type === "text").map((e) => (e as { text: string }).text);
  assert.ok(thinking.length > 50, `${thinking.length} thinking tokens`);
  const expected = simulateRun(easy!.spec, p.knobs, mulberry32(hashSeed(p.knobs.seed, `${easy!.prompt}\u00000`)));
  assert.equal(thinking.join(""), expected.thinking);
  assert.equal(text.join(""), expected.text);
  const usage = events.filter((e) => e.type === "usage");
  assert.equal((usage[0] as { inputTokens: number }).inputTokens, Math.ceil(easy!.prompt.length / 4));
  assert.equal((usage.at(-1) as { outputTokens: number }).outputTokens, thinking.length + text.length);
  assert.deepEqual(events.at(-1), { type: "stop", reason: "end_turn", truncated: false });
  assert.equal(tokens("x_1 = [0.5000, -1.2000]").join(""), "x_1 = [0.5000, -1.2000]");
});

test("its speed is configurable; a cancel stops the stream at once", async () => {
  const fast = new SimulatedProvider({ tokensPerSecond: 0 });
  const n = (await collect(fast, request(hard!.prompt))).filter((e) => e.type === "thinking" || e.type === "text").length;
  const slow = new SimulatedProvider({ tokensPerSecond: 2000 });
  const t0 = Date.now();
  await collect(slow, request(hard!.prompt));
  const took = Date.now() - t0;
  assert.ok(took >= (n / 2000) * 1000 * 0.8, `${n} tokens at 2000/s took ${took} ms`);
  const ctl = new AbortController();
  const crawl = new SimulatedProvider({ tokensPerSecond: 50 });
  setTimeout(() => ctl.abort(), 100);
  const t1 = Date.now();
  const events = await collect(crawl, request(hard!.prompt), ctl.signal);
  assert.ok(Date.now() - t1 < 500, "stopped at once");
  assert.ok(!events.some((e) => e.type === "stop"), "no stop after a cancel");
});

test("max tokens truncates like a real model", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const events = await collect(p, request(hard!.prompt, 40));
  assert.deepEqual(events.at(-1), { type: "stop", reason: "max_tokens", truncated: true });
  assert.equal(events.filter((e) => e.type === "thinking" || e.type === "text").length, 40);
});

test("seeded: the same seed gives the same reruns, another seed others; each rerun differs", async () => {
  const traces = async (seed: number) => {
    const p = new SimulatedProvider({ tokensPerSecond: 0, seed });
    const out: string[] = [];
    for (let i = 0; i < 6; i++)
      out.push(
        (await collect(p, request(hard!.prompt)))
          .filter((e) => e.type === "thinking")
          .map((e) => (e as { text: string }).text)
          .join(""),
      );
    return out;
  };
  const a = await traces(1);
  assert.deepEqual(a, await traces(1));
  assert.notDeepEqual(a, await traces(2));
  assert.ok(new Set(a).size > 1);
});

test("through the run engine: N samples, then the per-step analysis", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const r = await runSamples({ provider: p, request: request(hard!.prompt), n: 12, concurrency: 4 });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 12);
  assert.ok(r.samples.every((s) => s.usage.outputTokens > 0 && s.costUsd === null));
  const a = analyzeRecords([{ id: hard!.id, prompt: hard!.prompt, reference: hard!.reference, benchmark: hard!.spec, samples: r.samples.map((s) => ({ text: s.text, thinking: s.thinking })) }]);
  const o = a.prompts[0]!.optimizer!;
  assert.equal(o.steps.length, hard!.spec.K);
  assert.ok(o.steps[0]!.reached >= 10);
  assert.ok(DEFAULT_KNOBS.distraction.base > 0);
});
